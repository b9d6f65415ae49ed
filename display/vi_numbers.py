"""Vietnamese number reading, as a person says it aloud (pure functions).

Rules (Northern by default, Southern with ``dialect="south"``):

- 10 "mười", 20–90 "hai mươi" … "chín mươi";
- 1 after "mươi" is "mốt" (21 "hai mươi mốt"), but 11 is "mười một";
- 4 after "mươi" is "tư" in the North (24 "hai mươi tư"), "bốn" in the South; 14 is "mười bốn";
- 5 after a ten is "lăm" (15 "mười lăm", 25 "hai mươi lăm"), otherwise "năm" (105);
- zero tens before a unit: "linh" (North) / "lẻ" (South): 105 "một trăm linh năm";
- a group after thousands or millions is read in full: 1005 "một nghìn không trăm linh năm",
  2024 "hai nghìn không trăm hai mươi tư"; an all-zero group is skipped (1000000 "một triệu");
- thousands: "nghìn" (North) / "ngàn" (South).
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
MAX_NUMBER = 999_999_999

_DIALECTS = {
    "north": {"zero_tens": "linh", "thousand": "nghìn", "four_after_tens": "tư"},
    "south": {"zero_tens": "lẻ", "thousand": "ngàn", "four_after_tens": "bốn"},
}


def _dialect(dialect: str) -> dict[str, str]:
    try:
        return _DIALECTS[dialect]
    except KeyError:
        raise ValueError(f"unknown dialect {dialect!r} (north or south)") from None


def _tens_and_units(tens: int, units: int, after_hundreds: bool, words: dict[str, str]) -> list[str]:
    """Words for the last two digits of a group (``after_hundreds``: a hundreds word precedes)."""
    if tens == 0:
        if units == 0:
            return []
        return [words["zero_tens"], DIGITS[units]] if after_hundreds else [DIGITS[units]]
    if tens == 1:
        head = ["mười"]
        tail = {0: [], 5: ["lăm"]}.get(units, [DIGITS[units]])
        return head + tail
    head = [DIGITS[tens], "mươi"]
    tail = {0: [], 1: ["mốt"], 4: [words["four_after_tens"]], 5: ["lăm"]}.get(units, [DIGITS[units]])
    return head + tail


def _group(value: int, full: bool, words: dict[str, str]) -> list[str]:
    """Words for a three-digit group; ``full`` reads "không trăm" for a zero hundreds digit."""
    hundreds, rest = divmod(value, 100)
    tens, units = divmod(rest, 10)
    out: list[str] = []
    if hundreds or full:
        out = [DIGITS[hundreds], "trăm"]
    return out + _tens_and_units(tens, units, after_hundreds=bool(out), words=words)


def read_number(n: int, dialect: str = "north") -> str:
    """Read ``n`` (0 … 999,999,999) in Vietnamese words: 2024 → "hai nghìn không trăm hai mươi tư"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"read_number needs an int, got {type(n).__name__}")
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"{n} is outside 0..{MAX_NUMBER}")
    words = _dialect(dialect)
    if n == 0:
        return DIGITS[0]
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    out: list[str] = []
    for value, scale in ((millions, "triệu"), (thousands, words["thousand"]), (units, "")):
        if value == 0:
            continue
        out += _group(value, full=bool(out), words=words)
        if scale:
            out.append(scale)
    return " ".join(out)


def read_digits(s: str) -> str:
    """Read a string of decimal digits one by one: "012" → "không một hai"."""
    if not s or not all(c in "0123456789" for c in s):
        raise ValueError(f"not a string of digits: {s!r}")
    return " ".join(DIGITS[int(c)] for c in s)
