"""MQTT 5 packets as bytes: the few a publishing daemon needs, encoded and decoded by pure
functions (no sockets). Used by ``DrivenBus``; everything else uses paho-mqtt."""

from __future__ import annotations

import struct
from typing import NamedTuple

CONNECT, CONNACK, PUBLISH, PUBACK, SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = 1, 2, 3, 4, 8, 9, 12, 13, 14
PINGREQ_PACKET = b"\xc0\x00"
DISCONNECT_PACKET = b"\xe0\x00"  # reason 0: normal, the broker drops the last will

# property id -> how its value is encoded (MQTT 5.0, 2.2.2.2)
_BYTE, _TWO, _FOUR, _VARINT, _UTF8, _BINARY, _PAIR = range(7)
_PROPERTY_TYPES = {
    0x01: _BYTE, 0x02: _FOUR, 0x03: _UTF8, 0x08: _UTF8, 0x09: _BINARY, 0x0B: _VARINT, 0x11: _FOUR,
    0x12: _UTF8, 0x13: _TWO, 0x15: _UTF8, 0x16: _BINARY, 0x17: _BYTE, 0x18: _FOUR, 0x19: _BYTE,
    0x1A: _UTF8, 0x1C: _UTF8, 0x1F: _UTF8, 0x21: _TWO, 0x22: _TWO, 0x23: _TWO, 0x24: _BYTE, 0x25: _BYTE,
    0x26: _PAIR, 0x27: _FOUR, 0x28: _BYTE, 0x29: _BYTE, 0x2A: _BYTE,
}
RESPONSE_TOPIC, CORRELATION_DATA, RECEIVE_MAXIMUM, MAXIMUM_PACKET_SIZE, REASON_STRING = 0x08, 0x09, 0x21, 0x27, 0x1F
SERVER_KEEP_ALIVE = 0x13
_NO_PROPERTIES = b"\x00"


class ProtocolError(ValueError):
    """Bytes from the broker that are not a well-formed MQTT 5 packet."""


def varint(value: int) -> bytes:
    if value < 0x80:
        return bytes((value,))
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | 0x80 if value else byte)
        if not value:
            return bytes(out)


def utf8(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack("!H", len(raw)) + raw


def binary(raw: bytes) -> bytes:
    return struct.pack("!H", len(raw)) + raw


def _packet(first_byte: int, body: bytes) -> bytes:
    return bytes((first_byte,)) + varint(len(body)) + body


def connect(client_id: str, keepalive: int, username: str | None = None, password: str | None = None,
            will: tuple[str, bytes, int, bool] | None = None, max_packet: int | None = None) -> bytes:
    """CONNECT with clean start; ``will`` is (topic, payload, qos, retain)."""
    flags = 0x02
    props = b""
    if max_packet:
        props += bytes((MAXIMUM_PACKET_SIZE,)) + struct.pack("!I", max_packet)
    payload = utf8(client_id)
    if will:
        topic, body, qos, retain = will
        flags |= 0x04 | (qos << 3) | (0x20 if retain else 0)
        payload += _NO_PROPERTIES + utf8(topic) + binary(body)
    if username:
        flags |= 0x80
        payload += utf8(username)
    if password is not None and username:
        flags |= 0x40
        payload += binary(password.encode("utf-8"))
    header = utf8("MQTT") + bytes((5, flags)) + struct.pack("!H", keepalive) + varint(len(props)) + props
    return _packet(CONNECT << 4, header + payload)


def subscribe(packet_id: int, filters: list[tuple[str, int]]) -> bytes:
    body = struct.pack("!H", packet_id) + _NO_PROPERTIES
    for topic_filter, qos in filters:
        body += utf8(topic_filter) + bytes((qos,))
    return _packet((SUBSCRIBE << 4) | 0x02, body)


def publish(topic: str, payload: bytes, qos: int = 0, retain: bool = False, packet_id: int = 0,
            correlation: bytes | None = None, response_topic: str | None = None) -> bytes:
    raw_topic = topic.encode("utf-8")
    head = len(raw_topic).to_bytes(2, "big") + raw_topic
    if qos:
        head += packet_id.to_bytes(2, "big")
    if response_topic is None and correlation is None:
        head += _NO_PROPERTIES
    else:
        props = b""
        if response_topic is not None:
            props += bytes((RESPONSE_TOPIC,)) + utf8(response_topic)
        if correlation is not None:
            props += bytes((CORRELATION_DATA,)) + binary(correlation)
        head += varint(len(props)) + props
    first = (PUBLISH << 4) | (qos << 1) | (1 if retain else 0)
    return bytes((first,)) + varint(len(head) + len(payload)) + head + payload


def puback(packet_id: int) -> bytes:
    return b"\x40\x02" + struct.pack("!H", packet_id)


class Packet(NamedTuple):
    kind: int
    flags: int
    body: bytes


class Publish(NamedTuple):
    topic: str
    payload: bytes
    qos: int
    retain: bool
    packet_id: int
    response_topic: str | None
    correlation: bytes | None


class Decoder:
    """Splits a byte stream into packets; keeps an incomplete tail for the next ``feed``."""

    def __init__(self, max_packet: int) -> None:
        self.max_packet = max_packet
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Packet]:
        if self._buffer:  # the tail of an earlier feed comes first
            self._buffer += data
            data = bytes(self._buffer)
            self._buffer.clear()
        packets, pos, end = [], 0, len(data)
        while end - pos >= 2:
            byte = data[pos + 1]
            if byte < 0x80:  # a remaining length of one byte: acknowledgements, short messages
                length, cursor = byte, pos + 2
            else:
                try:
                    length, cursor = _read_varint(data, pos + 1)
                except IndexError:  # the length itself is not all here yet
                    break
                if length > self.max_packet:
                    raise ProtocolError(f"packet of {length} bytes is over the limit")
            if cursor + length > end:
                break
            first = data[pos]
            packets.append(Packet(first >> 4, first & 0x0F, data[cursor:cursor + length]))
            pos = cursor + length
        if pos < end:
            self._buffer += data[pos:]
        return packets


