"""The uplink message: a small binary header, the compressed packet, and on key frames the stream's
codec parameters, as one ZeroMQ multipart message; and the receiver's acknowledgement back.

Header (network byte order, 37 bytes + camera id): magic ``MC``, version, flags (1 = key frame,
2 = a config part follows), session (random per camera connection), seq (per session, from 0),
pts and dts (in the config's time base), wall clock when the bridge read the packet (seconds),
camera id length and the camera id (ASCII).
"""

from __future__ import annotations

import base64
import json
import re
import struct
from dataclasses import dataclass
from fractions import Fraction

MAGIC = b"MC"
ACK_MAGIC = b"MA"
VERSION = 1
FLAG_KEY = 1
FLAG_CONFIG = 2
_HEAD = struct.Struct("!2sBBIIqqdB")
_ACK = struct.Struct("!2sBII")  # magic, version, session, seq: everything up to seq has arrived
CAMERA_ID_RE = re.compile(r"^(?!\.+$)[A-Za-z0-9_.-]{1,64}$")  # also a safe directory name


class WireError(ValueError):
    """A message that is not a well-formed uplink message."""


@dataclass(frozen=True)
class StreamConfig:
    """What a muxer or decoder needs to know about a camera's stream."""

    codec: str  # FFmpeg codec name: "h264" or "hevc"
    width: int
    height: int
    time_base: Fraction
    fps: float
    extradata: bytes = b""

    def encode(self) -> bytes:
        return json.dumps({
            "codec": self.codec, "width": self.width, "height": self.height,
            "tb": [self.time_base.numerator, self.time_base.denominator], "fps": self.fps,
            "extradata": base64.b64encode(self.extradata).decode("ascii"),
        }, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, raw: bytes) -> "StreamConfig":
        try:
            data = json.loads(raw)
            config = cls(str(data["codec"]), int(data["width"]), int(data["height"]),
                         Fraction(int(data["tb"][0]), int(data["tb"][1])), float(data["fps"]),
                         base64.b64decode(data.get("extradata", ""), validate=True))
        except (ValueError, KeyError, TypeError, IndexError, ZeroDivisionError) as exc:
            raise WireError(f"bad stream config: {exc}") from None
        if config.codec not in ("h264", "hevc") or config.width <= 0 or config.height <= 0:
            raise WireError("unsupported stream config")
        return config


@dataclass(frozen=True)
class Header:
    camera: str
    session: int
    seq: int
    pts: int
    dts: int
    wall: float
    key: bool


def encode(header: Header, payload: bytes, config: StreamConfig | None = None) -> list[bytes]:
    """The message parts for one packet; ``config`` travels with key frames."""
    camera = header.camera.encode("ascii")
    flags = (FLAG_KEY if header.key else 0) | (FLAG_CONFIG if config is not None else 0)
    head = _HEAD.pack(MAGIC, VERSION, flags, header.session, header.seq, header.pts, header.dts,
                      header.wall, len(camera)) + camera
    return [head, payload] if config is None else [head, payload, config.encode()]


def decode(parts: list[bytes]) -> tuple[Header, bytes, StreamConfig | None]:
    """Parse one message; raises ``WireError`` on anything malformed."""
    if len(parts) not in (2, 3) or len(parts[0]) < _HEAD.size:
        raise WireError("wrong number of parts or short header")
    head = bytes(parts[0])
    magic, version, flags, session, seq, pts, dts, wall, cam_len = _HEAD.unpack_from(head)
    if magic != MAGIC or version != VERSION:
        raise WireError("not an uplink message of a known version")
    camera_raw = head[_HEAD.size:]
    if len(camera_raw) != cam_len:
        raise WireError("camera id length mismatch")
    camera = camera_raw.decode("ascii", "replace")
    if not CAMERA_ID_RE.match(camera):
        raise WireError("bad camera id")
    has_config = bool(flags & FLAG_CONFIG)
    if has_config != (len(parts) == 3):
        raise WireError("config flag and parts disagree")
    config = StreamConfig.decode(bytes(parts[2])) if has_config else None
    return Header(camera, session, seq, pts, dts, wall, bool(flags & FLAG_KEY)), bytes(parts[1]), config


def encode_ack(session: int, seq: int) -> bytes:
    return _ACK.pack(ACK_MAGIC, VERSION, session, seq)


def decode_ack(raw: bytes) -> tuple[int, int]:
    """(session, seq) of an acknowledgement; raises ``WireError`` on anything else."""
    if len(raw) != _ACK.size:
        raise WireError("not an acknowledgement")
    magic, version, session, seq = _ACK.unpack(raw)
    if magic != ACK_MAGIC or version != VERSION:
        raise WireError("not an acknowledgement of a known version")
    return session, seq
