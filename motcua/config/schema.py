"""The office YAML as strict pydantic models (unknown keys are errors everywhere).

``OfficeConfig`` is the root. Every string is normalised to NFC on the way in. Ids that appear in
MQTT topics (counters, officers, devices) accept a YAML int (``3`` becomes ``"3"``). Times are
``datetime.time``; opening windows are ``(start, end)`` tuples. Cross-reference checks (duplicate
codes and ids, references to missing services, counters and printers) run on the root model and
report every problem at once, each at the location of the offending value.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from camera_bridge.settings import BridgeSettings
from motcua.text import nfc

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_PROCEDURE_URL = (
    "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={code}"
)
DEFAULT_RATING_REASONS = (
    "Thái độ chưa niềm nở",
    "Hướng dẫn chưa rõ ràng",
    "Thời gian chờ lâu",
    "Yêu cầu giấy tờ ngoài quy định",
)


# --- value types -------------------------------------------------------------------------------

def _nfc_deep(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, Mapping):
        return {_nfc_deep(k): _nfc_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc_deep(v) for v in value]
    return value


def _id_from_int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _str_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {_id_from_int(k): v for k, v in value.items()}
    return value


def _int_from_hex(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\s*0[xX][0-9a-fA-F]+\s*", value):
        return int(value, 16)
    return value


_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def _parse_hhmm(value: Any) -> Any:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        match = _HHMM.fullmatch(value.strip())
        if match:
            return time(int(match[1]), int(match[2]))
    raise PydanticCustomError("time_hhmm", "expected a time as HH:MM (00:00 to 23:59)")


def _parse_window(value: Any) -> Any:
    if isinstance(value, str):
        parts = re.split(r"\s*[-–]\s*", value.strip())
        if len(parts) != 2:
            raise PydanticCustomError("time_window", "expected a window as HH:MM-HH:MM")
        value = parts
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise PydanticCustomError("time_window", "expected a window as HH:MM-HH:MM")
    start, end = _parse_hhmm(value[0]), _parse_hhmm(value[1])
    if start >= end:
        raise PydanticCustomError("time_window", "a window must start before it ends")
    return (start, end)


def _hhmm_text(value: time) -> str:
    return value.strftime("%H:%M")


def _window_text(value: tuple[time, time]) -> str:
    return f"{_hhmm_text(value[0])}-{_hhmm_text(value[1])}"


HHMM = Annotated[time, BeforeValidator(_parse_hhmm), PlainSerializer(_hhmm_text, return_type=str)]
Window = Annotated[
    tuple[time, time], BeforeValidator(_parse_window), PlainSerializer(_window_text, return_type=str)
]
Id = Annotated[str, BeforeValidator(_id_from_int), Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
ServiceCode = Annotated[str, Field(pattern=r"^[A-Z0-9_]{1,8}$")]
UsbId = Annotated[int, BeforeValidator(_int_from_hex), Field(ge=0, le=0xFFFF)]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
KeypadOp = Literal[
    "open", "close", "pause", "resume", "call_next", "call", "recall",
    "start", "finish", "no_show", "hold", "transfer",
]


class Strict(BaseModel):
    """Base of every section: unknown keys are errors, strings become NFC."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _normalise_text(cls, data: Any) -> Any:
        return _nfc_deep(data) if isinstance(data, Mapping) else data


# --- sections ----------------------------------------------------------------------------------

