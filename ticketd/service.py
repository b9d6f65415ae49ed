"""The ticket daemon: serves the contract's requests over MQTT, one batch at a time.

A single worker thread owns the broker connection, the engine and the store. It reads every
request that has arrived, applies the batch in one SQLite transaction (group commit), and only
after the commit publishes replies, events and retained state, writing them to the socket itself:
no other thread sits on a request's path. Print jobs run on printer workers and come back as
queue items, so a slow or hung printer never holds up other requests.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import orjson
from pydantic import ValidationError

from motcua import sdnotify
from motcua.bus import Incoming, PayloadError
from motcua.bus.driven import DrivenBus
from motcua.bus import models as m
from motcua.clock import Clock, business_day, iso
from motcua.config import OfficeConfig
from motcua.i18n import t
from ticketd import defs
from ticketd.committer import Committer
from ticketd.engine import Engine
from ticketd.model import EngineError, OpResult
from ticketd import payloads as p
from ticketd.payloads import dump
from ticketd.requests import MODELS, error_reply, route, sniff_id, valid_id, validation_detail
from ticketd.store import Store
from ticketd.ticket_printing import PrintResult, TicketPrinting

log = logging.getLogger("motcua.ticketd")

BATCH_MAX = 256
_COMMAND_ARGS = tuple(name for name in m.CounterCommand.model_fields if name not in ("id", "op"))
TICK_S = 1.0


@dataclass
class _PrintDone:
    request_id: str
    result: PrintResult


@dataclass
class _Waiter:
    response_topic: str | None
    correlation: bytes | None


@dataclass
class _InFlight:
    """A take whose ticket is committed and whose print job has not answered yet."""

    reply: dict  # the take (or test page) reply, ``printed`` false until the job answers
    printer: str | None
    waiters: list[_Waiter] = field(default_factory=list)
    reprint_at: datetime | None = None
    test_page: bool = False


class _Outbox:
    """What a batch publishes once it is committed."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, object, bool, bytes | None]] = []  # topic, payload, retain, correlation
        self.counters: set[str] = set()
        self.services: set[str] = set()
        self.hall = False
        self.after_commit: list[Callable[[], None]] = []
        self.events: list[tuple[int, str, str]] = []  # outbox rows written by this batch

    def reply(self, topics, request_id: str, body: str, waiters: list[_Waiter]) -> None:
        raw = body.encode("utf-8")
        self.messages.append((topics.reply(request_id), raw, False, None))
        for waiter in waiters:
            if waiter.response_topic and waiter.response_topic.startswith(topics.client_prefix()):
                self.messages.append((waiter.response_topic, raw, False, waiter.correlation))


