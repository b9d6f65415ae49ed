"""Frames for serial LED number boards (pure).

A frame is ``prefix + body + checksum + suffix``:

- ``body`` is a format string with ``{addr}`` (the board address, an int 0–255) and ``{number}``
  (the text to show, padded to ``width``); it is encoded as Latin-1, so ``{addr:c}`` gives the
  address as one raw byte and ``{addr:02X}`` as two hex digits;
- ``checksum`` is ``none``, ``xor``, ``sum8`` (sum of the bytes mod 256) or ``lrc`` (two's
  complement of sum8), computed over ``checksum_span``: ``body`` or ``all`` (prefix and body);
  ``checksum_format`` writes it as one raw ``byte`` or as two upper-case ASCII ``hex`` digits;
- ``width`` (0 = as is) pads the number with ``pad`` on the left (``align: right``) or the right;
  a longer number keeps its last ``width`` characters; non-ASCII characters become ``?``.

Presets (any key can be overridden by the board's ``frame`` config):

- ``generic``: STX, address byte, number right-aligned in 4, ETX, XOR of address..ETX as one byte.
  "A012" at address 1 → ``02 01 41 30 31 32 03 70``.
- ``modbus-ascii-like``: ``:``, address as two hex digits, number in 4, LRC of those ASCII bytes
  as two hex digits, CR LF. "A012" at 1 → ``:01A012CB\\r\\n``.
- ``simple``: ``#``, address as two decimal digits, the number as is, CR LF, no checksum.
  "A012" at 1 → ``#01A012\\r\\n``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import reduce
from typing import Any

CHECKSUMS = ("none", "xor", "sum8", "lrc")
SPANS = ("body", "all")
FORMATS = ("byte", "hex")
ALIGNS = ("right", "left")


@dataclass(frozen=True)
class FrameSpec:
    """How one board model frames a number (see the module docstring)."""

    prefix: str = ""
    body: str = "{number}"
    suffix: str = ""
    checksum: str = "none"
    checksum_span: str = "body"
    checksum_format: str = "byte"
    width: int = 0
    align: str = "right"
    pad: str = " "

    def __post_init__(self) -> None:
        for name, allowed in (("checksum", CHECKSUMS), ("checksum_span", SPANS),
                              ("checksum_format", FORMATS), ("align", ALIGNS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"frame {name} must be one of {', '.join(allowed)}")
        if not isinstance(self.width, int) or self.width < 0:
            raise ValueError("frame width must be an integer >= 0")
        if len(self.pad) != 1:
            raise ValueError("frame pad must be one character")
        try:
            self.body.format(addr=1, number="")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"frame body {self.body!r} is not a valid template: {exc}") from None


PRESETS: dict[str, FrameSpec] = {
    "generic": FrameSpec(prefix="\x02", body="{addr:c}{number}\x03", checksum="xor", width=4),
    "modbus-ascii-like": FrameSpec(
        prefix=":", body="{addr:02X}{number}", suffix="\r\n", checksum="lrc", checksum_format="hex", width=4
    ),
    "simple": FrameSpec(prefix="#", body="{addr:02d}{number}", suffix="\r\n"),
}


def frame_spec(preset: str = "generic", overrides: Mapping[str, Any] | None = None) -> FrameSpec:
    """The preset's spec with ``overrides`` (the board config's ``frame`` dict) applied."""
    try:
        base = PRESETS[preset]
    except KeyError:
        raise ValueError(f"unknown LED preset {preset!r} (one of {', '.join(PRESETS)})") from None
    overrides = dict(overrides or {})
    known = {f.name for f in fields(FrameSpec)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"unknown frame keys: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return replace(base, **overrides)


def checksum(data: bytes, kind: str) -> int:
    """The 8-bit checksum of ``data``."""
    if kind == "xor":
        return reduce(lambda acc, b: acc ^ b, data, 0)
    if kind == "sum8":
        return sum(data) & 0xFF
    if kind == "lrc":
        return -sum(data) & 0xFF
    raise ValueError(f"no checksum {kind!r}")


def fit(text: str, spec: FrameSpec) -> str:
    """``text`` made ASCII and fitted to the spec's width."""
    text = text.encode("ascii", "replace").decode("ascii")
    if not spec.width:
        return text
    text = text[-spec.width:]
    return text.rjust(spec.width, spec.pad) if spec.align == "right" else text.ljust(spec.width, spec.pad)


def encode_frame(spec: FrameSpec, address: int, text: str) -> bytes:
    """The bytes that make board ``address`` show ``text`` ("" blanks it)."""
    if not 0 <= address <= 255:
        raise ValueError(f"board address {address} is outside 0..255")
    prefix = spec.prefix.encode("latin-1")
    body = spec.body.format(addr=address, number=fit(text, spec)).encode("latin-1")
    tail = b""
    if spec.checksum != "none":
        value = checksum(prefix + body if spec.checksum_span == "all" else body, spec.checksum)
        tail = bytes([value]) if spec.checksum_format == "byte" else f"{value:02X}".encode("ascii")
    return prefix + body + tail + spec.suffix.encode("latin-1")
