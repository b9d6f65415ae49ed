"""ticketd's side of printing: a ticket object in, a guaranteed answer out.

Renders the contract ticket with the office's layout and hands it to the printer's worker
(``ticketd.printing``). The returned future always completes: if a worker does not answer within
its printer's timeout plus a margin, the answer is ``timeout``.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from motcua.config import OfficeConfig
from PIL import Image

from ticketd.printing.render import TicketPrint, render_test_page, render_ticket
from ticketd.printing.worker import PrinterPool


@dataclass(frozen=True)
class PrintResult:
    printed: bool
    error_code: str | None = None


def ticket_url(cfg: OfficeConfig, number: str) -> str | None:
    pattern = cfg.kiosk.ticket_url
    return pattern.format(office=cfg.office.id, number=number) if pattern else None


class TicketPrinting:
    def __init__(self, cfg: OfficeConfig, on_status: Callable[[str, str, str | None], None]) -> None:
        self.cfg = cfg
        self.printers = {p.id: p for p in cfg.devices.printers}
        self.pool = PrinterPool(cfg.devices.printers, on_status)
        self._render = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ticket-render")
        self._services = {s.code: s for s in cfg.services}

    def start(self) -> None:
        self.pool.start()

    def stop(self) -> None:
        self._render.shutdown(wait=True, cancel_futures=True)
        self.pool.stop()

    def print_ticket(self, printer_id: str | None, ticket: dict,
                     reprint_at: datetime | None = None) -> Future:
        """Print ``ticket`` (the contract's ticket object) on ``printer_id``; the future gives a
        ``PrintResult``."""
        return self._print(printer_id, lambda width: render_ticket(self._ticket_print(ticket, reprint_at), width))

    def print_test_page(self, printer_id: str) -> Future:
        """The technician's test page (every Vietnamese letter, a QR, a ruler)."""
        printer = self.printers[printer_id]
        status = self.pool[printer_id].status
        status_text = f"{status.state} {status.detail or ''}".strip() if status else "unknown"
        return self._print(printer_id, lambda width: render_test_page(width, printer.name, status_text))

    def status_of(self, printer_id: str) -> tuple[str, str | None]:
        status = self.pool[printer_id].status
        return (status.state, status.detail) if status else ("unknown", None)

    def _print(self, printer_id: str | None, render: Callable[[int], Image.Image]) -> Future:
        answer: Future = Future()
        printer = self.printers.get(printer_id) if printer_id else None
        if printer is None:
            answer.set_result(PrintResult(False, "offline"))
            return answer

        def settle(result: PrintResult) -> None:
            if not answer.done():
                try:
                    answer.set_result(result)
                except Exception:  # settled concurrently by the guard
                    pass

        guard = threading.Timer(printer.timeout_s * 3 + 5, settle, args=(PrintResult(False, "timeout"),))
        guard.daemon = True
        guard.start()
        answer.add_done_callback(lambda _f: guard.cancel())

        def render_and_submit() -> None:
            try:
                job = self.pool.submit(printer.id, render(self.pool[printer.id].width_dots))
            except Exception:
                settle(PrintResult(False, "offline"))
                raise
            job.add_done_callback(lambda f: settle(
                PrintResult(False, "offline") if f.exception() else
                PrintResult(f.result().printed, f.result().error_code)))

        self._render.submit(render_and_submit)
        return answer

    def _ticket_print(self, ticket: dict, reprint_at: datetime | None) -> TicketPrint:
        return TicketPrint(
            office_name=self.cfg.office.name,
            service_name=ticket["service_name"],
            number=ticket["number"],
            priority=ticket["priority"],
            issued_at=datetime.fromisoformat(ticket["issued_at"]),
            ahead=ticket["ahead"],
            est_wait_s=ticket["est_wait_s"],
            note=self.cfg.office.working_hours_text,
            qr_url=ticket_url(self.cfg, ticket["number"]),
            reprint_at=reprint_at,
        )
