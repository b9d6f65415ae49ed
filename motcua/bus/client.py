"""MQTT client for every motcua process: reconnect with backoff, last will, retained device
status, JSON handlers, and request/reply with retries under one request id."""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from motcua.bus.models import MAX_PAYLOAD
from motcua.bus.topics import Topics
from motcua.bus.url import BrokerURL
from motcua.clock import Clock, iso

log = logging.getLogger("motcua.bus")


class PayloadError(ValueError):
    """An incoming payload that is too large, not JSON, or not a JSON object."""


class RequestTimeout(TimeoutError):
    """No reply before the deadline (the request may still be applied: retry with the same id)."""


@dataclass(frozen=True)
class Incoming:
    topic: str
    raw: bytes
    retain: bool
    response_topic: str | None = None
    correlation_data: bytes | None = None

    def json(self) -> dict[str, Any]:
        if len(self.raw) > MAX_PAYLOAD:
            raise PayloadError(f"payload of {len(self.raw)} bytes is over the 64 KiB limit")
        try:
            data = orjson.loads(self.raw)
        except ValueError as exc:  # orjson's error for bad JSON and bad UTF-8 alike
            raise PayloadError(f"payload is not UTF-8 JSON: {exc}") from None
        if not isinstance(data, dict):
            raise PayloadError("payload is not a JSON object")
        return data


Handler = Callable[[Incoming], None]


@dataclass
class _Pending:
    """A request waiting for its reply."""

    topic: str
    body: bytes
    props: Properties
    deadline: float
    retry_every: float
    next_send: float = 0.0
    future: Future = field(default_factory=Future)
_ids = itertools.count(1)


def new_request_id(prefix: str) -> str:
    """A request id unique across restarts: ``{prefix}.{random}.{n}`` (fits the contract)."""
    return f"{prefix[:24]}.{uuid.uuid4().hex[:12]}.{next(_ids)}"


