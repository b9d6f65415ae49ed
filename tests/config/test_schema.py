"""Field rules of the sections: hours, printers, devices, patterns, broker URL."""

from __future__ import annotations

from datetime import time

import pytest
from pydantic import ValidationError

from motcua.config.schema import (
    AnnouncerConfig,
    BrokerConfig,
    ButtonBoxDevice,
    CounterConfig,
    DisplayDevice,
    KeypadDevice,
    KioskConfig,
    OfficeSection,
    PrinterDevice,
    ResetSection,
    WeeklyHours,
)


def _error_types(model, **data) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [err["type"] for err in caught.value.errors()]


def test_windows_parse_sort_and_serialise() -> None:
    hours = WeeklyHours.model_validate({"mon": ["13:30 – 17:00", "07:30-11:30"], "sat": [["08:00", "11:00"]]})
    assert hours.mon == [(time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))]
    assert hours.sat == [(time(8), time(11))]
    assert hours.model_dump(mode="json")["mon"] == ["07:30-11:30", "13:30-17:00"]


@pytest.mark.parametrize(
    "window", ["11:30-07:30", "08:00-08:00", "7:30-11:30", "24:00-25:00", "08:00", "08:00-09:00-10:00"]
)
def test_bad_windows(window: str) -> None:
    assert _error_types(WeeklyHours, tue=[window]) in (["time_window"], ["time_hhmm"])


def test_overlapping_and_touching_windows() -> None:
    assert _error_types(WeeklyHours, wed=["08:00-10:00", "09:59-12:00"]) == ["time_window"]
    assert WeeklyHours.model_validate({"wed": ["08:00-10:00", "10:00-12:00"]}).wed[1][0] == time(10)


def test_unknown_weekday() -> None:
    assert _error_types(WeeklyHours, monday=["08:00-10:00"]) == ["extra_forbidden"]


def test_reset_time() -> None:
    assert ResetSection.model_validate({"time": "23:45"}).time == time(23, 45)
    assert _error_types(ResetSection, time=750) == ["time_hhmm"]


def test_timezone() -> None:
    base = {"id": "x", "name": "X", "agency_code": "A", "level": "Cấp xã", "address": "Y"}
    assert OfficeSection.model_validate({**base, "timezone": "Asia/Bangkok"}).tz.key == "Asia/Bangkok"
    assert _error_types(OfficeSection, **base, timezone="../etc/passwd") == ["timezone"]


def test_counter_ids_and_services() -> None:
    counter = CounterConfig.model_validate({"id": 3, "name": "Quầy 3", "services": ["HT", {"code": "CT", "weight": 4}]})
    assert counter.id == "3"
    assert [(s.code, s.weight) for s in counter.services] == [("HT", 1), ("CT", 4)]
    assert _error_types(CounterConfig, id=True, name="x", services=["HT"]) == ["string_type"]
    assert _error_types(CounterConfig, id="a/b", name="x", services=["HT"]) == ["string_pattern_mismatch"]
    assert _error_types(CounterConfig, id="1", name="x", services=[]) == ["too_short"]
    assert "extra_forbidden" in _error_types(CounterConfig, id="1", name="x", services=[{"code": "HT", "w": 2}])


@pytest.mark.parametrize(
    ("settings", "needs"),
    [
        ({"backend": "network"}, "host"),
        ({"backend": "serial"}, "device"),
        ({"backend": "file"}, "device"),
        ({"backend": "usb", "usb_vendor_id": "0x0416"}, "usb_product_id"),
        ({"backend": "capture"}, "capture_dir"),
    ],
)
def test_printer_backend_needs_its_settings(settings: dict, needs: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PrinterDevice.model_validate({"id": "p", "name": "P", **settings})
    assert needs in str(caught.value)


def test_printer_defaults_and_hex_usb_ids() -> None:
    printer = PrinterDevice.model_validate(
        {"id": "p", "name": "P", "backend": "usb", "usb_vendor_id": "0x0416", "usb_product_id": 0x5011}
    )
    assert (printer.usb_vendor_id, printer.usb_product_id) == (0x0416, 0x5011)
    assert (printer.port, printer.baudrate, printer.timeout_s, printer.paper_width_mm) == (9100, 9600, 3.0, 80)
    assert printer.status_query is True and printer.width_dots == 576
    assert _error_types(PrinterDevice, id="p", name="P", backend="usb", usb_vendor_id="0x10000", usb_product_id=1) == [
        "less_than_equal"
    ]


def test_display_kinds() -> None:
    assert DisplayDevice.model_validate({"id": "hall", "kind": "hall"}).counter is None
    assert _error_types(DisplayDevice, id="d", kind="counter") == ["display_counter"]
    assert _error_types(DisplayDevice, id="d", kind="lobby") == ["literal_error"]


def test_button_box_and_keypad() -> None:
    box = ButtonBoxDevice.model_validate({"id": "b", "port": "/dev/ttyS0", "buttons": {"1": "HT", 2: "CT"}})
    assert box.buttons == {1: "HT", 2: "CT"} and box.line_pattern == "B{n}" and box.debounce_ms == 800
    assert _error_types(ButtonBoxDevice, id="b", port="p", buttons={1: "HT"}, line_pattern="BTN") == ["line_pattern"]
    keys = {1: "call_next", "*": "recall"}
    keypad = KeypadDevice.model_validate({"id": "k", "port": "p", "counter": 2, "keys": keys})
    assert keypad.keys == {"1": "call_next", "*": "recall"} and keypad.counter == "2" and keypad.address is None
    assert _error_types(KeypadDevice, id="k", port="p", counter="2", keys={1: "next"}) == ["literal_error"]
    assert KeypadDevice.model_validate({"id": "k", "port": "p", "counter": "2", "keys": {1: "hold"}, "address": None})


def test_patterns_with_fields() -> None:
    assert _error_types(AnnouncerConfig, template="Mời số {number}") == ["pattern"]
    assert _error_types(AnnouncerConfig, template="Mời số {so} quầy {counter} {number}") == ["pattern"]
    assert _error_types(KioskConfig, procedure_url="https://example.vn/tthc") == ["pattern"]
    assert _error_types(KioskConfig, ticket_url="https://example.vn/{office}/{number") == ["pattern"]
    assert KioskConfig.model_validate({"ticket_url": "https://x.vn/t/{office}/{number}"}).ticket_url
    assert _error_types(AnnouncerConfig, repeat=0) == ["greater_than_equal"]


@pytest.mark.parametrize("url", ["http://h:1883", "mqtt://", "mqtt://h:99999", "mqtt://h:1883/topic", "h:1883"])
def test_bad_broker_urls(url: str) -> None:
    assert _error_types(BrokerConfig, url=url) == ["broker_url"]


def test_broker_credentials_leave_the_url() -> None:
    broker = BrokerConfig.model_validate({"url": "mqtt://user:p%3Ass@[::1]:1884"})
    assert broker.url == "mqtt://[::1]:1884"
    assert (broker.username, broker.password_value(), broker.host, broker.port) == ("user", "p:ss", "::1", 1884)
