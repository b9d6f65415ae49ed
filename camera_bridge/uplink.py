"""The office end of the uplink: a ZeroMQ DEALER socket that dials the receiver over CurveZMQ and
gets back the receiver's acknowledgements.

Everything is bounded: a few messages in ZeroMQ's queue (SNDHWM), a small kernel send buffer
(SNDBUF), no queueing towards a peer that is not connected (IMMEDIATE), and sends that never block.
When a send would block, the packet stays in the ``GopQueue`` in front of this socket, which drops
whole GOPs when the link cannot keep up. A socket monitor tells whether the link is up, whether it
dropped (what was in flight is lost, so the queue must restart on a key frame), and whether the
receiver refused our key: ZeroMQ then gives up on the peer for good, so the socket is made anew
after a backoff, in case the province has since added the key.
"""

from __future__ import annotations

import logging

import zmq

from camera_bridge import wire
from camera_bridge.backoff import Backoff
from camera_bridge.keys import load_public, load_secret
from camera_bridge.settings import BridgeSettings

log = logging.getLogger("camera_bridge.uplink")

_UP = {zmq.EVENT_HANDSHAKE_SUCCEEDED}
_DOWN = {zmq.EVENT_DISCONNECTED, zmq.EVENT_CLOSED}
_REFUSED = {zmq.EVENT_HANDSHAKE_FAILED_AUTH, zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL,
            zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL}
_EVENTS = 0
for _event in _UP | _DOWN | _REFUSED:
    _EVENTS |= _event


class Uplink:
    def __init__(self, ctx: zmq.Context, settings: BridgeSettings, budget_bps: float) -> None:
        self.ctx, self.settings = ctx, settings
        self._keys = load_secret(settings.office_key), load_public(settings.receiver_key)
        self._sndbuf = max(8 * 1024, int(budget_bps / 8 * settings.sndbuf_s)) // 2  # Linux doubles it
        self._refusals = Backoff(5.0, 120.0)
        self._reopen_at: float | None = None
        self.state = "connecting"  # connecting | up | down | refused
        self._open()

    def _open(self) -> None:
        (public, secret), server = self._keys
        sock = self.ctx.socket(zmq.DEALER)
        sock.curve_publickey, sock.curve_secretkey, sock.curve_serverkey = public, secret, server
        sock.sndhwm = self.settings.sndhwm
        sock.sndbuf = self._sndbuf
        sock.immediate = 1
        sock.linger = 0
        sock.reconnect_ivl = 500
        sock.reconnect_ivl_max = 5000
        sock.heartbeat_ivl = 2000  # notice a dead receiver or link in seconds, not TCP's minutes
        sock.heartbeat_timeout = 6000
        sock.heartbeat_ttl = 6000
        sock.tcp_keepalive = 1
        self._monitor = sock.get_monitor_socket(_EVENTS)
        sock.connect(self.settings.endpoint)
        self._sock = sock

    def try_send(self, parts: list) -> bool:
        """Send one multipart message without blocking; False if ZeroMQ has no room (or no peer)."""
        if not self._sock.get(zmq.EVENTS) & zmq.POLLOUT:  # cheaper than catching zmq.Again
            return False
        try:
            self._sock.send_multipart(parts, flags=zmq.NOBLOCK)
        except zmq.Again:
            return False
        return True

    def acks(self) -> list[tuple[int, int]]:
        """Acknowledgements received since the last call, as (session, seq)."""
        found = []
        while self._sock.get(zmq.EVENTS) & zmq.POLLIN:
            try:
                found.append(wire.decode_ack(self._sock.recv(zmq.NOBLOCK)))
            except wire.WireError:
                log.warning("the receiver sent something that is not an acknowledgement")
        return found

    def poll_events(self, now: float) -> bool:
        """Read pending monitor events and update ``state``; True if the link dropped meanwhile."""
        dropped = False
        while self._monitor.get(zmq.EVENTS) & zmq.POLLIN:
            frames = self._monitor.recv_multipart(zmq.NOBLOCK)
            event = int.from_bytes(frames[0][:2], "little")
            if event in _UP:
                self.state = "up"
                self._refusals.reset()
            elif event in _REFUSED:
                if self.state != "refused":
                    log.warning("the receiver refused this office's key; trying again later")
                self.state = "refused"
                dropped = True
                self._reopen_at = now + self._refusals.next()
            elif event in _DOWN and self.state == "up":
                self.state = "down"
                dropped = True
        if self.state == "refused" and self._reopen_at is not None and now >= self._reopen_at:
            self._reopen_at = None
            self._close()
            self._open()
        return dropped

    def _close(self) -> None:
        self._sock.disable_monitor()
        self._monitor.close(linger=0)
        self._sock.close(linger=0)
