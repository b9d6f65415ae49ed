"""A broker connection driven by one thread of its owner: ticketd's worker reads requests,
handles a batch and writes every reply, event and state of that batch to the socket in one go,
with no other thread on the request's path (paho's network thread costs a hand-off per message
and ~150 µs of CPU per acknowledged publish; this costs a few µs).

Same conventions as ``BusClient``: reconnect with backoff, last will, retained device status,
QoS 1 publishes tracked until acknowledged and sent again after a reconnect.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import ssl
import threading
import time
from collections import deque
from typing import Any, Callable

from paho.mqtt.client import topic_matches_sub

from motcua.bus import wire
from motcua.bus.client import Handler, Incoming, encode, run_hooks, status_payload
from motcua.bus.topics import Topics
from motcua.bus.url import BrokerURL
from motcua.clock import Clock

log = logging.getLogger("motcua.bus")

RECONNECT_MIN_S, RECONNECT_MAX_S = 1.0, 2.0
CONNECT_TIMEOUT_S = 5.0
MAX_PACKET = 8 * 1024 * 1024  # told to the broker: bigger messages are not delivered to us
OFFLINE_QUEUE = 100_000  # messages kept while the broker is away; the oldest go first
READ_CHUNK = 256 * 1024
ROUTE_CACHE = 4096


class Delivery:
    """A message to send; what ``publish`` returns: ``is_published()`` once the broker has it."""

    __slots__ = ("topic", "body", "qos", "retain", "correlation", "done")

    def __init__(self, topic: str, body: bytes, qos: int, retain: bool, correlation: bytes | None) -> None:
        self.topic, self.body, self.qos, self.retain, self.correlation = topic, body, qos, retain, correlation
        self.done = False

    def is_published(self) -> bool:
        return self.done


class DrivenBus:
    """One MQTT 5 connection owned by the thread that calls ``pump()``.

    Other threads may call ``publish``/``set_status``: the call is handed to the driving thread.
    Handlers run inside ``pump()``. Writes are buffered and sent when ``pump()`` next runs.
    """

    def __init__(self, url: str, office: str, client_id: str, device_id: str, kind: str,
                 clock: Clock | None = None, keepalive: int = 30, username: str | None = None,
                 password: str | None = None) -> None:
        self.broker = BrokerURL.parse(url)
        self.topics = Topics(office)
        self.client_id = client_id
        self.device_id, self.kind = device_id, kind
        self.clock = clock or Clock()
        self.keepalive = keepalive
        self.connected = threading.Event()
        self._username = username or self.broker.username
        self._password = password or self.broker.password
        self._handlers: list[tuple[str, int, Handler]] = []
        self._routes: dict[str, list[Handler]] = {}  # topic -> matching handlers
        self._on_connect_hooks: list[Callable[[], None]] = []
        self._status: tuple[str, str | None] = ("online", None)
        self._sock: socket.socket | None = None
        self._up = False  # CONNACK received
        self._decoder = wire.Decoder(MAX_PACKET)
        self._out = bytearray()
        self._inflight: dict[int, Delivery] = {}
        self._waiting: deque[Delivery] = deque()  # QoS 1 over the broker's receive maximum, or offline
        self._receive_max = 65535
        self._next_id = 0
        self._last_out = self._last_in = self._connect_started = 0.0
        self._ping_at: float | None = None
        self._next_connect = 0.0
        self._delay = RECONNECT_MIN_S
        self._failures = 0  # connection attempts failed since the last success
        self._driver: int | None = None
        self._foreign: deque[Callable[[], Any]] = deque()
        self._wake_r, self._wake_w = socket.socketpair()
        for end in (self._wake_r, self._wake_w):
            end.setblocking(False)

    # ---- owner's API ----------------------------------------------------------------------
    def subscribe(self, topic_filter: str, handler: Handler, qos: int = 1) -> None:
        """Call ``handler`` (in the driving thread) for every message on ``topic_filter``."""
        self._call(lambda: self._subscribe(topic_filter, handler, qos))

    def on_connect(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` (in the driving thread) after every successful (re)connect."""
        self._on_connect_hooks.append(hook)

    def start(self) -> "DrivenBus":
        """From now on calls from other threads wait for the driving thread's first ``pump()``."""
        self._driver = -1
        return self

    def publish(self, topic: str, payload: Any, qos: int = 1, retain: bool = False,
                correlation: bytes | None = None) -> Delivery | None:
        """Queue a message; from another thread it is handed over and None is returned."""
        message = Delivery(topic, encode(payload), qos, retain, correlation)
        if self._driver is None or self._driver == threading.get_ident():
            return self._publish(message)
        return self._call(lambda: self._publish(message))

    def set_status(self, state: str, detail: str | None = None, device_id: str | None = None,
                   kind: str | None = None) -> None:
        """Publish a retained device status (this connection's own device unless ``device_id``)."""
        if device_id is None or device_id == self.device_id:
            self._status = (state, detail)
        self.publish(self.topics.device_status(device_id or self.device_id),
                     status_payload(device_id or self.device_id, kind or self.kind, state, detail, self.clock),
                     1, True)

    def wake(self) -> None:
        """Make ``pump()`` return now (safe from any thread)."""
        try:
            self._wake_w.send(b"\0")
        except OSError:
            pass

    def pump(self, timeout: float) -> None:
        """One turn: (re)connect when due, send what is queued, wait up to ``timeout`` s for
        traffic or ``wake()``, and read and handle what arrived. What that queues (acknowledgements,
        publishes of the handlers) goes out with the next turn's send: one send for a batch's
        acknowledgements and replies (a send costs tens of µs on a virtual machine)."""
        self._driver = threading.get_ident()
        self._run_foreign()
        now = time.monotonic()
        if self._sock is None and now >= self._next_connect:
            self._connect()
        self._keep_alive(now)
        self._flush()
        if timeout <= 0 and self._sock is not None and not self._out:
            self._read()  # the socket does not block: no select() needed for a look
            self._run_foreign()
            return
        readers = [self._wake_r]
        writers = []
        if self._sock is not None:
            readers.append(self._sock)
            if self._out:
                writers.append(self._sock)
            if self._tls_pending():
                timeout = 0.0
            timeout = min(timeout, self._next_deadline() - now)
        else:
            timeout = min(timeout, self._next_connect - now)
        readable, _w, _x = select.select(readers, writers, [], max(0.0, timeout))
        if self._wake_r in readable:
            try:
                self._wake_r.recv(4096)
            except BlockingIOError:
                pass
        if self._sock is not None and (self._sock in readable or self._tls_pending()):
            self._read()
        self._run_foreign()

    def _tls_pending(self) -> bool:
        """Bytes already decrypted by TLS, which select() cannot see."""
        return isinstance(self._sock, ssl.SSLSocket) and self._sock.pending() > 0

    def stop(self, status: str = "offline") -> None:
        """Say ``status``, wait (≤ 2 s) for the broker to take it, disconnect cleanly. Call it from
        the driving thread, or once that thread has finished."""
        self._driver = threading.get_ident()
        self._run_foreign()
        if self._up:
            delivery = self.publish(self.topics.device_status(self.device_id),
                                    status_payload(self.device_id, self.kind, status, None, self.clock), 1, True)
            deadline = time.monotonic() + 2.0
            while self._up and not delivery.is_published() and time.monotonic() < deadline:
                self.pump(0.05)
            self._out += wire.DISCONNECT_PACKET
            self._flush()
        self._close()
        self._driver = None
        for end in (self._wake_r, self._wake_w):
            end.close()

    # ---- internals ------------------------------------------------------------------------
    def _call(self, call: Callable[[], Any]) -> Any:
        if self._driver is None or self._driver == threading.get_ident():
            return call()
        self._foreign.append(call)
        self.wake()
        return None

    def _run_foreign(self) -> None:
        while self._foreign:
            self._foreign.popleft()()

    def _subscribe(self, topic_filter: str, handler: Handler, qos: int) -> None:
        self._handlers.append((topic_filter, qos, handler))
        self._routes.clear()
        if self._up:
            self._out += wire.subscribe(self._packet_id(), [(topic_filter, qos)])

    def _publish(self, message: Delivery) -> Delivery:
        if message.qos == 0:
            if self._up:
                self._out += wire.publish(message.topic, message.body, 0, message.retain,
                                          correlation=message.correlation)
            message.done = self._up
        elif self._up and not self._waiting and len(self._inflight) < self._receive_max:
            self._send(message)
        else:
            if len(self._waiting) >= OFFLINE_QUEUE:
                dropped = self._waiting.popleft()
                log.warning("broker away too long: dropped a queued message to %s", dropped.topic)
            self._waiting.append(message)
        return message

    def _send(self, message: Delivery) -> None:
        packet_id = self._packet_id()
        self._inflight[packet_id] = message
        self._out += wire.publish(message.topic, message.body, 1, message.retain, packet_id, message.correlation)

    def _packet_id(self) -> int:
        for _ in range(65535):
            self._next_id = self._next_id % 65535 + 1
            if self._next_id not in self._inflight:
                return self._next_id
        raise RuntimeError("no free MQTT packet id")

    def _connect(self) -> None:
        host, port = self.broker.host, self.broker.port
        try:
            sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.broker.tls:
                context = ssl.create_default_context(cafile=os.environ.get("MOTCUA_MQTT_CA") or None)
                sock = context.wrap_socket(sock, server_hostname=host)
            will = (self.topics.device_status(self.device_id),
                    status_payload(self.device_id, self.kind, "offline", None, self.clock), 1, True)
            sock.sendall(wire.connect(self.client_id, self.keepalive, self._username, self._password, will,
                                      MAX_PACKET))
            sock.setblocking(False)
        except OSError as exc:
            self._retry_later(f"broker {self.broker.masked()} not reachable ({exc})")
            return
        self._sock = sock
        self._decoder = wire.Decoder(MAX_PACKET)
        self._out.clear()
        self._connect_started = self._last_in = self._last_out = time.monotonic()
        self._ping_at = None

    def _retry_later(self, why: str) -> None:
        self._failures += 1
        if self._failures % 30 == 1:  # the first failure of an outage, then about once a minute
            log.warning("%s; retrying every %.0f s", why, RECONNECT_MAX_S)
        self._next_connect = time.monotonic() + self._delay
        self._delay = min(RECONNECT_MAX_S, self._delay * 2)

    def _lost(self, why: str) -> None:
        """The connection is gone: keep unacknowledged messages to send again, reconnect later."""
        self._close()
        self._waiting.extendleft(reversed([self._inflight[k] for k in sorted(self._inflight)]))
        self._inflight.clear()
        self._retry_later(f"disconnected from broker {self.broker.masked()} ({why})")

    def _close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None
        self._up = False
        self.connected.clear()
        self._out.clear()

    def _next_deadline(self) -> float:
        if not self._up:
            return self._connect_started + CONNECT_TIMEOUT_S * 2
        if self._ping_at is not None:
            return self._ping_at + self.keepalive
        return self._last_out + self.keepalive

    def _keep_alive(self, now: float) -> None:
        if self._sock is None:
            return
        if not self._up:
            if now - self._connect_started > CONNECT_TIMEOUT_S * 2:
                self._lost("no CONNACK")
            return
        if self._ping_at is not None and now - self._ping_at > self.keepalive:
            self._lost("no answer to PINGREQ")
        elif self._ping_at is None and now - self._last_out >= self.keepalive:
            self._out += wire.PINGREQ_PACKET
            self._ping_at = now

    def _flush(self) -> None:
        while self._out and self._sock is not None:
            try:
                sent = self._sock.send(self._out)
            except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                return
            except OSError as exc:
                self._lost(str(exc))
                return
            del self._out[:sent]
            self._last_out = time.monotonic()

    def _read(self) -> None:
        while self._sock is not None:
            try:
                data = self._sock.recv(READ_CHUNK)
            except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return
            except OSError as exc:
                self._lost(str(exc))
                return
            if not data:
                self._lost("closed by the broker")
                return
            self._last_in = time.monotonic()
            try:
                for packet in self._decoder.feed(data):
                    self._handle(packet)
                    if self._sock is None:
                        return
            except wire.ProtocolError as exc:
                log.error("protocol error from the broker: %s", exc)
                self._lost(str(exc))
                return
            if len(data) < READ_CHUNK:
                return

    def _handle(self, packet: wire.Packet) -> None:
        kind = packet.kind
        if kind == wire.PUBACK:
            packet_id, reason = wire.parse_ack(packet)
            message = self._inflight.pop(packet_id, None)
            if message is not None:
                message.done = True
                if reason >= 0x80:
                    log.error("broker refused a message to %s (reason 0x%02x): check the ACL", message.topic, reason)
                if self._waiting:
                    self._send(self._waiting.popleft())
        elif kind == wire.PUBLISH:
            self._deliver(wire.parse_publish(packet))
        elif kind == wire.PINGRESP:
            self._ping_at = None
        elif kind == wire.CONNACK:
            self._connack(packet)
        elif kind == wire.SUBACK:
            _packet_id, reasons = wire.parse_suback(packet)
            if any(code >= 0x80 for code in reasons):
                log.error("broker refused a subscription (reasons %s): check the ACL", reasons)
        elif kind == wire.DISCONNECT:
            reason, text = wire.parse_disconnect(packet)
            self._lost(f"broker sent DISCONNECT 0x{reason:02x} {text or ''}".strip())

    def _deliver(self, message: wire.Publish) -> None:
        if message.qos == 1:
            self._out += wire.puback(message.packet_id)
        incoming = Incoming(message.topic, message.payload, message.retain, message.response_topic,
                            message.correlation)
        for handler in self._route(message.topic):
            try:
                handler(incoming)
            except Exception:  # a handler bug must not break the connection
                log.exception("handler for %s failed", message.topic)

    def _route(self, topic: str) -> list[Handler]:
        handlers = self._routes.get(topic)
        if handlers is None:
            if len(self._routes) > ROUTE_CACHE:
                self._routes.clear()
            handlers = self._routes[topic] = [h for f, _q, h in self._handlers if topic_matches_sub(f, topic)]
        return handlers

    def _connack(self, packet: wire.Packet) -> None:
        reason, props = wire.parse_connack(packet)
        if reason != 0:
            log.error("broker %s refused the connection (reason 0x%02x)", self.broker.masked(), reason)
            self._close()
            self._retry_later("connection refused")
            return
        self._up = True
        self._delay = RECONNECT_MIN_S
        self._failures = 0
        self._receive_max = int(props.get(wire.RECEIVE_MAXIMUM, 65535))
        self.keepalive = int(props.get(wire.SERVER_KEEP_ALIVE, self.keepalive)) or self.keepalive
        if self._handlers:
            self._out += wire.subscribe(self._packet_id(), [(f, q) for f, q, _h in self._handlers])
        state, detail = self._status
        self._publish(Delivery(self.topics.device_status(self.device_id),
                               status_payload(self.device_id, self.kind, state, detail, self.clock), 1, True, None))
        backlog, self._waiting = self._waiting, deque()
        for message in backlog:
            self._publish(message)
        self.connected.set()
        log.info("connected to %s as %s", self.broker.masked(), self.client_id)
        run_hooks(self._on_connect_hooks)
