"""Fixtures for printing tests: printer configs (the real schema class) and a status recorder."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from motcua.config.schema import PrinterDevice
from ticketd.printing.render import TicketPrint


@pytest.fixture
def printer_config():
    """A factory of real ``PrinterDevice`` configs (id and name defaulted)."""
    def make(**fields) -> PrinterDevice:
        fields.setdefault("id", "p1")
        fields.setdefault("name", "Máy in thử")
        return PrinterDevice(**fields)
    return make


class StatusLog:
    """Collects on_status calls; ``wait_for`` blocks until a given call arrives."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []
        self._cond = threading.Condition()

    def __call__(self, device_id: str, state: str, detail: str | None) -> None:
        with self._cond:
            self.calls.append((device_id, state, detail))
            self._cond.notify_all()

    def wait_for(self, call: tuple[str, str, str | None], timeout: float = 30) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: call in self.calls, timeout), self.calls


@pytest.fixture
def status_log() -> StatusLog:
    return StatusLog()


@pytest.fixture(scope="session")
def sample_ticket() -> TicketPrint:
    return TicketPrint(
        office_name="Trung tâm Phục vụ hành chính công phường Bến Thành",
        service_name="Hộ tịch",
        number="A012",
        priority=False,
        issued_at=datetime(2026, 11, 22, 8, 3),
        ahead=4,
        est_wait_s=540,
        note=None,
        qr_url="https://motcua.example.vn/ve?so=A012",
    )
