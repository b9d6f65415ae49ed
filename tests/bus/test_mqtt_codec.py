"""The MQTT 5 codec of DrivenBus: packets round-trip, and a stream split anywhere reassembles."""

import pytest

from motcua.bus import wire


@pytest.mark.parametrize("value, encoded", [
    (0, b"\x00"), (127, b"\x7f"), (128, b"\x80\x01"), (16383, b"\xff\x7f"), (16384, b"\x80\x80\x01"),
    (268_435_455, b"\xff\xff\xff\x7f"),
])
def test_variable_integers_follow_the_spec_table(value, encoded):
    assert wire.varint(value) == encoded


def test_a_publish_round_trips_with_response_topic_and_correlation():
    raw = wire.publish("motcua/hoa-an/kiosk/kiosk-1/take", "Hộ tịch".encode(), 1, True, packet_id=513,
                       correlation=b"\x00id-1", response_topic="motcua/hoa-an/client/u/c/reply")
    [packet] = wire.Decoder(1 << 20).feed(raw)
    message = wire.parse_publish(packet)
    assert (message.topic, message.payload.decode(), message.qos, message.retain, message.packet_id) == (
        "motcua/hoa-an/kiosk/kiosk-1/take", "Hộ tịch", 1, True, 513)
    assert message.response_topic == "motcua/hoa-an/client/u/c/reply"
    assert message.correlation == b"\x00id-1"


def test_a_qos0_publish_without_properties():
    [packet] = wire.Decoder(1 << 20).feed(wire.publish("a/b", b"{}"))
    message = wire.parse_publish(packet)
    assert (message.qos, message.packet_id, message.response_topic, message.correlation) == (0, 0, None, None)


def test_a_stream_fed_byte_by_byte_gives_every_packet_once():
    big = b"x" * 20_000  # a three-byte remaining length
    stream = (wire.publish("t/1", b"one", 1, packet_id=1) + wire.puback(7) + wire.publish("t/2", big)
              + wire.PINGREQ_PACKET)
    decoder = wire.Decoder(1 << 20)
    packets = []
    for index in range(len(stream)):
        packets += decoder.feed(stream[index:index + 1])
    assert [p.kind for p in packets] == [wire.PUBLISH, wire.PUBACK, wire.PUBLISH, wire.PINGREQ]
    assert wire.parse_ack(packets[1]) == (7, 0)
    assert wire.parse_publish(packets[2]).payload == big


def test_a_packet_over_the_limit_is_a_protocol_error():
    with pytest.raises(wire.ProtocolError, match="over the limit"):
        wire.Decoder(1000).feed(wire.publish("t", b"x" * 2000))


def test_a_malformed_publish_is_a_protocol_error_not_a_crash():
    with pytest.raises(wire.ProtocolError):
        wire.parse_publish(wire.Packet(wire.PUBLISH, 0, b"\x00\x09abc"))


def test_connect_carries_the_will_and_credentials_flags():
    raw = wire.connect("ticketd", 30, "ticketd", "s3cret", ("motcua/x/device/ticketd/status", b"{}", 1, True), 1 << 20)
    [packet] = wire.Decoder(1 << 20).feed(raw)
    assert packet.kind == wire.CONNECT
    flags = packet.body[7]
    assert flags & 0x80 and flags & 0x40  # username and password
    assert flags & 0x04 and flags & 0x20 and (flags >> 3) & 0x03 == 1  # will, retained, QoS 1
    assert flags & 0x02  # clean start


def test_connack_and_suback_and_disconnect_are_read():
    reason, props = wire.parse_connack(wire.Packet(wire.CONNACK, 0, b"\x00\x00\x03\x21\x00\x14"))
    assert reason == 0 and props[wire.RECEIVE_MAXIMUM] == 20
    assert wire.parse_suback(wire.Packet(wire.SUBACK, 0, b"\x00\x05\x00\x01\x87")) == (5, [1, 0x87])
    text = "Not authorized".encode()
    body = b"\x87" + wire.varint(3 + len(text)) + b"\x1f" + len(text).to_bytes(2, "big") + text
    assert wire.parse_disconnect(wire.Packet(wire.DISCONNECT, 0, body)) == (0x87, "Not authorized")
