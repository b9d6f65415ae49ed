"""The uplink message format: what the receiver gets is what the bridge sent, or an error."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camera_bridge import wire

CONFIG = wire.StreamConfig("h264", 1920, 1080, Fraction(1, 90000), 15.0, b"\x00\x00\x00\x01gB\xc0")


@settings(max_examples=50)
@given(camera=st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True), session=st.integers(0, 2**32 - 1),
       seq=st.integers(0, 2**32 - 1), pts=st.integers(-2**40, 2**40), key=st.booleans(),
       payload=st.binary(max_size=300))
def test_round_trip(camera, session, seq, pts, key, payload):
    header = wire.Header(camera, session, seq, pts, pts - 3000, 1795395071.25, key)
    parts = wire.encode(header, payload, CONFIG if key else None)
    assert len(parts) == (3 if key else 2)
    assert wire.decode(parts) == (header, payload, CONFIG if key else None)


def test_header_is_small():
    parts = wire.encode(wire.Header("cam-hall", 1, 2, 3, 3, 0.0, False), b"x")
    assert len(parts[0]) == 37 + len("cam-hall")


@pytest.mark.parametrize("camera", ["..", ".", "a/b", "", "x" * 65, "cam hall"])
def test_unsafe_camera_ids_are_refused(camera):
    head = wire.encode(wire.Header("placeholder", 1, 0, 0, 0, 0.0, False), b"x")[0]
    raw = camera.encode()
    forged = head[:36] + bytes([len(raw)]) + raw
    with pytest.raises(wire.WireError):
        wire.decode([forged, b"x"])


@pytest.mark.parametrize("parts", [
    [b"short", b"x"],
    [b"XX" + bytes(40), b"x"],
    [wire.encode(wire.Header("cam", 1, 0, 0, 0, 0.0, True), b"x", CONFIG)[0], b"x"],  # flag says config, none
    [wire.encode(wire.Header("cam", 1, 0, 0, 0, 0.0, True), b"x")[0], b"x", b"{}"],  # config without flag
    wire.encode(wire.Header("cam", 1, 0, 0, 0, 0.0, True), b"x")[:1],
])
def test_malformed_messages_are_refused(parts):
    with pytest.raises(wire.WireError):
        wire.decode(parts)


@pytest.mark.parametrize("raw", [
    b"not json",
    b'{"codec": "mjpeg", "width": 1, "height": 1, "tb": [1, 90000], "fps": 1}',
    b'{"codec": "h264", "width": 0, "height": 1, "tb": [1, 90000], "fps": 1}',
    b'{"codec": "h264", "width": 1, "height": 1, "tb": [1, 0], "fps": 1}',
])
def test_bad_stream_configs_are_refused(raw):
    with pytest.raises(wire.WireError):
        wire.StreamConfig.decode(raw)
