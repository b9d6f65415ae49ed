"""Contract payloads (CONTRACT.md) built from the engine's state. Pure functions.

They build plain dicts in the field order of the contract models (``motcua.bus.models``) and
``dump`` writes them with orjson: ticketd builds ten or more payloads per request, and a pydantic
model costs ~9 µs to build and write where this costs ~1 µs. The models stay the definition:
``tests/ticketd/test_payloads.py`` checks each builder against its model, byte for byte.
"""

from __future__ import annotations

from datetime import datetime

import orjson

from motcua.clock import iso
from ticketd.engine import Engine
from ticketd.model import Call, CounterState, Rating, RateRequest, Ticket


def dump(payload: dict) -> str:
    """Compact JSON, UTF-8 text unescaped (what every reply and event carries)."""
    return orjson.dumps(payload).decode("utf-8")


def officer_obj(engine: Engine, officer_id: str | None) -> dict | None:
    officer = engine.officers.get(officer_id) if officer_id else None
    return {"id": officer.id, "name": officer.name, "title": officer.title} if officer else None


def ticket_obj(engine: Engine, ticket: Ticket) -> dict:
    ahead = engine.ahead(ticket)
    return {
        "number": ticket.number,
        "service": ticket.service,
        "service_name": engine.services[ticket.service].name,
        "seq": ticket.seq,
        "priority": ticket.priority,
        "state": ticket.state.value,
        "issued_at": iso(ticket.issued_at),
        "ahead": ahead,
        "est_wait_s": engine.est_wait_s(ticket, ahead),
        "counter": ticket.counter if ticket.counter is not None else ticket.target_counter,
        "issued_service": ticket.issued_service,
        "called_at": iso(ticket.called_at),
        "started_at": iso(ticket.started_at),
        "transferred_from": ticket.transferred_from,
    }


def ticket_event_ticket(ticket: Ticket) -> dict:
    return {
        "number": ticket.number, "service": ticket.service, "issued_service": ticket.issued_service,
        "priority": ticket.priority, "state": ticket.state.value, "issued_at": iso(ticket.issued_at),
        "called_at": iso(ticket.called_at), "started_at": iso(ticket.started_at),
        "finished_at": iso(ticket.finished_at), "counter": ticket.counter, "officer": ticket.officer_id,
        "outcome": ticket.outcome, "dossier": ticket.dossier, "transfers": ticket.transfers,
    }


def ticket_event(office: str, day: str, event_id: str, op: str, ticket: Ticket, now: datetime) -> dict:
    return {"id": event_id, "office": office, "day": day, "op": op, "ticket": ticket_event_ticket(ticket),
            "at": iso(now)}


def counter_state_msg(engine: Engine, state: CounterState, now: datetime) -> dict:
    definition = engine.counter_defs[state.id]
    current = engine.get_ticket(state.current) if state.current else None
    return {
        "counter": state.id,
        "name": definition.name,
        "status": state.status.value,
        "officer": officer_obj(engine, state.officer_id),
        "services": list(definition.services),
        "current": ticket_obj(engine, current) if current else None,
        "updated_at": iso(now),
        "paused_reason": state.paused_reason,
        "held": engine.held_by(state.id),
    }


def service_state_msg(engine: Engine, code: str, now: datetime) -> dict:
    service = engine.services[code]
    view = engine.service_view(code, now)
    return {
        "service": code, "name": service.name, "field": service.field, "open": view["open"],
        "waiting": view["waiting"], "est_wait_s": view["est_wait_s"], "last_called": view["last_called"],
        "issued_today": view["issued_today"], "updated_at": iso(now), "prefix": service.prefix,
    }


def hall_msg(engine: Engine, now: datetime) -> dict:
    names = {c: d.name for c, d in engine.counter_defs.items()}
    return {
        "recent": [{"number": c.number, "counter": c.counter, "counter_name": names[c.counter], "at": iso(c.at)}
                   for c in engine.recent_calls()],
        "serving": [{"counter": c, "counter_name": names[c], "number": n, "service": s}
                    for c, n, s in engine.serving()],
        "waiting_total": engine.waiting_total(),
        "updated_at": iso(now),
    }


def call_event(engine: Engine, call: Call) -> dict:
    return {"number": call.number, "counter": call.counter, "counter_name": engine.counter_defs[call.counter].name,
            "service": call.service, "recall": call.recall, "at": iso(call.at)}


def rate_request_event(engine: Engine, request: RateRequest) -> dict:
    return {"ticket": request.ticket, "officer": officer_obj(engine, request.officer_id),
            "expires_at": iso(request.expires_at), "counter": request.counter}


def rating_obj(engine: Engine, rating: Rating) -> dict:
    return {"ticket": rating.ticket, "level": rating.level, "officer": officer_obj(engine, rating.officer_id),
            "counter": rating.counter, "at": iso(rating.at), "reasons": list(rating.reasons)}


def rating_event(office: str, day: str, event_id: str, engine: Engine, rating: Rating, dossier: str | None) -> dict:
    return {"id": event_id, "office": office, "day": day, "rating": rating_obj(engine, rating),
            "comment": rating.comment, "dossier": dossier}


# ---- replies ----------------------------------------------------------------------------------
def take_reply(request_id: str, ticket: dict, printer: str | None) -> dict:
    """Not printed yet: ``printed`` and ``print_error`` are set when the print job answers."""
    return {"id": request_id, "ok": True, "ticket": ticket, "printed": False, "printer": printer,
            "print_error": None}


def printer_test_reply(request_id: str, printer: str) -> dict:
    return {"id": request_id, "ok": True, "printed": False, "printer": printer, "print_error": None,
            "status": None}


def counter_reply(request_id: str, counter: dict, ticket: dict | None) -> dict:
    return {"id": request_id, "ok": True, "counter": counter, "ticket": ticket}


def rating_reply(request_id: str, rating: dict) -> dict:
    return {"id": request_id, "ok": True, "rating": rating}


def ticket_reply(request_id: str, ticket: dict) -> dict:
    return {"id": request_id, "ok": True, "ticket": ticket}


def error_reply(request_id: str, code: str, message: str, detail: str | None = None) -> dict:
    return {"id": request_id, "ok": False, "error": {"code": code, "message": message, "detail": detail}}
