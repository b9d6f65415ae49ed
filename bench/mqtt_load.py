"""A closed-loop load of kiosks and counters on ticketd, each device its own MQTT 5 connection.

Every device sends one request at a time (QoS 1, a fresh id, its inbox as response topic) and
sends the next when the reply arrives, as a real kiosk or counter console does. All devices are
driven from one thread with the lean codec of ``motcua.bus.wire``: a paho client costs about
1 ms of CPU per request, so on a 2-core machine a paho load generator would take the CPU it is
meant to measure ticketd with. For the same reason a device writes once per turn (the
acknowledgement of a reply and its next request in one send: each send wakes the broker).
"""

from __future__ import annotations

import itertools
import selectors
import socket
import time
from dataclasses import dataclass, field

import orjson

from motcua.bus import wire
from motcua.bus.topics import Topics
from motcua.bus.url import BrokerURL

SERVICES = ["HT", "CT", "CUTRU", "DD", "DKKD"]
COUNTERS = (("1", "cb-lan"), ("2", "cb-hung"), ("3", "cb-thao"), ("4", "cb-dung"), ("5", "cb-huong"))


@dataclass
class Device:
    name: str
    sock: socket.socket
    inbox: str
    decoder: wire.Decoder = field(default_factory=lambda: wire.Decoder(1 << 20))
    script: object = None  # iterator of (topic, payload) requests
    waiting_for: str | None = None
    sent_at: float = 0.0
    ready: bool = False
    out: bytearray = field(default_factory=bytearray)  # written at the end of the turn


@dataclass
class LoadResult:
    ops: int = 0
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    issued: int = 0
    called: int = 0


class Load:
    """``kiosks`` take numbers while there are fewer than ``queue_cap`` waiting; every counter
    calls the next number and finishes it; ``run`` counts replies per second."""

    def __init__(self, url: str, office: str, kiosks: int = 3, counters=COUNTERS, queue_cap: int = 150) -> None:
        self.broker = BrokerURL.parse(url)
        self.topics = Topics(office)
        self.queue_cap = queue_cap
        self.result = LoadResult()
        self.selector = selectors.DefaultSelector()
        self.devices: list[Device] = []
        self.paused_kiosks: list[Device] = []
        self.holding = True  # between runs: replies are held, not answered with a next request
        self._ids = itertools.count(1)
        for index in range(kiosks):
            self._device(f"kiosk{index}", self._kiosk_script(index))
        for counter, officer in counters:
            self._device(f"counter{counter}", self._counter_script(counter, officer))
        self.held: list[tuple[Device, dict | None]] = [(device, None) for device in self.devices]

    # ---- scripts --------------------------------------------------------------------------
    def _kiosk_script(self, index: int):
        for n in itertools.count(index):  # each kiosk goes round every service
            yield self.topics.take("kiosk-1"), {"service": SERVICES[n % len(SERVICES)], "print": False}

    def _counter_script(self, counter: str, officer: str):
        reply = yield self.topics.counter_cmd(counter), {"op": "open", "officer": officer}
        while True:
            reply = yield self.topics.counter_cmd(counter), {"op": "call_next"}
            if reply.get("ok"):
                reply = yield self.topics.counter_cmd(counter), {"op": "finish", "outcome": "received"}

    # ---- connections ----------------------------------------------------------------------
    def _device(self, name: str, script) -> None:
        sock = socket.create_connection((self.broker.host, self.broker.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client_id = f"bench-load-{name}-{id(self)}"
        sock.sendall(wire.connect(client_id, 60, self.broker.username, self.broker.password))
        device = Device(name, sock, self.topics.client_inbox(client_id, self.broker.username), script=script)
        sock.sendall(wire.subscribe(1, [(device.inbox, 1)]))
        self.selector.register(sock, selectors.EVENT_READ, device)
        self.devices.append(device)

    def _send(self, device: Device, reply: dict | None) -> None:
        if device.name.startswith("kiosk") and self.result.issued - self.result.called >= self.queue_cap:
            self.paused_kiosks.append(device)
            return
        topic, payload = device.script.send(reply) if reply is not None else next(device.script)
        request_id = f"{device.name}.{next(self._ids)}"
        body = orjson.dumps(dict(payload, id=request_id))
        device.waiting_for, device.sent_at = request_id, time.monotonic()
        device.out += wire.publish(topic, body, 1, packet_id=next(self._ids) % 65535 + 1,
                                   response_topic=device.inbox, correlation=request_id.encode())

    def _on_reply(self, device: Device, data: dict) -> None:
        if data.get("id") != device.waiting_for:
            return  # a repeat of an earlier reply
        device.waiting_for = None
        result = self.result
        result.ops += 1
        if data.get("ok"):
            result.ok += 1
            if "ticket" in data and device.name.startswith("kiosk"):
                result.issued += 1
            elif (data.get("ticket") or {}).get("state") == "called":
                result.called += 1
        else:
            code = data["error"]["code"]
            result.errors[code] = result.errors.get(code, 0) + 1
        if self.holding:
            self.held.append((device, data))
            return
        self._send(device, data)
        while self.paused_kiosks and result.issued - result.called < self.queue_cap:
            self._send(self.paused_kiosks.pop(), None)

    def _pump(self, timeout: float) -> None:
        for key, _events in self.selector.select(timeout):
            self._receive(key.data)
        for device in self.devices:
            if device.out:
                device.sock.sendall(device.out)
                device.out.clear()

    def _receive(self, device: Device) -> None:
        """Read what the broker sent (the socket is readable: one recv does not block)."""
        data = device.sock.recv(1 << 16)
        if not data:
            raise ConnectionError(f"{device.name}: the broker closed the connection")
        for packet in device.decoder.feed(data):
            if packet.kind == wire.SUBACK:
                device.ready = True
            elif packet.kind == wire.PUBLISH:
                message = wire.parse_publish(packet)
                if message.qos:
                    device.out += wire.puback(message.packet_id)
                self._on_reply(device, orjson.loads(message.payload))

    def run(self, seconds: float, warmup: float = 1.0) -> float:
        """Replies per second over ``seconds`` after ``warmup``; then every device holds its next
        request until the next ``run`` (the load can pause while a baseline is measured)."""
        deadline = time.monotonic() + 10
        while not all(d.ready for d in self.devices):
            if time.monotonic() > deadline:
                raise TimeoutError("devices not subscribed")
            self._pump(0.1)
        self.holding = False
        held, self.held = self.held, []
        for device, reply in held:
            self._send(device, reply)
        self._drive(warmup)
        ops_before, begin = self.result.ops, time.monotonic()
        self._drive(seconds)
        rate = (self.result.ops - ops_before) / (time.monotonic() - begin)
        self.holding = True
        while any(d.waiting_for for d in self.devices):  # answers to requests in flight
            self._drive(0.01)
        return rate

    def _drive(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while True:
            self._pump(min(0.05, max(0.0, end - time.monotonic())))
            now = time.monotonic()
            stuck = [d.name for d in self.devices if d.waiting_for and now - d.sent_at > 10]
            if stuck:
                raise TimeoutError(f"no reply within 10 s for {stuck}")
            if now >= end:
                return

    def close(self) -> None:
        for device in self.devices:
            self.selector.unregister(device.sock)
            try:
                device.sock.sendall(wire.DISCONNECT_PACKET)
            except OSError:
                pass
            device.sock.close()