class OfficeSection(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    name: str
    agency_code: str
    level: str
    address: str
    timezone: str = "Asia/Ho_Chi_Minh"
    hotline: str | None = None
    working_hours_text: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise PydanticCustomError("timezone", "unknown time zone {zone}", {"zone": value}) from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class QueueSection(Strict):
    priority_mode: Literal["strict", "interleave"] = "strict"
    interleave_every: int = Field(3, ge=1)
    starvation_minutes: int = Field(30, ge=1)
    rating_window_minutes: int = Field(10, ge=1)


class ResetSection(Strict):
    time: HHMM = time(0, 0)


class WeeklyHours(Strict):
    """Issuing windows per weekday; a day left out is closed."""

    mon: list[Window] = []
    tue: list[Window] = []
    wed: list[Window] = []
    thu: list[Window] = []
    fri: list[Window] = []
    sat: list[Window] = []
    sun: list[Window] = []

    @field_validator(*WEEKDAYS)
    @classmethod
    def _no_overlap(cls, windows: list[tuple[time, time]]) -> list[tuple[time, time]]:
        ordered = sorted(windows)
        for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
            if start < end:
                raise PydanticCustomError("time_window", "windows of one day overlap")
        return ordered

    def for_weekday(self, weekday: int) -> list[tuple[time, time]]:
        """The windows of ``date.weekday()`` (0 = Monday)."""
        return getattr(self, WEEKDAYS[weekday])


class ServiceConfig(Strict):
    code: ServiceCode
    name: str
    field: str
    prefix: Annotated[str, Field(pattern=r"^[A-Z]{1,2}$")]
    hours: WeeklyHours
    daily_quota: int | None = Field(None, ge=1)
    avg_service_minutes: float = Field(8.0, gt=0)


class CounterService(Strict):
    code: ServiceCode
    weight: int = Field(1, ge=1)


def _counter_service(value: Any) -> Any:
    return {"code": value} if isinstance(value, str) else value


class CounterConfig(Strict):
    """A counter; ``services`` always holds ``CounterService`` items (a bare code has weight 1)."""

    id: Id
    name: str
    services: list[Annotated[CounterService, BeforeValidator(_counter_service)]] = Field(min_length=1)

    @property
    def service_codes(self) -> list[str]:
        return [item.code for item in self.services]


class OfficerConfig(Strict):
    id: Id
    name: str
    title: str
    pin: SecretStr | None = None


# --- devices -----------------------------------------------------------------------------------

class KioskDevice(Strict):
    id: Id
    name: str
    printer: Id | None = None
    orientation: Literal["portrait", "landscape"] = "portrait"
    # the receipt scanner: a camera index (0 = /dev/video0), a device path, or a video file
    # (relative to the config file's folder) played in a loop as if it were a camera
    camera: int | str | None = None


class PrinterDevice(Strict):
    id: Id
    name: str
    backend: Literal["network", "serial", "usb", "file", "capture"]
    paper_width_mm: Literal[58, 80] = 80
    host: str | None = None
    port: int = Field(9100, ge=1, le=65535)
    device: str | None = None
    baudrate: int = Field(9600, ge=1)
    usb_vendor_id: UsbId | None = None
    usb_product_id: UsbId | None = None
    capture_dir: Path | None = None
    timeout_s: float = Field(3.0, gt=0)
    profile: str | None = None
    status_query: bool = True

    @model_validator(mode="after")
    def _backend_settings(self) -> PrinterDevice:
        needed = {
            "network": ("host",),
            "serial": ("device",),
            "file": ("device",),
            "usb": ("usb_vendor_id", "usb_product_id"),
            "capture": ("capture_dir",),
        }[self.backend]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise PydanticCustomError(
                "printer_backend", "backend {backend} needs {missing}",
                {"backend": self.backend, "missing": ", ".join(missing)},
            )
        return self

    @property
    def width_dots(self) -> int:
        """Printable width at 203 dpi: 384 dots on 58 mm paper, 576 on 80 mm."""
        return 384 if self.paper_width_mm == 58 else 576


class LedBoardAddress(Strict):
    address: int = Field(ge=0, le=255)
    counter: Id


class LedBoardDevice(Strict):
    id: Id
    port: str
    baudrate: int = Field(9600, ge=1)
    preset: str = "generic"
    frame: dict[str, str | int] | None = None
    boards: list[LedBoardAddress] = Field(min_length=1)
    refresh_s: float = Field(5.0, gt=0)


class ButtonBoxDevice(Strict):
    id: Id
    port: str
    baudrate: int = Field(9600, ge=1)
    printer: Id | None = None
    buttons: dict[Annotated[int, Field(ge=0)], ServiceCode] = Field(min_length=1)
    line_pattern: str = "B{n}"
    debounce_ms: int = Field(800, ge=0)
    # lines written back to the box (e.g. to light a lamp or show the number); none by default
    ok_line: str | None = None  # may use {n} and {number}
    refused_line: str | None = None  # may use {n} and {code}

    @field_validator("line_pattern")
    @classmethod
    def _has_number(cls, value: str) -> str:
        if "{n}" not in value:
            raise PydanticCustomError("line_pattern", "line_pattern must contain {n}")
        return value


class KeypadDevice(Strict):
    """A counter keypad on a serial line; keypads sharing ``port`` are told apart by ``address``.

    ``display``: it has a number display (the counter's current number is echoed to it).
    ``officer``: who the ``open`` key logs in (default: the officer last seen at the counter).
    ``transfer_service``: where the ``transfer`` key sends the current ticket.
    """

    id: Id
    port: str
    baudrate: int = Field(9600, ge=1)
    address: int | None = Field(None, ge=0, le=255)
    counter: Id
    keys: Annotated[dict[str, KeypadOp], BeforeValidator(_str_keys)] = Field(min_length=1)
    display: bool = False
    officer: Id | None = None
    transfer_service: ServiceCode | None = None


class DisplayDevice(Strict):
    id: Id
    kind: Literal["hall", "counter"]
    counter: Id | None = None

    @model_validator(mode="after")
    def _counter_display_names_counter(self) -> DisplayDevice:
        if self.kind == "counter" and self.counter is None:
            raise PydanticCustomError("display_counter", "a counter display needs counter")
        return self


class RatingPadDevice(Strict):
    id: Id
    counter: Id


class CameraDevice(Strict):
    id: Id
    name: str
    url_env: EnvName
    stream: Literal["main", "sub"] = "sub"
    fps: int = Field(15, ge=1, le=60)
    uplink_kbps: int = Field(1024, ge=16)
    stall_s: float = Field(10.0, gt=0)


class DevicesConfig(Strict):
    kiosks: list[KioskDevice] = []
    printers: list[PrinterDevice] = []
    led_boards: list[LedBoardDevice] = []
    button_boxes: list[ButtonBoxDevice] = []
    keypads: list[KeypadDevice] = []
    displays: list[DisplayDevice] = []
    rating_pads: list[RatingPadDevice] = []
    cameras: list[CameraDevice] = []

    def all(self) -> Iterator[tuple[str, BaseModel]]:
        """Every device as ``(kind list name, device)``."""
        for kind in type(self).model_fields:
            for device in getattr(self, kind):
                yield kind, device


# --- other sections ----------------------------------------------------------------------------

class AnnouncerConfig(Strict):
    template: str = "Mời công dân có số {number} đến quầy số {counter}"
    number_style: Literal["cardinal", "digits"] = "cardinal"
    dialect: Literal["north", "south"] = "north"
    clips_dir: Path | None = None
    voice: str = "vi"
    repeat: int = Field(1, ge=1, le=3)
    chime: bool = True
    output: Literal["auto", "aplay", "wav"] = "auto"
    wav_dir: Path | None = None

    @field_validator("template")
    @classmethod
    def _template_fields(cls, value: str) -> str:
        _check_pattern(value, {"number", "counter"}, required={"number", "counter"})
        return value


class HallConfig(Strict):
    notice: str | None = None
    call_min_show_s: float = Field(5.0, ge=0)
    show_satisfaction: bool = False


class KioskConfig(Strict):
    idle_s: int = Field(60, ge=5)
    pin: SecretStr | None = None
    procedure_url: str = DEFAULT_PROCEDURE_URL
    ticket_url: str | None = None
    dossier_second_factor: bool = False

    @field_validator("procedure_url")
    @classmethod
    def _procedure_fields(cls, value: str) -> str:
        _check_pattern(value, {"code"}, required={"code"})
        return value

    @field_validator("ticket_url")
    @classmethod
    def _ticket_fields(cls, value: str | None) -> str | None:
        if value is not None:
            _check_pattern(value, {"office", "number"}, required={"office", "number"})
        return value


class DossierSourceConfig(Strict):
    """Where dossiers come from (kiosk lookup and ``motcua stats``).

    ``import`` reads the electronic one-stop system's CSV/JSON export at ``path`` (relative to the
    config file's folder) and re-reads it when the file changes; ``http`` asks ``url`` (with
    ``{code}``) for one dossier and, for statistics, ``list_url`` for all of them.
    """

    kind: Literal["import", "http"] = "import"
    path: Path | None = None
    url: str | None = None
    list_url: str | None = None
    timeout_s: float = Field(5.0, gt=0)
    collect_place: str | None = None
    stats_interval_s: float = Field(60.0, ge=1)

    @field_validator("url")
    @classmethod
    def _url_fields(cls, value: str | None) -> str | None:
        if value is not None:
            _check_pattern(value, {"code"}, required={"code"})
        return value

    @model_validator(mode="after")
    def _kind_settings(self) -> DossierSourceConfig:
        if self.kind == "http" and self.url is None:
            raise PydanticCustomError("dossier_source", "kind http needs url (with {code})")
        return self


class RatingConfig(Strict):
    reasons: list[str] = Field(default_factory=lambda: list(DEFAULT_RATING_REASONS), min_length=1)
    idle_s: int = Field(30, ge=5)


class BrokerConfig(Strict):
    """The MQTT broker. Credentials written in ``url`` move to ``username``/``password``."""

    url: str = "mqtt://127.0.0.1:1883"
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    keepalive_s: int = Field(30, ge=5)

    @model_validator(mode="before")
    @classmethod
    def _credentials_out_of_url(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or not isinstance(data.get("url"), str):
            return data
        parts = urlsplit(data["url"])
        if parts.username is None and parts.password is None:
            return data
        data = dict(data)
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        if parts.port is not None:
            netloc += f":{parts.port}"
        data["url"] = urlunsplit(parts._replace(netloc=netloc))
        data["username"] = unquote(parts.username or "") or None
        if parts.password is not None:
            data["password"] = unquote(parts.password)
        return data

    @field_validator("url")
    @classmethod
    def _mqtt_url(cls, value: str) -> str:
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise PydanticCustomError("broker_url", "not a valid URL") from None
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise PydanticCustomError("broker_url", "expected mqtt://host:port or mqtts://host:port")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise PydanticCustomError("broker_url", "the URL must not have a path or query")
        return value

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (8883 if parts.scheme == "mqtts" else 1883)

    @property
    def tls(self) -> bool:
        return urlsplit(self.url).scheme == "mqtts"

    def password_value(self) -> str | None:
        """The password: ``password`` if set, else the first line of ``password_file``."""
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_file is not None:
            lines = self.password_file.read_text(encoding="utf-8").splitlines()
            return lines[0] if lines else ""
        return None


class StorageConfig(Strict):
    data_dir: Path = Path("var")


# --- root --------------------------------------------------------------------------------------

class OfficeConfig(Strict):
    """The whole office YAML."""

    office: OfficeSection
    queue: QueueSection = Field(default_factory=QueueSection)
    reset: ResetSection = Field(default_factory=ResetSection)
    services: list[ServiceConfig] = Field(min_length=1)
    counters: list[CounterConfig] = Field(min_length=1)
    officers: list[OfficerConfig] = []
    devices: DevicesConfig = Field(default_factory=DevicesConfig)
    announcer: AnnouncerConfig = Field(default_factory=AnnouncerConfig)
    hall: HallConfig = Field(default_factory=HallConfig)
    kiosk: KioskConfig = Field(default_factory=KioskConfig)
    dossiers: DossierSourceConfig = Field(default_factory=DossierSourceConfig)
    rating: RatingConfig = Field(default_factory=RatingConfig)
    broker: BrokerConfig = Field(default_factory=BrokerConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    camera_bridge: BridgeSettings | None = None  # the CCTV uplink to the province (camera_bridge/settings.py)

    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _cross_checks(cls, data: Any, handler: Any) -> OfficeConfig:
        if isinstance(data, OfficeConfig):
            return handler(data)
        try:
            config = handler(data)
        except ValidationError as exc:
            field_errors = [
                InitErrorDetails(
                    type=PydanticCustomError(err["type"], err["msg"]), loc=err["loc"], input=err["input"]
                )
                for err in exc.errors()
            ]
            raise ValidationError.from_exception_data(cls.__name__, field_errors + _cross_errors(data)) from None
        problems = _cross_errors(config)
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems)
        return config

    @property
    def source(self) -> Path | None:
        """The YAML file this config was loaded from (None when built in code)."""
        return self._source

    def service(self, code: str) -> ServiceConfig:
        return _find(self.services, "code", code)

    def counter(self, counter_id: str) -> CounterConfig:
        return _find(self.counters, "id", counter_id)

    def officer(self, officer_id: str) -> OfficerConfig:
        return _find(self.officers, "id", officer_id)

    def printer(self, printer_id: str) -> PrinterDevice:
        return _find(self.devices.printers, "id", printer_id)

    def kiosk_device(self, kiosk_id: str) -> KioskDevice:
        return _find(self.devices.kiosks, "id", kiosk_id)


def _find(items: list[Any], attr: str, value: str) -> Any:
    for item in items:
        if getattr(item, attr) == value:
            return item
    raise KeyError(value)


def _check_pattern(pattern: str, allowed: set[str], required: set[str]) -> None:
    """A ``str.format`` pattern may use only ``allowed`` fields and must use ``required`` ones."""
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError:
        raise PydanticCustomError("pattern", "unbalanced braces in the pattern") from None
    unknown = used - allowed
    if unknown:
        raise PydanticCustomError(
            "pattern", "unknown field {fields}; allowed: {allowed}",
            {"fields": ", ".join(sorted(unknown)), "allowed": ", ".join(sorted(allowed))},
        )
    missing = required - used
    if missing:
        raise PydanticCustomError("pattern", "the pattern needs {fields}", {"fields": ", ".join(sorted(missing))})


# --- cross checks (tolerant of raw input, so they also run when some fields are invalid) -------

def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key)
    if isinstance(obj, BaseModel):
        return getattr(obj, key, None)
    return None


def _list(obj: Any, key: str) -> list[Any]:
    value = _get(obj, key)
    return list(value) if isinstance(value, (list, tuple)) else []


def _ref(value: Any) -> str | None:
    value = _id_from_int(value)
    return nfc(value) if isinstance(value, str) else None


def _problem(loc: tuple[Any, ...], message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("cross_check", message), loc=loc, input=value)


def _duplicates(
    entries: list[tuple[tuple[Any, ...], str | None]], what: str
) -> list[InitErrorDetails]:
    seen: dict[str, tuple[Any, ...]] = {}
    problems = []
    for loc, value in entries:
        if value is None:
            continue
        if value in seen:
            first = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in seen[value]).lstrip(".")
            problems.append(_problem(loc, f"duplicate {what} {value!r} (first at {first})", value))
        else:
            seen[value] = loc
    return problems


