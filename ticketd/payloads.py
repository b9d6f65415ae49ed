"""Contract payloads (CONTRACT.md) built from the engine's state. Pure functions."""

from __future__ import annotations

from datetime import datetime

from motcua.bus import models as m
from motcua.clock import iso
from ticketd.engine import Engine
from ticketd.model import Call, CounterState, Rating, RateRequest, Ticket


def officer_obj(engine: Engine, officer_id: str | None) -> m.Officer | None:
    officer = engine.officers.get(officer_id) if officer_id else None
    return m.Officer(id=officer.id, name=officer.name, title=officer.title) if officer else None


def ticket_obj(engine: Engine, ticket: Ticket) -> m.TicketObj:
    ahead = engine.ahead(ticket)
    return m.TicketObj(
        number=ticket.number,
        service=ticket.service,
        service_name=engine.services[ticket.service].name,
        seq=ticket.seq,
        priority=ticket.priority,
        state=ticket.state.value,
        issued_at=iso(ticket.issued_at),
        ahead=ahead,
        est_wait_s=engine.est_wait_s(ticket, ahead),
        counter=ticket.counter if ticket.counter is not None else ticket.target_counter,
        issued_service=ticket.issued_service,
        called_at=iso(ticket.called_at),
        started_at=iso(ticket.started_at),
        transferred_from=ticket.transferred_from,
    )


def ticket_event_ticket(ticket: Ticket) -> m.TicketEventTicket:
    return m.TicketEventTicket(
        number=ticket.number, service=ticket.service, issued_service=ticket.issued_service, priority=ticket.priority,
        state=ticket.state.value, issued_at=iso(ticket.issued_at), called_at=iso(ticket.called_at),
        started_at=iso(ticket.started_at), finished_at=iso(ticket.finished_at), counter=ticket.counter,
        officer=ticket.officer_id, outcome=ticket.outcome, dossier=ticket.dossier, transfers=ticket.transfers,
    )


def counter_state_msg(engine: Engine, state: CounterState, now: datetime) -> m.CounterStateMsg:
    definition = engine.counter_defs[state.id]
    current = engine.get_ticket(state.current) if state.current else None
    held = engine.held_by(state.id)
    return m.CounterStateMsg(
        counter=state.id,
        name=definition.name,
        status=state.status.value,
        officer=officer_obj(engine, state.officer_id),
        services=list(definition.services),
        current=ticket_obj(engine, current) if current else None,
        updated_at=iso(now),
        paused_reason=state.paused_reason,
        held=held,
    )


def service_state_msg(engine: Engine, code: str, now: datetime) -> m.ServiceStateMsg:
    service = engine.services[code]
    view = engine.service_view(code, now)
    return m.ServiceStateMsg(
        service=code, name=service.name, field=service.field, open=view["open"], waiting=view["waiting"],
        est_wait_s=view["est_wait_s"], last_called=view["last_called"], issued_today=view["issued_today"],
        updated_at=iso(now), prefix=service.prefix,
    )


def hall_msg(engine: Engine, now: datetime) -> m.HallMsg:
    names = {c: d.name for c, d in engine.counter_defs.items()}
    return m.HallMsg(
        recent=[m.RecentCall(number=c.number, counter=c.counter, counter_name=names[c.counter], at=iso(c.at))
                for c in engine.recent_calls()],
        serving=[m.ServingEntry(counter=c, counter_name=names[c], number=n, service=s)
                 for c, n, s in engine.serving()],
        waiting_total=engine.waiting_total(),
        updated_at=iso(now),
    )


def call_event(engine: Engine, call: Call) -> m.CallEvent:
    return m.CallEvent(number=call.number, counter=call.counter, counter_name=engine.counter_defs[call.counter].name,
                       service=call.service, recall=call.recall, at=iso(call.at))


def rate_request_event(engine: Engine, request: RateRequest) -> m.RateRequestEvent:
    return m.RateRequestEvent(ticket=request.ticket, officer=officer_obj(engine, request.officer_id),
                              expires_at=iso(request.expires_at), counter=request.counter)


def rating_obj(engine: Engine, rating: Rating) -> m.RatingObj:
    return m.RatingObj(ticket=rating.ticket, level=rating.level, officer=officer_obj(engine, rating.officer_id),
                       counter=rating.counter, at=iso(rating.at), reasons=list(rating.reasons))
