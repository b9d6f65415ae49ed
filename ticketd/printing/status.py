"""A safe ESC/POS status reader (DLE EOT n), and the answers a printer gives in each state.

python-escpos's ``paper_status()``/``is_online()`` count an empty reply as "paper OK" and leave
late replies in the input to answer the next query. Here each query drops unread input first,
waits for one byte with a short timeout and checks the byte's fixed bits; silence or a byte that
is not a status byte means ``unknown``, never OK.
"""

from __future__ import annotations

from dataclasses import dataclass

from ticketd.printing.connections import Connection, StatusConnection

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, PAPER = 1, 2, 4
# Every DLE EOT answer has bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0.
FIXED_MASK, FIXED_BITS = 0x93, 0x12
OFFLINE_BIT = 0x08  # n=1
COVER_OPEN_BIT = 0x04  # n=2
PAPER_END_STOP_BIT = 0x20  # n=2: printing stopped at paper end
PAPER_NEAR_END_BITS = 0x0C  # n=4
PAPER_END_BITS = 0x60  # n=4


@dataclass(frozen=True)
class PrinterStatus:
    """A device state as the contract names it (online, degraded, offline, unknown) and why."""

    state: str
    detail: str | None = None


ONLINE = PrinterStatus("online")
UNKNOWN = PrinterStatus("unknown")
PAPER_LOW = PrinterStatus("degraded", "paper_low")
PAPER_OUT = PrinterStatus("offline", "paper_out")
COVER_OPEN = PrinterStatus("offline", "cover_open")
OFFLINE = PrinterStatus("offline", "offline")


def status_request(n: int) -> bytes:
    """The real-time status request DLE EOT ``n``."""
    return DLE_EOT + bytes((n,))


def _ask(conn: StatusConnection, n: int, timeout: float) -> int | None:
    reply = conn.query(status_request(n), timeout)
    if reply is None or reply & FIXED_MASK != FIXED_BITS:
        return None
    return reply


def read_status(conn: Connection, timeout: float) -> PrinterStatus:
    """The printer's status through ``conn``; raises ``ConnectionFailed`` if the link is gone."""
    if not isinstance(conn, StatusConnection):
        return UNKNOWN
    printer = _ask(conn, PRINTER, timeout)
    if printer is None:
        return UNKNOWN
    paper = _ask(conn, PAPER, timeout)
    if paper is None:
        return UNKNOWN
    if printer & OFFLINE_BIT:
        cause = _ask(conn, OFFLINE_CAUSE, timeout)
        if cause is not None and cause & COVER_OPEN_BIT:
            return COVER_OPEN
        if paper & PAPER_END_BITS or (cause is not None and cause & PAPER_END_STOP_BIT):
            return PAPER_OUT
        return OFFLINE
    if paper & PAPER_END_BITS:
        return PAPER_OUT
    if paper & PAPER_NEAR_END_BITS:
        return PAPER_LOW
    return ONLINE


# What a printer in each simulated state answers to DLE EOT n (n = 1..4).
_REPLIES = {
    "online": {},
    "paper_low": {PAPER: PAPER_NEAR_END_BITS},
    "paper_out": {
        PRINTER: OFFLINE_BIT, OFFLINE_CAUSE: PAPER_END_STOP_BIT,
        PAPER: PAPER_NEAR_END_BITS | PAPER_END_BITS,
    },
    "cover_open": {PRINTER: OFFLINE_BIT, OFFLINE_CAUSE: COVER_OPEN_BIT},
}


def printer_reply(state: str, n: int) -> int:
    """The status byte an ESC/POS printer in ``state`` sends for DLE EOT ``n``."""
    return FIXED_BITS | _REPLIES[state].get(n, 0)