def _cross_errors(data: Any) -> list[InitErrorDetails]:
    services = _list(data, "services")
    counters = _list(data, "counters")
    devices = _get(data, "devices")
    problems: list[InitErrorDetails] = []

    problems += _duplicates(
        [(("services", i, "code"), _ref(_get(s, "code"))) for i, s in enumerate(services)], "service code"
    )
    problems += _duplicates(
        [(("services", i, "prefix"), _ref(_get(s, "prefix"))) for i, s in enumerate(services)], "prefix"
    )
    problems += _duplicates(
        [(("counters", i, "id"), _ref(_get(c, "id"))) for i, c in enumerate(counters)], "counter id"
    )
    problems += _duplicates(
        [(("officers", i, "id"), _ref(_get(o, "id"))) for i, o in enumerate(_list(data, "officers"))],
        "officer id",
    )

    service_codes = {_ref(_get(s, "code")) for s in services} - {None}
    counter_ids = {_ref(_get(c, "id")) for c in counters} - {None}

    for i, counter in enumerate(counters):
        for j, item in enumerate(_list(counter, "services")):
            code = _ref(item) if isinstance(item, str) else _ref(_get(item, "code"))
            if code is not None and code not in service_codes:
                loc = ("counters", i, "services", j)
                problems.append(_problem(loc, f"counter serves unknown service {code!r}", code))

    device_entries = []
    printer_ids: set[str] = set()
    for kind in DevicesConfig.model_fields:
        for i, device in enumerate(_list(devices, kind)):
            device_id = _ref(_get(device, "id"))
            device_entries.append((("devices", kind, i, "id"), device_id))
            if kind == "printers" and device_id is not None:
                printer_ids.add(device_id)
    problems += _duplicates(device_entries, "device id")

    for kind in ("kiosks", "button_boxes"):
        for i, device in enumerate(_list(devices, kind)):
            printer = _ref(_get(device, "printer"))
            if printer is not None and printer not in printer_ids:
                problems.append(_problem(("devices", kind, i, "printer"), f"unknown printer {printer!r}", printer))

    def check_counter(loc: tuple[Any, ...], value: Any) -> None:
        counter = _ref(value)
        if counter is not None and counter not in counter_ids:
            problems.append(_problem(loc, f"unknown counter {counter!r}", counter))

    for kind in ("keypads", "displays", "rating_pads"):
        for i, device in enumerate(_list(devices, kind)):
            check_counter(("devices", kind, i, "counter"), _get(device, "counter"))
    for i, board in enumerate(_list(devices, "led_boards")):
        for j, entry in enumerate(_list(board, "boards")):
            check_counter(("devices", "led_boards", i, "boards", j, "counter"), _get(entry, "counter"))

    officer_ids = {_ref(_get(o, "id")) for o in _list(data, "officers")} - {None}
    for i, keypad in enumerate(_list(devices, "keypads")):
        officer = _ref(_get(keypad, "officer"))
        if officer is not None and officer not in officer_ids:
            problems.append(_problem(("devices", "keypads", i, "officer"), f"unknown officer {officer!r}", officer))
        code = _ref(_get(keypad, "transfer_service"))
        if code is not None and code not in service_codes:
            loc = ("devices", "keypads", i, "transfer_service")
            problems.append(_problem(loc, f"keypad transfers to unknown service {code!r}", code))

    for i, box in enumerate(_list(devices, "button_boxes")):
        buttons = _get(box, "buttons")
        if isinstance(buttons, Mapping):
            for number, code in buttons.items():
                code = _ref(code)
                if code is not None and code not in service_codes:
                    loc = ("devices", "button_boxes", i, "buttons", number)
                    problems.append(_problem(loc, f"button names unknown service {code!r}", code))
    return problems