def properties(body: bytes, pos: int) -> tuple[dict[int, object], int]:
    """Decode a property block at ``pos``: ({id: value}, position after it). User properties are skipped."""
    length, pos = _read_varint(body, pos)
    end = pos + length
    found: dict[int, object] = {}
    while pos < end:
        prop = body[pos]
        kind = _PROPERTY_TYPES.get(prop)
        pos += 1
        if kind is None:
            raise ProtocolError(f"unknown property 0x{prop:02x}")
        if kind == _BYTE:
            value, pos = body[pos], pos + 1
        elif kind == _TWO:
            value, pos = struct.unpack_from("!H", body, pos)[0], pos + 2
        elif kind == _FOUR:
            value, pos = struct.unpack_from("!I", body, pos)[0], pos + 4
        elif kind == _VARINT:
            value, pos = _read_varint(body, pos)
        elif kind == _PAIR:
            _key, pos = _read_bytes(body, pos)
            _value, pos = _read_bytes(body, pos)
            continue
        else:
            raw, pos = _read_bytes(body, pos)
            value = raw.decode("utf-8", "replace") if kind == _UTF8 else raw
        found[prop] = value
    if pos != end:
        raise ProtocolError("property block overruns its length")
    return found, end


def parse_publish(packet: Packet) -> Publish:
    body = packet.body
    qos = (packet.flags >> 1) & 0x03
    try:
        raw_topic, pos = _read_bytes(body, 0)
        packet_id = 0
        if qos:
            packet_id, pos = struct.unpack_from("!H", body, pos)[0], pos + 2
        if body[pos] == 0:  # no properties: the common case
            props, pos = {}, pos + 1
        else:
            props, pos = properties(body, pos)
        topic = raw_topic.decode("utf-8")
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise ProtocolError(f"malformed PUBLISH: {exc}") from None
    return Publish(topic, body[pos:], qos, bool(packet.flags & 0x01), packet_id,
                   props.get(RESPONSE_TOPIC), props.get(CORRELATION_DATA))


def parse_connack(packet: Packet) -> tuple[int, dict[int, object]]:
    """(reason code, properties) of a CONNACK; reason 0 is success."""
    body = packet.body
    if len(body) < 2:
        raise ProtocolError("short CONNACK")
    props = properties(body, 2)[0] if len(body) > 2 else {}
    return body[1], props


def parse_ack(packet: Packet) -> tuple[int, int]:
    """(packet id, reason code) of a PUBACK; no reason code means success."""
    body = packet.body
    if len(body) < 2:
        raise ProtocolError("short acknowledgement")
    return (body[0] << 8) | body[1], body[2] if len(body) > 2 else 0


def parse_suback(packet: Packet) -> tuple[int, list[int]]:
    """(packet id, one reason code per filter: the granted QoS, or ≥ 0x80 when refused)."""
    packet_id = struct.unpack_from("!H", packet.body)[0]
    _props, pos = properties(packet.body, 2)
    return packet_id, list(packet.body[pos:])


def parse_disconnect(packet: Packet) -> tuple[int, str | None]:
    """(reason code, reason string) of a broker's DISCONNECT."""
    if not packet.body:
        return 0, None
    props = properties(packet.body, 1)[0] if len(packet.body) > 1 else {}
    return packet.body[0], props.get(REASON_STRING)


def _read_varint(body: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = body[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 21:
            raise ProtocolError("variable integer longer than 4 bytes")


def _read_bytes(body: bytes, pos: int) -> tuple[bytes, int]:
    length = struct.unpack_from("!H", body, pos)[0]
    pos += 2
    if pos + length > len(body):
        raise ProtocolError("string overruns the packet")
    return body[pos:pos + length], pos + length
