"""The provincial centre's configuration: one YAML file (``-c``), every key optional.

```yaml
province: {name: "Tỉnh Quảng Nam", timezone: Asia/Ho_Chi_Minh}
broker: {url: "mqtt://aggregator@10.0.0.5:1883", password_file: /etc/motcua/broker.pw}
database: {dsn: "host=/run/postgresql dbname=motcua_province user=motcua"}
http: {host: 127.0.0.1, port: 8700, public_url: "https://giamsat.example.vn", secure_cookies: true}
users_file: /etc/motcua/province-users
offices: {hoa-an: "Phường Hòa An"}
```

Environment overrides: ``MOTCUA_MQTT_URL`` (broker), ``MOTCUA_PROVINCE_DSN`` (database),
``MOTCUA_PROVINCE_HTTP`` (``host:port``). A relative ``users_file`` is next to the config file
(without one: in ``$MOTCUA_DATA_DIR``, else ``./var``). The database password belongs in ``~/.pgpass`` or
``PGPASSWORD``, never in this file.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from motcua.bus.url import BrokerURL
from motcua.clock import DEFAULT_TZ


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProvinceSection(_Section):
    name: str = "Tỉnh"
    timezone: str = DEFAULT_TZ


class BrokerSection(_Section):
    url: str = "mqtt://127.0.0.1:1883"
    client_id: str = Field(default="motcua-province", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    username: str | None = None
    password_file: Path | None = None
    session_expiry_s: int = Field(default=7 * 24 * 3600, ge=0)
    receive_maximum: int = Field(default=20000, ge=1, le=65535)
    keepalive_s: int = Field(default=30, ge=5)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        BrokerURL.parse(value)
        return value

    def password(self) -> str | None:
        return self.password_file.read_text(encoding="utf-8").strip() if self.password_file else None


class DatabaseSection(_Section):
    dsn: str = "host=127.0.0.1 dbname=motcua_province"


class HttpSection(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=0, le=65535)
    public_url: str | None = None
    secure_cookies: bool = False
    session_hours: float = Field(default=12, gt=0)
    login_link_minutes: int = Field(default=15, ge=1, le=24 * 60)


class LiveSection(_Section):
    min_interval_s: float = Field(default=0.5, ge=0.05)
    refresh_s: float = Field(default=10, ge=1)
    chart_every_s: float = Field(default=30, ge=1)
    long_wait_minutes: int = 30
    low_satisfaction_pct: int = 80
    stale_minutes: int = 10


class IngestSection(_Section):
    max_batch: int = Field(default=5000, ge=1)


class ProvinceConfig(_Section):
    province: ProvinceSection = ProvinceSection()
    broker: BrokerSection = BrokerSection()
    database: DatabaseSection = DatabaseSection()
    http: HttpSection = HttpSection()
    live: LiveSection = LiveSection()
    ingest: IngestSection = IngestSection()
    users_file: Path = Path("province-users")
    offices: dict[str, str] = Field(default_factory=dict)

    def base_url(self) -> str:
        return (self.http.public_url or f"http://{self.http.host}:{self.http.port}").rstrip("/")


class ProvinceConfigError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def load_province_config(path: str | Path | None) -> ProvinceConfig:
    """The config at ``path`` (or ``$MOTCUA_PROVINCE_CONFIG``, or the defaults) with env overrides."""
    path = path or os.environ.get("MOTCUA_PROVINCE_CONFIG")
    data: dict = {}
    base = Path.cwd()
    if path:
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ProvinceConfigError([f"{path}: {exc}"]) from None
        if not isinstance(data, dict):
            raise ProvinceConfigError([f"{path}: not a YAML mapping"])
        base = path.resolve().parent
    env = os.environ
    if env.get("MOTCUA_MQTT_URL"):
        data.setdefault("broker", {})["url"] = env["MOTCUA_MQTT_URL"]
    if env.get("MOTCUA_PROVINCE_DSN"):
        data.setdefault("database", {})["dsn"] = env["MOTCUA_PROVINCE_DSN"]
    if env.get("MOTCUA_PROVINCE_HTTP"):
        host, _, port = env["MOTCUA_PROVINCE_HTTP"].rpartition(":")
        data.setdefault("http", {}).update(host=host or "127.0.0.1", port=port)
    try:
        cfg = ProvinceConfig.model_validate(data)
    except ValidationError as exc:
        raise ProvinceConfigError([f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]) from None
    if not cfg.users_file.is_absolute():
        if path:
            root = base
        else:
            root = Path(env["MOTCUA_DATA_DIR"]) if env.get("MOTCUA_DATA_DIR") else Path.cwd() / "var"
        cfg.users_file = root / cfg.users_file
    return cfg
