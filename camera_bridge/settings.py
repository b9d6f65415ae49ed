"""Settings of the camera uplink (office side) and of the provincial receiver, as pydantic models.

The office side is the ``camera_bridge:`` section of the office YAML, or a YAML file of its own
given with ``--settings``; the cameras themselves are ``devices.cameras`` of the office YAML, each
URL (with its credentials) in the environment variable its ``url_env`` names. The receiver reads a
YAML file of ``ReceiverSettings``. Relative paths are taken from the YAML file's folder. Key files
are CurveZMQ certificates made by ``motcua camera keys NAME --dir DIR``::

    # office: camera_bridge section (or bridge.yaml)      # province: receiver.yaml
    endpoint: tcp://cameras.province.example:7555        bind: tcp://0.0.0.0:7555
    office_key: /etc/motcua/keys/hoa-an.key_secret       server_key: keys/province.key_secret
    receiver_key: /etc/motcua/keys/province.key          allow_dir: allow      # {office}.key files
    health: {preview_dir: /var/lib/motcua/previews}      segment_dir: /srv/cameras
                                                         http_port: 8088       # 127.0.0.1 only
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

ENDPOINT_RE = re.compile(r"^tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _endpoint(value: str) -> str:
    if not ENDPOINT_RE.match(value):
        raise ValueError("expected tcp://host:port")
    return value


class HealthSettings(_Strict):
    """Key-frame health checks and how states are debounced before they are published."""

    check_every_s: float = Field(5.0, gt=0)  # decode at most one key frame per this many seconds
    thumb_width: int = Field(96, ge=16, le=640)
    black_std: float = Field(6.0, ge=0)  # a picture whose luma spread is below this is black/covered
    frozen_mad: float = Field(0.05, ge=0)  # mean abs difference under which two pictures are the same
    frozen_s: float = Field(10.0, gt=0)  # the same picture this long is "frozen"
    enter_s: float = Field(3.0, ge=0)  # a worse state must hold this long before it is published
    clear_s: float = Field(5.0, ge=0)  # and "live" this long before recovery is published
    offline_after_s: float = Field(30.0, gt=0)  # without video this long, stalled becomes offline
    publish_every_s: float = Field(10.0, gt=0)  # health is also re-published this often
    preview_dir: Path | None = None  # optional JPEG preview per camera, written atomically
    preview_every_s: float = Field(10.0, gt=0)
    preview_width: int = Field(320, ge=32, le=1920)


class BridgeSettings(_Strict):
    """The office's camera bridge: where to send, with which keys, and how to read cameras."""

    endpoint: str  # the receiver, e.g. tcp://cameras.province.example:7555 (the office dials out)
    office_key: Path  # this office's secret certificate (``NAME.key_secret``)
    receiver_key: Path  # the receiver's public certificate (``NAME.key``)
    sndhwm: int = Field(4, ge=1, le=1000)  # messages queued in ZeroMQ before sends would block
    sndbuf_s: float = Field(0.25, gt=0)  # kernel send buffer, in seconds of the camera's budget
    max_delay_s: float = Field(0.8, gt=0)  # at a key frame, drop the GOP if video not yet confirmed is older
    open_timeout_s: float = Field(3.0, gt=0)
    read_timeout_s: float = Field(3.0, gt=0)
    backoff_base_s: float = Field(0.5, gt=0)
    backoff_cap_s: float = Field(30.0, gt=0)
    report_every_s: float = Field(1.0, gt=0)  # worker -> supervisor counters
    health: HealthSettings = Field(default_factory=HealthSettings)

    @field_validator("endpoint")
    @classmethod
    def _check_endpoint(cls, value: str) -> str:
        return _endpoint(value)


class ReceiverSettings(_Strict):
    """The provincial receiver: bind address, keys, allow-list and where segments go."""

    bind: str = "tcp://127.0.0.1:7555"
    server_key: Path  # the receiver's secret certificate
    allow_dir: Path  # public certificates of allowed offices, ``{office}.key``; re-read on unknown keys
    segment_dir: Path
    segment_s: float = Field(10.0, gt=0)  # a segment is cut at the first key frame after this long
    keep_segments: int = Field(360, ge=2)  # per camera; older segments are deleted
    format: Literal["ts", "mp4"] = "ts"  # ts also gets an HLS playlist (index.m3u8)
    http_port: int | None = Field(None, ge=0, le=65535)  # re-serve segment_dir on 127.0.0.1
    stats_every_s: float = Field(2.0, gt=0)  # stats.json and a log line per camera
    rcvhwm: int = Field(1000, ge=1)

    @field_validator("bind")
    @classmethod
    def _check_bind(cls, value: str) -> str:
        return _endpoint(value)


def _load(model: type[_Strict], path: Path, base: Path | None = None) -> _Strict:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return resolve_paths(model.model_validate(data), base or Path(path).resolve().parent)


def resolve_paths(settings: _Strict, base: Path) -> _Strict:
    """Make every relative path absolute against ``base`` (the folder of the YAML it came from)."""
    updates = {}
    for name, value in settings:
        if isinstance(value, Path) and not value.is_absolute():
            updates[name] = base / value
        elif isinstance(value, _Strict):
            updates[name] = resolve_paths(value, base)
    return settings.model_copy(update=updates) if updates else settings


def load_bridge_settings(path: Path) -> BridgeSettings:
    return _load(BridgeSettings, path)  # type: ignore[return-value]


def load_receiver_settings(path: Path) -> ReceiverSettings:
    return _load(ReceiverSettings, path)  # type: ignore[return-value]
