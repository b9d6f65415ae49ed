"""Parsing of incoming requests: which request a topic is, its id, and error replies."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import ValidationError

from motcua.bus import models as m
from motcua.bus.topics import Topics
from motcua.i18n import t
from ticketd import payloads
from ticketd.payloads import dump

_ID_RE = re.compile(m.REQUEST_ID_PATTERN)
_SNIFF_RE = re.compile(rb'"id"\s*:\s*"([A-Za-z0-9._:-]{1,64})"')

MODELS = {
    "take": m.TakeRequest,
    "cmd": m.CounterCommand,
    "rating": m.RatingSubmit,
    "query": m.TicketQuery,
    "reprint": m.ReprintRequest,
    "test_page": m.TestPageRequest,
}


@dataclass(frozen=True)
class Route:
    kind: str  # a key of MODELS
    target: str | None  # the kiosk or counter of the topic


def route(topics: Topics, topic: str) -> Route | None:
    parts = topics.parts(topic)
    match parts:
        case ["kiosk", kiosk, "take"]:
            return Route("take", kiosk)
        case ["counter", counter, "cmd"]:
            return Route("cmd", counter)
        case ["counter", counter, "rating"]:
            return Route("rating", counter)
        case ["ticket", "query"]:
            return Route("query", None)
        case ["admin", "reprint"]:
            return Route("reprint", None)
        case ["admin", "test_page"]:
            return Route("test_page", None)
    return None


def valid_id(value: object) -> str | None:
    return value if isinstance(value, str) and _ID_RE.match(value) else None


SNIFF_PARSE_MAX = 4 * 1024 * 1024


def sniff_id(raw: bytes) -> str | None:
    """The request id of a refused payload (too large, or not an object), so the error can be
    answered: the top-level ``id`` when the payload still parses, else one near its start."""
    if len(raw) <= SNIFF_PARSE_MAX:
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            data = None
        if isinstance(data, dict):
            return valid_id(data.get("id"))
    found = _SNIFF_RE.search(raw[:4096])
    return found.group(1).decode() if found else None


def error_reply(request_id: str, code: str, message_key: str | None = None, detail: str | None = None,
                **params: object) -> str:
    return dump(payloads.error_reply(request_id, code, t(message_key or f"errors.{code}", **params), detail))


def validation_detail(exc: ValidationError) -> str:
    """A short English description of what failed the schema (for technicians)."""
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "payload"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
