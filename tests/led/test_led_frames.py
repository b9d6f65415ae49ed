import pytest

from display.led import frames
from display.led.frames import PRESETS, checksum, encode_frame, frame_spec


def test_generic():
    spec = frame_spec("generic")
    # STX, address byte, "A012", ETX, XOR over address..ETX
    body = bytes([0x01]) + b"A012" + b"\x03"
    xor = 0
    for b in body:
        xor ^= b
    assert encode_frame(spec, 1, "A012") == b"\x02" + body + bytes([xor])
    assert encode_frame(spec, 1, "A012") == bytes.fromhex("02 01 41 30 31 32 03 70")
    assert encode_frame(spec, 0x12, "7") == bytes.fromhex("02 12 20 20 20 37 03") + bytes([0x12 ^ 0x20 ^ 0x37 ^ 0x03])


def test_generic_blank_and_long_number():
    spec = frame_spec("generic")
    assert encode_frame(spec, 3, "") == b"\x02\x03    \x03" + bytes([0x03 ^ 0x03])
    assert encode_frame(spec, 3, "A1000")[2:6] == b"1000"  # a 4-digit board keeps the last 4


def test_modbus_ascii_like():
    spec = frame_spec("modbus-ascii-like")
    lrc = (-sum(b"01A012")) & 0xFF
    assert lrc == 0xCB
    assert encode_frame(spec, 1, "A012") == b":01A012CB\r\n"
    assert encode_frame(spec, 0xAB, "B7") == b":AB  B7" + f"{(-sum(b'AB  B7')) & 0xFF:02X}".encode() + b"\r\n"


def test_simple():
    spec = frame_spec("simple")
    assert encode_frame(spec, 1, "A012") == b"#01A012\r\n"
    assert encode_frame(spec, 12, "HT1015") == b"#12HT1015\r\n"
    assert encode_frame(spec, 12, "") == b"#12\r\n"


def test_overrides():
    spec = frame_spec("generic", {"checksum": "sum8", "checksum_span": "all", "width": 5, "pad": "0",
                                  "suffix": "\r"})
    body = b"\x05" + b"0A012" + b"\x03"
    assert encode_frame(spec, 5, "A012") == b"\x02" + body + bytes([sum(b"\x02" + body) & 0xFF]) + b"\r"
    left = frame_spec("simple", {"width": 6, "align": "left", "body": "{addr:03d}:{number}"})
    assert encode_frame(left, 4, "A1") == b"#004:A1    \r\n"
    hexsum = frame_spec("simple", {"checksum": "xor", "checksum_format": "hex"})
    assert encode_frame(hexsum, 1, "9") == b"#019" + f"{ord('0') ^ ord('1') ^ ord('9'):02X}".encode() + b"\r\n"


def test_non_ascii_is_replaced():
    assert encode_frame(frame_spec("simple"), 1, "Đ1") == b"#01?1\r\n"


@pytest.mark.parametrize(("kind", "value"), [("xor", 0x01 ^ 0x02 ^ 0xFF), ("sum8", 0x102 & 0xFF),
                                              ("lrc", (-0x102) & 0xFF)])
def test_checksums(kind, value):
    assert checksum(b"\x01\x02\xff", kind) == value


@pytest.mark.parametrize(("preset", "overrides"), [
    ("nope", None),
    ("generic", {"colour": "red"}),
    ("generic", {"checksum": "crc32"}),
    ("generic", {"checksum_span": "suffix"}),
    ("generic", {"width": -1}),
    ("generic", {"pad": "ab"}),
    ("generic", {"body": "{address}{number}"}),
])
def test_bad_specs(preset, overrides):
    with pytest.raises(ValueError):
        frame_spec(preset, overrides)


@pytest.mark.parametrize("address", [-1, 256])
def test_address_range(address):
    with pytest.raises(ValueError):
        encode_frame(frame_spec("simple"), address, "1")


def test_presets_are_documented():
    for name in PRESETS:
        assert f"``{name}``" in frames.__doc__