def set_nodelay(_client, _userdata, sock) -> None:
    """paho ``on_socket_open``: TCP_NODELAY, or a QoS 1 round trip costs ~88 ms (HARDWARE.md)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass


def json_handler(handle: Callable[[dict[str, Any]], None]) -> Handler:
    """A handler that passes on the payload's JSON object; an unreadable payload (or an empty
    retained message) is logged and dropped."""

    def handler(msg: Incoming) -> None:
        if not msg.raw:
            return
        try:
            data = msg.json()
        except PayloadError as exc:
            log.warning("ignored a payload on %s: %s", msg.topic, exc)
            return
        handle(data)

    return handler


def encode(payload: Any) -> bytes:
    """JSON bytes of a dict or a payload model (bytes pass through unchanged)."""
    if isinstance(payload, bytes):
        return payload
    if hasattr(payload, "model_dump_json"):
        return payload.model_dump_json().encode("utf-8")
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def status_payload(device: str | None, kind: str | None, state: str, detail: str | None, clock: Clock) -> bytes:
    """A ``device/{device}/status`` payload (CONTRACT.md)."""
    return encode({"device": device, "kind": kind or "unknown", "state": state, "detail": detail,
                   "updated_at": iso(clock.now())})


def run_hooks(hooks: list[Callable[[], None]]) -> None:
    """Run every on-connect hook; one that fails is logged and the others still run."""
    for hook in hooks:
        try:
            hook()
        except Exception:
            log.exception("on-connect hook failed")


class BusClient:
    """One MQTT 5 connection with the contract's conventions.

    ``device_id``/``kind`` make the client own ``device/{device_id}/status``: published retained
    on every (re)connect and set as the last will (``offline``).
    """

    def __init__(
        self,
        url: str,
        office: str,
        client_id: str,
        device_id: str | None = None,
        kind: str | None = None,
        clock: Clock | None = None,
        keepalive: int = 30,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.broker = BrokerURL.parse(url)
        self.topics = Topics(office)
        self.client_id = client_id
        self.device_id = device_id
        self.kind = kind
        self.clock = clock or Clock()
        self.keepalive = keepalive
        self.connected = threading.Event()
        self._handlers: dict[str, tuple[Handler, int]] = {}
        self._pending: dict[str, _Pending] = {}
        self._retrier: threading.Thread | None = None
        self._lock = threading.Lock()
        self._status: tuple[str, str | None] = ("online", None)
        self._on_connect_hooks: list[Callable[[], None]] = []
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        user = username or self.broker.username
        secret = password or self.broker.password
        if user:
            self._client.username_pw_set(user, secret)
        if self.broker.tls:
            self._client.tls_set(ca_certs=os.environ.get("MOTCUA_MQTT_CA") or None)
        self._client.reconnect_delay_set(min_delay=1, max_delay=2)
        self._client.on_socket_open = set_nodelay
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        if device_id:
            self._client.will_set(
                self.topics.device_status(device_id), self._status_payload("offline", None), 1, True
            )
        self._inbox = self.topics.client_inbox(client_id, user)
        self._client.message_callback_add(self._inbox, self._on_reply)

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self, wait: float | None = None) -> "BusClient":
        """Connect in the background (retrying forever); optionally wait for the first connect."""
        self._client.connect_async(self.broker.host, self.broker.port, self.keepalive)
        self._client.loop_start()
        if wait is not None and not self.connected.wait(wait):
            log.warning("broker %s not reachable yet; retrying in the background", self.broker.masked())
        return self

    def stop(self, status: str = "offline") -> None:
        """Publish the final status, then disconnect cleanly."""
        if self.device_id and self.connected.is_set():
            info = self._client.publish(
                self.topics.device_status(self.device_id), self._status_payload(status, None), 1, True
            )
            try:
                info.wait_for_publish(timeout=2)
            except (RuntimeError, ValueError):
                pass
        self.connected.clear()
        self._client.disconnect()
        self._client.loop_stop()
        self.connected.clear()

    def on_connect(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` (in the network thread) after every successful (re)connect."""
        self._on_connect_hooks.append(hook)

    # ---- publishing -----------------------------------------------------------------------
    def publish(self, topic: str, payload: Any, qos: int = 1, retain: bool = False,
                properties: Properties | None = None) -> mqtt.MQTTMessageInfo:
        return self._client.publish(topic, encode(payload), qos, retain, properties)

    def set_status(self, state: str, detail: str | None = None, device_id: str | None = None,
                   kind: str | None = None) -> None:
        """Publish a retained device status (this client's own device unless ``device_id``)."""
        if device_id is None or device_id == self.device_id:
            self._status = (state, detail)
            device_id = self.device_id
        if device_id is None:
            raise ValueError("this client owns no device status")
        self._client.publish(
            self.topics.device_status(device_id), self._status_payload(state, detail, device_id, kind), 1, True
        )

    def _status_payload(self, state: str, detail: str | None, device_id: str | None = None,
                        kind: str | None = None) -> bytes:
        return status_payload(device_id or self.device_id, kind or self.kind, state, detail, self.clock)

    # ---- subscribing ----------------------------------------------------------------------
    def subscribe(self, topic_filter: str, handler: Handler, qos: int = 1) -> None:
        """Call ``handler`` for every message on ``topic_filter``; kept across reconnects."""
        with self._lock:
            self._handlers[topic_filter] = (handler, qos)
        self._client.message_callback_add(topic_filter, self._wrap(handler))
        if self.connected.is_set():
            self._client.subscribe(topic_filter, qos)

    @staticmethod
    def _wrap(handler: Handler) -> Callable:
        def callback(_client, _userdata, msg: mqtt.MQTTMessage) -> None:
            props = getattr(msg, "properties", None)
            incoming = Incoming(
                topic=msg.topic,
                raw=msg.payload,
                retain=bool(msg.retain),
                response_topic=getattr(props, "ResponseTopic", None),
                correlation_data=getattr(props, "CorrelationData", None),
            )
            try:
                handler(incoming)
            except Exception:  # a handler bug must not kill the network thread
                log.exception("handler for %s failed", msg.topic)
        return callback

    # ---- request / reply ------------------------------------------------------------------
    def request(self, topic: str, payload: dict[str, Any], timeout: float = 10.0,
                retry_every: float = 2.0) -> dict[str, Any]:
        """Send a request and wait for its reply, re-sending with the same ``id`` until
        ``timeout``. Raises ``RequestTimeout`` (the caller may retry later with the same id)."""
        return self.request_async(topic, payload, timeout, retry_every).result()

    def request_async(self, topic: str, payload: dict[str, Any], timeout: float = 10.0,
                      retry_every: float = 2.0) -> Future:
        payload = dict(payload)
        request_id = payload.setdefault("id", new_request_id(self.client_id))
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = self._inbox
        props.CorrelationData = str(request_id).encode()
        pending = _Pending(topic, encode(payload), props, time.monotonic() + timeout, retry_every)
        with self._lock:
            self._pending[request_id] = pending
            if self._retrier is None:
                self._retrier = threading.Thread(target=self._retry_loop, daemon=True, name="bus-retry")
                self._retrier.start()
        self._send(pending)
        return pending.future

    def _send(self, pending: "_Pending") -> None:
        pending.next_send = time.monotonic() + pending.retry_every
        if self.connected.is_set():
            self._client.publish(pending.topic, pending.body, 1, False, pending.props)

    def _retry_loop(self) -> None:
        while True:
            time.sleep(0.1)
            now = time.monotonic()
            with self._lock:
                items = list(self._pending.items())
            for request_id, pending in items:
                if pending.future.done():
                    self._forget(request_id)
                elif now >= pending.deadline:
                    self._forget(request_id)
                    pending.future.set_exception(RequestTimeout(f"no reply to {request_id} on {pending.topic}"))
                elif now >= pending.next_send:
                    self._send(pending)

    def _forget(self, request_id: str) -> None:
        with self._lock:
            self._pending.pop(request_id, None)

    def _on_reply(self, _client, _userdata, msg: mqtt.MQTTMessage) -> None:
        try:
            data = Incoming(msg.topic, msg.payload, False).json()
        except PayloadError:
            log.warning("unreadable reply on %s", msg.topic)
            return
        with self._lock:
            pending = self._pending.pop(str(data.get("id")), None)
        if pending is not None and not pending.future.done():
            pending.future.set_result(data)

    # ---- paho callbacks -------------------------------------------------------------------
    def _on_connect(self, client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.error("broker %s refused the connection: %s", self.broker.masked(), reason_code)
            return
        subs = [(self._inbox, 1)]
        with self._lock:
            subs += [(f, q) for f, (_h, q) in self._handlers.items()]
        client.subscribe(subs)
        if self.device_id:
            state, detail = self._status
            client.publish(self.topics.device_status(self.device_id),
                           self._status_payload(state, detail), 1, True)
        self.connected.set()
        log.info("connected to %s as %s", self.broker.masked(), self.client_id)
        run_hooks(self._on_connect_hooks)

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        if self.connected.is_set():
            log.warning("disconnected from broker (%s); reconnecting", reason_code)
        self.connected.clear()

    @staticmethod
    def _on_message(_client, _userdata, msg: mqtt.MQTTMessage) -> None:
        log.debug("unhandled message on %s", msg.topic)


def default_client_id(name: str) -> str:
    """A client id unique on this host: ``{name}-{pid}``."""
    return f"{name}-{os.getpid()}"
