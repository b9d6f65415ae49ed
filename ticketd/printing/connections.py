"""Printer connections, chosen by the config's ``backend`` name from a registry.

A connection moves bytes: ``send`` a whole job, and (for a ``StatusConnection``) ``query`` one
real-time status byte. ``timeout_s`` is the longest the printer may take no data before a send
fails with ``SendTimeout``. Third-party backends join with ``register_backend``.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from typing import Any, ClassVar

CHUNK = 4096


class ConnectionFailed(Exception):
    """The printer cannot be reached, or it dropped the connection."""


class SendTimeout(ConnectionFailed):
    """The printer took no data for longer than its timeout."""


class Connection(ABC):
    """A byte pipe to one printer, described by its config (duck-typed ``PrinterDevice``)."""

    # False: open a fresh connection for every job (network printers drop idle sockets, and a
    # job written into a socket the printer already closed is lost without an error).
    keep_open: ClassVar[bool] = True

    def __init__(self, cfg: Any) -> None:
        self.cfg = cfg

    @abstractmethod
    def open(self) -> None:
        """Connect; raise ``ConnectionFailed`` when the printer is not there."""

    @abstractmethod
    def close(self) -> None:
        """Release the device (safe to call twice)."""

    @abstractmethod
    def send(self, data: bytes) -> None:
        """Write a whole job; raise ``SendTimeout`` or ``ConnectionFailed``."""


class StatusConnection(Connection):
    """A connection that can also read the printer's answers."""

    @abstractmethod
    def query(self, request: bytes, timeout: float) -> int | None:
        """Drop unread input, send ``request``, return the first byte answered within ``timeout``
        seconds, or None on silence. Raise ``ConnectionFailed`` if the link is gone."""


BACKENDS: dict[str, str | type[Connection]] = {
    "network": "ticketd.printing.device_backends:NetworkConnection",
    "serial": "ticketd.printing.device_backends:SerialConnection",
    "usb": "ticketd.printing.device_backends:UsbConnection",
    "file": "ticketd.printing.device_backends:FileConnection",
    "capture": "ticketd.printing.capture:CaptureConnection",
}


def register_backend(name: str, target: str | type[Connection]) -> None:
    """Add or replace backend ``name``: a ``Connection`` class or ``"module:Class"``."""
    BACKENDS[name] = target


def backend_class(name: str) -> type[Connection]:
    """The connection class registered as ``name`` (imported on first use)."""
    try:
        target = BACKENDS[name]
    except KeyError:
        known = ", ".join(BACKENDS)
        raise ValueError(f"unknown printer backend {name!r}; known: {known}") from None
    if isinstance(target, str):
        module, _, attr = target.partition(":")
        target = getattr(importlib.import_module(module), attr)
        BACKENDS[name] = target
    return target


def create_connection(cfg: Any) -> Connection:
    """An unopened connection for printer config ``cfg``."""
    return backend_class(cfg.backend)(cfg)
