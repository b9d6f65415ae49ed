"""Cross-reference checks: each found at the offending value, all of them at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from motcua.config import ConfigError, OfficeConfig, load_config


def _cross_locs(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as caught:
        OfficeConfig.model_validate(data)
    return [err["loc"] for err in caught.value.errors() if err["type"] == "cross_check"]


def _dup_service_code(d):
    d["services"].append({**d["services"][0], "prefix": "Z"})


def _dup_prefix(d):
    d["services"][2]["prefix"] = "A"


def _dup_counter_id(d):
    d["counters"].append({"id": "1", "name": "Quầy 1B", "services": ["HT"]})  # "1" and the int 1 are one id


def _dup_officer_id(d):
    d["officers"][3]["id"] = "cb-lan"


def _dup_device_id(d):
    d["devices"]["cameras"][0]["id"] = "printer-1"


def _counter_missing_service(d):
    d["counters"][2]["services"].append("QQ")


def _counter_missing_weighted_service(d):
    d["counters"][4]["services"][0]["code"] = "QQ"


def _kiosk_missing_printer(d):
    d["devices"]["kiosks"][0]["printer"] = "printer-7"


def _button_box_missing_printer(d):
    d["devices"]["button_boxes"] = [{"id": "box-1", "port": "/dev/ttyS1", "printer": "nope", "buttons": {1: "HT"}}]


def _button_missing_service(d):
    box = {"id": "box-1", "port": "/dev/ttyS1", "printer": "printer-1", "buttons": {1: "HT", 2: "ZZ"}}
    d["devices"]["button_boxes"] = [box]


def _display_missing_counter(d):
    d["devices"]["displays"][1]["counter"] = 9


def _rating_pad_missing_counter(d):
    d["devices"]["rating_pads"][0]["counter"] = "9"


def _keypad_missing_counter(d):
    d["devices"]["keypads"] = [{"id": "kp-1", "port": "/dev/ttyS2", "counter": 12, "keys": {1: "call_next"}}]


def _led_board_missing_counter(d):
    d["devices"]["led_boards"][0]["boards"][1]["counter"] = 8


CASES: list[tuple[Callable[[dict], None], tuple[Any, ...]]] = [
    (_dup_service_code, ("services", 8, "code")),
    (_dup_prefix, ("services", 2, "prefix")),
    (_dup_counter_id, ("counters", 5, "id")),
    (_dup_officer_id, ("officers", 3, "id")),
    (_dup_device_id, ("devices", "cameras", 0, "id")),
    (_counter_missing_service, ("counters", 2, "services", 2)),
    (_counter_missing_weighted_service, ("counters", 4, "services", 0)),
    (_kiosk_missing_printer, ("devices", "kiosks", 0, "printer")),
    (_button_box_missing_printer, ("devices", "button_boxes", 0, "printer")),
    (_button_missing_service, ("devices", "button_boxes", 0, "buttons", 2)),
    (_display_missing_counter, ("devices", "displays", 1, "counter")),
    (_rating_pad_missing_counter, ("devices", "rating_pads", 0, "counter")),
    (_keypad_missing_counter, ("devices", "keypads", 0, "counter")),
    (_led_board_missing_counter, ("devices", "led_boards", 0, "boards", 1, "counter")),
]


@pytest.mark.parametrize(("mutate", "loc"), CASES, ids=[case[0].__name__.strip("_") for case in CASES])
def test_each_cross_check(demo_data: dict, mutate, loc) -> None:
    mutate(demo_data)
    assert _cross_locs(demo_data) == [loc]


def test_all_cross_checks_reported_together(demo_data: dict) -> None:
    for mutate, _ in CASES:
        if mutate not in (_button_box_missing_printer, _keypad_missing_counter):
            mutate(demo_data)
    demo_data["devices"]["keypads"] = [{"id": "kp-1", "port": "/dev/ttyS2", "counter": 12, "keys": {1: "call_next"}}]
    locs = _cross_locs(demo_data)
    assert set(locs) == {loc for mutate, loc in CASES if mutate is not _button_box_missing_printer}


def test_cross_checks_run_while_fields_are_invalid(demo_data: dict) -> None:
    demo_data["office"]["id"] = "Not Valid"
    demo_data["counters"][0]["services"] = ["HT", "NOPE"]
    with pytest.raises(ValidationError) as caught:
        OfficeConfig.model_validate(demo_data)
    types = {(err["type"], err["loc"]) for err in caught.value.errors()}
    assert ("string_pattern_mismatch", ("office", "id")) in types
    assert ("cross_check", ("counters", 0, "services", 1)) in types


def test_zero_weight_is_rejected(demo_data: dict) -> None:
    demo_data["counters"][4]["services"][1]["weight"] = 0
    with pytest.raises(ValidationError) as caught:
        OfficeConfig.model_validate(demo_data)
    assert [err["loc"] for err in caught.value.errors()] == [("counters", 4, "services", 1, "weight")]


def test_cross_check_lines_through_the_loader(demo_data: dict, write_config) -> None:
    demo_data["devices"]["kiosks"][1]["printer"] = "printer-7"
    path = write_config(demo_data)
    lines = path.read_text(encoding="utf-8").splitlines()
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (issue,) = caught.value.errors
    assert issue.key == "devices.kiosks[1].printer"
    assert lines[issue.line - 1].strip() == "printer: printer-7"
