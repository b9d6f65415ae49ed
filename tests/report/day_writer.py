"""Writes an office day into a real ticketd store at exact times: the queue engine applies each
request and the rows are stored the way ticketd's service stores them."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from motcua.config import OfficeConfig
from ticketd import defs
from ticketd.engine import Engine
from ticketd.store import Store


class DayWriter:
    def __init__(self, cfg: OfficeConfig, path: Path, day: date) -> None:
        self.cfg = cfg
        self.store = Store(path)
        self.day = day
        self.engine = Engine(defs.service_defs(cfg), defs.counter_defs(cfg), defs.officer_defs(cfg),
                             defs.policy(cfg), day)
        with self.store.transaction():
            self.store.set_day(day)
            self.store.save_counters(self.engine.counters.values())

    def at(self, hhmm: str) -> datetime:
        hour, minute = map(int, hhmm.split(":"))
        return datetime.combine(self.day, time(hour, minute), tzinfo=self.cfg.office.tz)

    def _persist(self, result) -> None:
        if result.touched_tickets:
            self.store.save_tickets(self.day, result.touched_tickets)
        if result.touched_counters:
            self.store.save_counters(result.touched_counters)
        if result.calls:
            self.store.save_calls(self.day, result.calls)

    def take(self, hhmm: str, service: str) -> str:
        with self.store.transaction():
            result = self.engine.take(service, False, self.at(hhmm))
            self._persist(result)
        return result.ticket.number

    def op(self, hhmm: str, counter: str, op: str, **args) -> str | None:
        """One counter command, logged like ``ticketd.service`` logs it; the ticket it concerned."""
        now = self.at(hhmm)
        with self.store.transaction():
            result = self.engine.counter_op(counter, op, dict(args), now)
            self._persist(result)
            state = self.engine.counters[counter]
            detail = args.get("reason") or args.get("outcome") or args.get("to_service") or args.get("to_counter")
            number = result.ticket.number if result.ticket else None
            self.store.log_counter_event(self.day, counter, state.officer_id or args.get("officer"), op, number,
                                         detail, now)
        return number

    def rate(self, hhmm: str, counter: str, ticket: str, level: str, reasons: tuple[str, ...] = ()) -> None:
        with self.store.transaction():
            result = self.engine.rate(counter, ticket, level, list(reasons), None, self.at(hhmm))
            self._persist(result)
            self.store.save_rating(self.day, result.rating, f"test.{ticket}")

    def close_day(self, next_day: date) -> None:
        """The daily reset: the day's tickets move to history."""
        self.engine.start_day(next_day)
        with self.store.transaction():
            self.store.archive_day(self.day, next_day, self.engine.counters.values())

    def close(self) -> None:
        self.store.close()
