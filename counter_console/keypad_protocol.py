"""The serial counter keypad line protocol (pure).

ASCII lines ended by CR, LF or CR LF, at the port's baud rate, 8N1. On an RS-485 bus several
keypads share the line and each has an address (decimal 0–255); a keypad alone on an RS-232 line
may have none and then leaves the address part out.

Keypad to host (a key press; ``KEY`` is 1–8 of ``A–Z a–z 0–9 * # + - .``):

    ``{addr}:K:{KEY}``    e.g. ``3:K:1``        (no address: ``K:1``)

Host to keypad:

    ``{addr}:D:{TEXT}``   show TEXT on the keypad's display (the current number, ``A012``;
                          empty blanks it)      e.g. ``3:D:A012``   (no address: ``D:A012``)
    ``{addr}:E:{CODE}``   the last key was refused; CODE is the contract error code
                          (``queue_empty``...), for a keypad that beeps or blinks

Lines that do not parse are ignored (noise on a long RS-485 run must not press keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEY_RE = re.compile(r"^[A-Za-z0-9*#+\-.]{1,8}$")
_LINE_RE = re.compile(r"^(?:(?P<addr>\d{1,3}):)?K:(?P<key>[^:]+)$")
MAX_LINE = 64


@dataclass(frozen=True)
class KeyPress:
    address: int | None
    key: str


def parse_key_line(line: bytes) -> KeyPress | None:
    """The key press in one line (without its end), or None when it is not one."""
    try:
        text = line.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    match = _LINE_RE.fullmatch(text)
    if not match or not KEY_RE.fullmatch(match["key"]):
        return None
    address = int(match["addr"]) if match["addr"] is not None else None
    if address is not None and address > 255:
        return None
    return KeyPress(address, match["key"])


def _frame(address: int | None, kind: str, text: str) -> bytes:
    safe = text.encode("ascii", "replace").decode("ascii").replace(":", "?")
    head = f"{address}:" if address is not None else ""
    return f"{head}{kind}:{safe}\r\n".encode("ascii")


def display_frame(address: int | None, text: str | None) -> bytes:
    """Show ``text`` (None or "" blanks the display)."""
    return _frame(address, "D", text or "")


def error_frame(address: int | None, code: str) -> bytes:
    return _frame(address, "E", code)


class LineSplitter:
    """Collects bytes read from the port and hands back complete lines (CR, LF or CR LF)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer.extend(data)
        parts = re.split(rb"\r\n|\r|\n", bytes(self._buffer))
        self._buffer = bytearray(parts.pop()[-MAX_LINE:])
        return [part for part in parts if part]
