"""Dossier codes (mã hồ sơ): ``{agency}-{yyMMdd}-{NNNN}``, checked as the citizen types them and
pulled out of whatever a receipt's QR code or barcode holds (the code, or a lookup URL)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import parse_qs, urlsplit

CODE_RE = re.compile(r"^[0-9A-Z.]+-\d{6}-\d{4,7}$")
# a prefix of a valid code: agency chars, then optionally "-" and up to 6 digits, then "-" and up to 7
PARTIAL_RE = re.compile(r"^[0-9A-Z.]*$|^[0-9A-Z.]+-\d{0,6}$|^[0-9A-Z.]+-\d{6}-\d{0,7}$")
ALLOWED = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-")
QUERY_KEYS = ("mahs", "mahoso", "ma_ho_so", "code", "dossier", "dossierno", "ma")


class CodeState(Enum):
    EMPTY = "empty"
    TYPING = "typing"  # a prefix of a valid code
    VALID = "valid"
    INVALID = "invalid"


@dataclass(frozen=True)
class CodeCheck:
    state: CodeState
    text: str

    @property
    def valid(self) -> bool:
        return self.state is CodeState.VALID


def normalise(text: str) -> str:
    """Upper case without spaces (what a citizen types or a scanner reads)."""
    return "".join(text.split()).upper()


def is_valid(code: str) -> bool:
    return bool(CODE_RE.match(code))


def check_typed(text: str) -> CodeCheck:
    """The state of a code being typed: empty, a valid prefix, complete, or impossible."""
    code = normalise(text)
    if not code:
        return CodeCheck(CodeState.EMPTY, code)
    if CODE_RE.match(code):
        return CodeCheck(CodeState.VALID, code)
    if set(code) <= ALLOWED and PARTIAL_RE.match(code):
        return CodeCheck(CodeState.TYPING, code)
    return CodeCheck(CodeState.INVALID, code)


def code_from_scan(payload: str) -> str | None:
    """The dossier code in a scanned QR/barcode: the text itself, or a URL's ``?mahs=`` (and kin)."""
    text = payload.strip()
    if not text:
        return None
    direct = normalise(text)
    if CODE_RE.match(direct):
        return direct
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme in ("http", "https") or parts.query:
        query = {k.lower(): v for k, v in parse_qs(parts.query).items()}
        for key in QUERY_KEYS:
            for value in query.get(key, []):
                code = normalise(value)
                if CODE_RE.match(code):
                    return code
        last = normalise(parts.path.rstrip("/").rsplit("/", 1)[-1])
        if CODE_RE.match(last):
            return last
    return None
