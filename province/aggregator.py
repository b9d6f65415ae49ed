"""The aggregator: every office's bridged topics in, batched PostgreSQL transactions out.

Plain MQTT 5 (paho), nothing broker-specific: a persistent session (clean start off, a session
expiry) so the provincial broker keeps queueing while the aggregator restarts, QoS 1
subscriptions, and manual acknowledgement: a message is acknowledged only after the batch that
holds it is committed, so a crash loses nothing (the broker sends it again and the database's
``ON CONFLICT DO NOTHING`` on the event id drops the copy).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from motcua.bus.client import set_nodelay
from motcua.bus.url import BrokerURL
from motcua.clock import Clock
from province.ingest import SUBSCRIPTIONS, Batch, Rejected
from province.store import Store, Written

log = logging.getLogger("province.aggregator")


@dataclass(frozen=True)
class _Received:
    generation: int
    mid: int
    qos: int
    topic: str
    payload: bytes
    at: datetime


@dataclass
class Counters:
    """Running totals, for logs and the benchmark."""

    received: int = 0
    written: int = 0
    rejected: int = 0
    new_events: int = 0
    new_ratings: int = 0
    batches: int = 0
    db_errors: int = 0
    last_batch: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class Aggregator:
    def __init__(self, broker_url: str, dsn: str, client_id: str = "motcua-province",
                 on_written: Callable[[Written], None] | None = None, max_batch: int = 5000,
                 session_expiry_s: int = 7 * 24 * 3600, receive_maximum: int = 20000, keepalive: int = 30,
                 username: str | None = None, password: str | None = None, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self.broker = BrokerURL.parse(broker_url)
        self.store = Store(dsn)
        self.on_written = on_written
        self.max_batch = max_batch
        self.counters = Counters()
        self.connected = threading.Event()
        self._inbox: queue.Queue[_Received] = queue.Queue()
        self._generation = 0
        self._stop = threading.Event()
        self._writer: threading.Thread | None = None
        self._keepalive = keepalive
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5,
                                   manual_ack=True)
        user, secret = username or self.broker.username, password or self.broker.password
        if user:
            self._client.username_pw_set(user, secret)
        if self.broker.tls:
            self._client.tls_set()
        self._client.reconnect_delay_set(min_delay=1, max_delay=5)
        self._client.on_socket_open = set_nodelay
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message
        self._connect_props = Properties(PacketTypes.CONNECT)
        self._connect_props.SessionExpiryInterval = session_expiry_s
        self._connect_props.ReceiveMaximum = receive_maximum

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> "Aggregator":
        """Open the database (applying migrations), then connect to the broker in the background."""
        self.store.connect()
        self._writer = threading.Thread(target=self._write_loop, name="province-writer", daemon=True)
        self._writer.start()
        self._client.connect_async(self.broker.host, self.broker.port, self._keepalive, clean_start=False,
                                   properties=self._connect_props)
        self._client.loop_start()
        return self

    def stop(self) -> None:
        """Disconnect, then write what was received (unacknowledged: the broker resends it next
        time and the duplicate is dropped)."""
        self.connected.clear()
        self._client.disconnect()
        self._client.loop_stop()
        self._stop.set()
        if self._writer:
            self._writer.join(timeout=30)
        self.store.close()

    def backlog(self) -> int:
        return self._inbox.qsize()

    # ---- MQTT callbacks (network thread) ----------------------------------------------------
    def _on_connect(self, client, _userdata, flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.error("broker %s refused the connection: %s", self.broker.masked(), reason_code)
            return
        self._generation += 1
        client.subscribe([(topic, 1) for topic in SUBSCRIPTIONS])
        log.info("connected to %s (session present: %s)", self.broker.masked(), flags.session_present)

    def _on_subscribe(self, _client, _userdata, _mid, reason_codes, _properties) -> None:
        """``connected`` means subscribed: from now on the broker routes every office's messages here."""
        refused = [code for code in reason_codes if code.is_failure]
        if refused:
            log.error("broker refused subscriptions: %s (check the aggregator's ACL)", refused)
        self.connected.set()

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        if self.connected.is_set():
            log.warning("disconnected from %s (%s); reconnecting", self.broker.masked(), reason_code)
        self.connected.clear()

    def _on_message(self, _client, _userdata, msg: mqtt.MQTTMessage) -> None:
        self._inbox.put(_Received(self._generation, msg.mid, msg.qos, msg.topic, msg.payload, self.clock.now()))

    # ---- writer thread --------------------------------------------------------------------
    def _next_batch(self) -> list[_Received]:
        try:
            first = self._inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        items = [first]
        while len(items) < self.max_batch:
            try:
                items.append(self._inbox.get_nowait())
            except queue.Empty:
                break
        return items

    def _write_loop(self) -> None:
        next_report = time.monotonic() + 60
        while True:
            if time.monotonic() >= next_report:
                next_report = time.monotonic() + 60
                c = self.counters
                log.info("received %d, written %d, rejected %d, new events %d, new ratings %d, backlog %d",
                         c.received, c.written, c.rejected, c.new_events, c.new_ratings, self.backlog())
            items = self._next_batch()
            if not items:
                if self._stop.is_set():
                    return
                continue
            written = self._write(items)
            if written is None:  # stopping while the database is down: the broker will resend these
                continue
            for item in items:
                if item.qos and item.generation == self._generation:
                    self._client.ack(item.mid, item.qos)
            with self.counters.lock:
                self.counters.received += len(items)
                self.counters.batches += 1
                self.counters.last_batch = len(items)
                self.counters.written += len(items)
                self.counters.new_events += written.ticket_events
                self.counters.new_ratings += written.ratings
            if self.on_written:
                self.on_written(written)

    def _parse(self, items: list[_Received]) -> Batch:
        batch = Batch()
        for item in items:
            try:
                batch.add(item.topic, item.payload, item.at)
            except Rejected as exc:
                with self.counters.lock:
                    self.counters.rejected += 1
                log.warning("dropped a message: %s", exc)
        return batch

    def _write(self, items: list[_Received]) -> Written | None:
        """Write ``items`` (None: not written, do not acknowledge). Retries while the database is
        unreachable; a message the database refuses is dropped alone, not with its batch."""
        delay = 1.0
        while True:
            try:
                return self.store.write(self._parse(items))
            except psycopg.OperationalError as exc:
                with self.counters.lock:
                    self.counters.db_errors += 1
                if self._stop.is_set():
                    return None
                log.error("database unavailable (%s); retrying in %.0f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 30.0)
                try:
                    self.store.connect()
                except psycopg.OperationalError:
                    continue
            except psycopg.Error as exc:
                if len(items) == 1:
                    log.error("dropped a message the database refuses (%s): %s", items[0].topic, exc)
                    with self.counters.lock:
                        self.counters.rejected += 1
                    return Written(0, 0, frozenset())
                log.warning("batch refused (%s); writing its messages one by one", exc)
                offices: set[str] = set()
                events = ratings = 0
                for item in items:
                    written = self._write([item])
                    if written is None:
                        return None
                    offices |= written.offices
                    events += written.ticket_events
                    ratings += written.ratings
                return Written(events, ratings, frozenset(offices))
