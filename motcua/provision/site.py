"""The network side of one office box, kept out of the office YAML: the LAN listener for the
office's other machines and the bridge to the province.

``site.yaml`` (optional; every key optional)::

    lan:                      # kiosks, rating pads and screens on other machines of the office
      host: 192.168.1.10      # the address they use (also in the generated certificate)
      bind: 0.0.0.0           # where the broker listens (default: host)
      port: 8883
      tls: true               # false only on an isolated office network
      certfile: null          # server certificate and key; made (with a CA) when left out
      keyfile: null
    bridge:                   # state, statistics and events out to the provincial broker
      url: mqtts://mqtt.tinh.gov.vn:8883
      username: hoa-an
      password_file: /etc/motcua/province-password
      ca_file: null           # the province's CA (default: the system's CAs)
      queue_messages: null    # messages kept while the link is down (default: a day's worth)
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LanListener(_Strict):
    host: str
    bind: str | None = None
    port: int = Field(8883, ge=1, le=65535)
    tls: bool = True
    certfile: Path | None = None
    keyfile: Path | None = None

    @model_validator(mode="after")
    def _cert_and_key(self) -> "LanListener":
        if (self.certfile is None) != (self.keyfile is None):
            raise ValueError("give both certfile and keyfile, or neither (they are then generated)")
        return self

    @property
    def bind_address(self) -> str:
        return self.bind or self.host


class ProvinceBridge(_Strict):
    url: str
    username: str
    password_file: Path
    ca_file: Path | None = None
    queue_messages: int | None = Field(None, ge=1000)

    @field_validator("username")
    @classmethod
    def _no_blanks(cls, value: str) -> str:
        if not value or any(ch.isspace() for ch in value):
            raise ValueError("a username without blanks")
        return value

    @field_validator("url")
    @classmethod
    def _mqtt_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname or parts.username:
            raise ValueError("expected mqtt://host:port or mqtts://host:port "
                             "(credentials go in username and password_file)")
        return value

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (8883 if self.tls else 1883)

    @property
    def tls(self) -> bool:
        return urlsplit(self.url).scheme == "mqtts"

    def password(self) -> str:
        """The first line of ``password_file`` (Mosquitto's config cannot hold blanks in it)."""
        lines = self.password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0].strip() if lines else ""
        if not password or any(ch.isspace() for ch in password):
            raise ValueError(f"{self.password_file}: the first line must hold the password, without blanks")
        return password


class SiteSettings(_Strict):
    lan: LanListener | None = None
    bridge: ProvinceBridge | None = None


def load_site(path: Path | None) -> SiteSettings:
    """The settings in ``path`` (relative paths against its folder); empty settings for None."""
    if path is None:
        return SiteSettings()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    site = SiteSettings.model_validate(data)
    base = path.resolve().parent
    if site.lan is not None:
        for name in ("certfile", "keyfile"):
            value = getattr(site.lan, name)
            if value is not None and not value.is_absolute():
                setattr(site.lan, name, base / value)
    if site.bridge is not None:
        for name in ("password_file", "ca_file"):
            value = getattr(site.bridge, name)
            if value is not None and not value.is_absolute():
                setattr(site.bridge, name, base / value)
    return site