class TicketDaemon:
    def __init__(self, cfg: OfficeConfig, data_dir: Path, broker_url: str, clock: Clock | None = None,
                 username: str | None = None, password: str | None = None) -> None:
        self.cfg = cfg
        self.clock = clock or Clock.from_env(cfg.office.timezone)
        self.store = Store(data_dir / "ticketd.sqlite3")
        self.engine = self._load_engine()
        self.bus = DrivenBus(broker_url, cfg.office.id, client_id=f"motcua-ticketd-{cfg.office.id}",
                             device_id="ticketd", kind="ticketd", clock=self.clock,
                             keepalive=cfg.broker.keepalive_s, username=username, password=password)
        self.topics = self.bus.topics
        self.kiosks = {k.id: k.printer for k in cfg.devices.kiosks}
        self.kiosks.update({b.id: b.printer for b in cfg.devices.button_boxes})
        self.printing = TicketPrinting(cfg, self._printer_status)
        self._queue: deque = deque()  # requests, print results, "publish_all"
        self._inflight: dict[str, _InFlight] = {}
        self._open_flags: dict[str, bool] = {}
        self._retained: dict[str, bytes] = {}  # state topic -> its last payload without updated_at
        self._instance = self.store.instance()
        self._outbox_seq = self.store.next_outbox_seq()
        self._unacked: dict[int, object] = {}
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._run, name="ticketd-worker", daemon=True)
        self._committer = Committer(self.store.commit)

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> "TicketDaemon":
        for topic in (self.topics.take(), self.topics.counter_cmd(), self.topics.counter_rating(),
                      self.topics.ticket_query(), self.topics.reprint(), self.topics.test_page()):
            self.bus.subscribe(topic, self._queue.append)
        self.bus.on_connect(lambda: self._queue.append("publish_all"))
        self.bus.start()
        self.printing.start()
        self._worker.start()
        return self

    def stop(self) -> None:
        """Finish the batch in hand, say offline, stop printers, close the database."""
        self._stop.set()
        self.bus.wake()
        self._worker.join(timeout=10)
        self._committer.stop()
        self.printing.stop()
        self.store.close()

    def _post(self, item) -> None:
        """Queue an item from another thread (a printer worker)."""
        self._queue.append(item)
        self.bus.wake()

    def wait(self) -> None:
        self._stop.wait()

    def _load_engine(self) -> Engine:
        now = self.clock.now()
        today = business_day(now, self.cfg.reset.time)
        stored = self.store.day()
        engine = Engine(defs.service_defs(self.cfg), defs.counter_defs(self.cfg), defs.officer_defs(self.cfg),
                        defs.policy(self.cfg), stored or today,
                        tickets=self.store.load_tickets(stored) if stored else (),
                        counter_states=[c for c in self.store.load_counters() if c.id in
                                        {k.id for k in self.cfg.counters}],
                        recent_calls=self.store.load_recent_calls(stored) if stored else ())
        if stored is None:
            with self.store.transaction():
                self.store.set_day(today)
                self.store.save_counters(engine.counters.values())
        elif stored != today:
            self._roll_day(engine, today)
        return engine

    def _roll_day(self, engine: Engine, today) -> None:
        old_day = engine.day
        engine.start_day(today)
        with self.store.transaction():
            self.store.archive_day(old_day, today, engine.counters.values())
        log.info("daily reset: %s archived, now %s", old_day, today)

    # ---- the worker -----------------------------------------------------------------------
    def _run(self) -> None:
        next_tick = time.monotonic()
        while not self._stop.is_set():
            self._pump(0.0 if self._queue else max(0.0, next_tick - time.monotonic()))
            batch = [self._queue.popleft() for _ in range(min(len(self._queue), BATCH_MAX))]
            if time.monotonic() >= next_tick:  # also under a steady load
                batch.append("tick")
                next_tick = time.monotonic() + TICK_S
                sdnotify.watchdog()
            if batch:
                try:
                    self._process(batch)
                except Exception:
                    log.exception("batch processing failed")
        if self._queue:  # what arrived with the stop: answer it rather than make clients retry
            self._process(list(self._queue))
        self.bus.stop()

    def _process(self, batch: list) -> None:
        """Apply a batch in one transaction; render the retained states while the commit syncs
        to disk (see ``_commit_rendering``); publish once durable."""
        out = _Outbox()
        reload = False
        try:
            self.store.begin()
            for item in batch:
                try:
                    with self.store.item():
                        self._dispatch(item, out)
                except Exception:
                    log.exception("request failed; its changes are undone")
                    reload = True
                    if isinstance(item, Incoming):
                        self._internal_error(item, out)
        except Exception:
            self._batch_failed(batch)
            return
        try:
            states = self._commit_rendering(out, overlap=len(batch) > 1, render=not reload)
        except Exception:
            self._batch_failed(batch)
            return
        if states is None:  # a request failed (its savepoint was undone): start from the database
            self.engine = self._load_engine()
            self._mark_everything(out)
            states = self._render_states(out)
        self._publish(out, states)
        for action in out.after_commit:
            action()

    def _commit_rendering(self, out: _Outbox, overlap: bool, render: bool) -> list[tuple[str, bytes]] | None:
        """Commit, and render the batch's states (None when not rendered). With ``overlap`` the
        commit runs in the committer thread meanwhile, and what arrives is read; a lone request
        commits here (a hand-off between threads would cost it more than it saves)."""
        if overlap:
            self.store.flush()  # here: executed in the committer thread, it would wait on the GIL
            self._committer.begin()
        else:
            self.store.commit()
        states = None
        if render:
            try:
                states = self._render_states(out)
            except Exception:
                log.exception("rendering the states failed")
                self._retained.clear()  # partly rendered, never sent
        if overlap:
            self._pump(0.0)
            self._committer.wait()
        return states

    def _batch_failed(self, batch: list) -> None:
        """The batch could not be committed: undo it, reload the state, answer ``internal``."""
        log.exception("commit failed; reloading state from the database")
        self.store.rollback()
        self._retained.clear()  # states rendered for this batch were never sent
        self.engine = self._load_engine()
        out = _Outbox()
        for item in batch:
            if isinstance(item, Incoming):
                self._internal_error(item, out)
        self._publish(out, [])

    def _pump(self, timeout: float) -> None:
        try:
            self.bus.pump(timeout)
        except Exception:
            log.exception("broker connection failed")
            time.sleep(0.1)

    def _dispatch(self, item, out: _Outbox) -> None:
        if isinstance(item, Incoming):
            self._handle_request(item, out)
        elif isinstance(item, _PrintDone):
            self._finish_print(item, out)
        elif item == "tick":
            self._tick(out)
        elif item == "publish_all":  # (re)connected: the broker may have lost its retained states
            self._retained.clear()
            self._mark_everything(out)
            out.after_commit.append(lambda: self._flush_outbox(resend=True))

    def _internal_error(self, msg: Incoming, out: _Outbox) -> None:
        request_id = sniff_id(msg.raw)
        if request_id:
            out.reply(self.topics, request_id, error_reply(request_id, "internal"),
                      [_Waiter(msg.response_topic, msg.correlation_data)])

    # ---- requests -------------------------------------------------------------------------
    def _handle_request(self, msg: Incoming, out: _Outbox) -> None:
        where = route(self.topics, msg.topic)
        if where is None:
            return
        waiter = [_Waiter(msg.response_topic, msg.correlation_data)]
        try:
            data = msg.json()
        except PayloadError as exc:
            request_id = sniff_id(msg.raw)
            log.warning("refused a payload on %s: %s", msg.topic, exc)
            if request_id:
                out.reply(self.topics, request_id,
                          error_reply(request_id, "bad_request", "errors.bad_payload", detail=str(exc)), waiter)
            return
        request_id = valid_id(data.get("id"))
        if request_id is None:
            log.warning("refused a request on %s without a valid id", msg.topic)
            return
        known, stored_reply, ticket_number = self.store.reply_for(request_id)
        if known and self._repeat(request_id, stored_reply, ticket_number, waiter, out):
            return
        now = self.clock.now()
        try:
            request = MODELS[where.kind].model_validate(data)
            body, ticket_number, pending = getattr(self, f"_do_{where.kind}")(request, where.target, now, out)
        except ValidationError as exc:
            body, ticket_number, pending = error_reply(request_id, "bad_request", detail=validation_detail(exc)), None, None
            log.warning("bad request %s on %s: %s", request_id, msg.topic, validation_detail(exc))
        except EngineError as exc:
            body, ticket_number, pending = error_reply(request_id, exc.code, exc.message_key, **exc.params), None, None
        if pending is not None:
            self.store.remember_request(request_id, msg.topic, None, ticket_number, now)
            pending.waiters.extend(waiter)
            self._inflight[request_id] = pending
            out.after_commit.append(lambda: self._start_print(request_id, pending))
            return
        self.store.remember_request(request_id, msg.topic, body, ticket_number, now)
        out.reply(self.topics, request_id, body, waiter)

    def _repeat(self, request_id: str, stored_reply: str | None, ticket_number: str | None,
                waiter: list[_Waiter], out: _Outbox) -> bool:
        """A request id seen before: the same reply again, or wait for its print to answer.
        False when it is to be handled afresh (a test page cut short by a crash)."""
        if stored_reply is not None:
            out.reply(self.topics, request_id, stored_reply, waiter)
        elif request_id in self._inflight:
            self._inflight[request_id].waiters.extend(waiter)
        elif ticket_number is None:
            return False
        else:  # committed before a crash, print outcome unknown: print it again
            ticket = self.engine.get_ticket(ticket_number)
            pending = self._take_pending(request_id, ticket)
            pending.waiters.extend(waiter)
            self._inflight[request_id] = pending
            out.after_commit.append(lambda: self._start_print(request_id, pending))
        return True

    def _do_take(self, req: m.TakeRequest, kiosk: str, now: datetime, out: _Outbox):
        if kiosk not in self.kiosks:
            raise EngineError("unknown_device")
        result = self.engine.take(req.service, req.priority, now)
        self._persist(result, out, now, "take")
        ticket = result.ticket
        printer = self.kiosks[kiosk]
        if req.print and printer:
            pending = self._take_pending(req.id, ticket, printer)
            return None, ticket.number, pending
        return dump(p.take_reply(req.id, p.ticket_obj(self.engine, ticket), None)), ticket.number, None

    def _take_pending(self, request_id: str, ticket, printer: str | None = None) -> _InFlight:
        if printer is None:
            printer = self.kiosks.get(self._kiosk_of(request_id)) or next(iter(self.printing.printers), None)
        return _InFlight(reply=p.take_reply(request_id, p.ticket_obj(self.engine, ticket), printer), printer=printer)

    def _kiosk_of(self, request_id: str) -> str | None:
        topic = self.store.request_topic(request_id)
        parts = self.topics.parts(topic) if topic else []
        return parts[1] if len(parts) == 3 and parts[0] == "kiosk" else None

    def _do_cmd(self, req: m.CounterCommand, counter: str, now: datetime, out: _Outbox):
        args = {name: value for name in _COMMAND_ARGS if (value := getattr(req, name)) is not None}
        result = self.engine.counter_op(counter, req.op, args, now)
        self._persist(result, out, now, req.op)
        state = self.engine.counters[counter]
        detail = req.reason or req.outcome or req.to_service or req.to_counter
        self.store.log_counter_event(self.engine.day, counter, state.officer_id or req.officer, req.op,
                                     result.ticket.number if result.ticket else None, detail, now)
        reply = p.counter_reply(req.id, p.counter_state_msg(self.engine, state, now),
                                p.ticket_obj(self.engine, result.ticket) if result.ticket else None)
        return dump(reply), result.ticket.number if result.ticket else None, None

    def _do_rating(self, req: m.RatingSubmit, counter: str, now: datetime, out: _Outbox):
        reasons = [r.strip() for r in req.reasons if r.strip()]
        result = self.engine.rate(counter, req.ticket.strip().upper(), req.level, reasons, req.comment, now)
        self._persist(result, out, now, "rating")
        self.store.save_rating(self.engine.day, result.rating, req.id)
        ticket = self.engine.get_ticket(result.rating.ticket)
        self._event(out, self.topics.rating_event(), lambda event_id: p.rating_event(
            self.cfg.office.id, self.engine.day.isoformat(), event_id, self.engine, result.rating, ticket.dossier))
        return dump(p.rating_reply(req.id, p.rating_obj(self.engine, result.rating))), result.rating.ticket, None

    def _do_query(self, req: m.TicketQuery, _target, now: datetime, out: _Outbox):
        ticket = self.engine.get_ticket(req.number.strip().upper())
        return dump(p.ticket_reply(req.id, p.ticket_obj(self.engine, ticket))), ticket.number, None

    def _do_reprint(self, req: m.ReprintRequest, _target, now: datetime, out: _Outbox):
        ticket = self.engine.get_ticket(req.number.strip().upper())
        printer = req.printer or next(iter(self.printing.printers), None)
        if printer not in self.printing.printers:
            raise EngineError("unknown_device")
        pending = self._take_pending(req.id, ticket, printer)
        pending.reprint_at = now
        return None, ticket.number, pending

    def _do_test_page(self, req: m.TestPageRequest, _target, now: datetime, out: _Outbox):
        if req.printer not in self.printing.printers:
            raise EngineError("unknown_device")
        return None, None, _InFlight(reply=p.printer_test_reply(req.id, req.printer), printer=req.printer, test_page=True)

    # ---- printing -------------------------------------------------------------------------
    def _start_print(self, request_id: str, pending: _InFlight) -> None:
        if pending.test_page:
            future: Future = self.printing.print_test_page(pending.printer)
        else:
            future = self.printing.print_ticket(pending.printer, pending.reply["ticket"], pending.reprint_at)
        future.add_done_callback(lambda f: self._post(_PrintDone(request_id, f.result())))

    def _finish_print(self, done: _PrintDone, out: _Outbox) -> None:
        pending = self._inflight.pop(done.request_id, None)
        if pending is None:
            return
        reply = dict(pending.reply, printed=done.result.printed)
        if pending.test_page:
            state, detail = self.printing.status_of(pending.printer)
            reply["status"] = {"state": state, "detail": detail}
        if not done.result.printed:
            code = done.result.error_code
            reply["print_error"] = {"code": code, "message": t(f"printing.error_{code}")}
        body = dump(reply)
        self.store.set_reply(done.request_id, body)
        out.reply(self.topics, done.request_id, body, pending.waiters)

    def _printer_status(self, device_id: str, state: str, detail: str | None) -> None:
        self.bus.set_status(state, detail, device_id=device_id, kind="printer")

    # ---- state ----------------------------------------------------------------------------
    def _persist(self, result: OpResult, out: _Outbox, now: datetime, op: str) -> None:
        day = self.engine.day
        if result.touched_tickets:
            self.store.save_tickets(day, result.touched_tickets)
        for ticket in result.touched_tickets:
            self._event(out, self.topics.ticket_event(), lambda event_id, ticket=ticket: p.ticket_event(
                self.cfg.office.id, day.isoformat(), event_id, op, ticket, now))
        if result.touched_counters:
            self.store.save_counters(result.touched_counters)
        if result.calls:
            self.store.save_calls(day, result.calls)
        for call in result.calls:
            out.messages.append((self.topics.call(), orjson.dumps(p.call_event(self.engine, call)), False, None))
        if result.rate_request:
            out.messages.append((self.topics.rate_request(result.rate_request.counter),
                                 orjson.dumps(p.rate_request_event(self.engine, result.rate_request)), False, None))
        out.services |= result.touched_services | {t.service for t in result.touched_tickets}
        for counter in result.touched_counters:
            out.counters.add(counter.id)
            if op in ("open", "close"):  # open counters share a service's wait: its estimate changes
                out.services |= set(self.engine.counter_defs[counter.id].services)
        out.hall = out.hall or bool(result.touched_tickets or result.touched_counters or result.calls)

    def _event(self, out: _Outbox, topic: str, build: Callable[[str], dict]) -> None:
        """Write the event ``build(event_id)`` to the outbox (same transaction); it is published
        after the commit."""
        seq = self._outbox_seq
        self._outbox_seq += 1
        body = dump(build(f"{self._instance}-{seq}"))
        self.store.add_outbox(seq, topic, body)
        out.events.append((seq, topic, body))

    def _flush_outbox(self, resend: bool) -> None:
        """Forget events the broker has acknowledged; with ``resend``, publish the others again."""
        acked = [seq for seq, info in self._unacked.items() if info.is_published()]
        if acked:
            with self.store.transaction():
                self.store.drop_outbox(acked)
            for seq in acked:
                del self._unacked[seq]
        if resend:
            for seq, topic, body in self.store.pending_outbox():
                self._unacked[seq] = self.bus.publish(topic, body.encode("utf-8"))

    def _mark_everything(self, out: _Outbox) -> None:
        out.counters |= set(self.engine.counters)
        out.services |= set(self.engine.services)
        out.hall = True

    def _tick(self, out: _Outbox) -> None:
        out.after_commit.append(lambda: self._flush_outbox(resend=False))
        now = self.clock.now()
        today = business_day(now, self.cfg.reset.time)
        if today != self.engine.day:
            self._roll_day(self.engine, today)
            self._inflight.clear()
            self._mark_everything(out)
        for code in self.engine.services:
            is_open = self.engine.is_open(code, now)
            if self._open_flags.get(code) != is_open:
                out.services.add(code)

    def _render_states(self, out: _Outbox) -> list[tuple[str, bytes]]:
        """The retained states this batch changed, as (topic, payload); a state equal to the last
        one sent but for ``updated_at`` is left out."""
        now = self.clock.now()
        stamp = f'"updated_at":"{iso(now)}"'.encode()
        states = [(self.topics.counter_state(c), p.counter_state_msg(self.engine, self.engine.counters[c], now))
                  for c in sorted(out.counters)]
        for code in sorted(out.services):
            state = p.service_state_msg(self.engine, code, now)
            self._open_flags[code] = state["open"]
            states.append((self.topics.service_state(code), state))
        if out.hall:
            states.append((self.topics.hall(), p.hall_msg(self.engine, now)))
        rendered = []
        for topic, state in states:
            body = orjson.dumps(state)
            content = body.replace(stamp, b"", 1)
            if self._retained.get(topic) != content:
                self._retained[topic] = content
                rendered.append((topic, body))
        return rendered

    def _publish(self, out: _Outbox, states: list[tuple[str, bytes]]) -> None:
        for topic, payload, retain, correlation in out.messages:
            self.bus.publish(topic, payload, 1, retain, correlation)
        for seq, topic, body in out.events:
            self._unacked[seq] = self.bus.publish(topic, body.encode("utf-8"))
        for topic, body in states:
            self.bus.publish(topic, body, 1, True)
