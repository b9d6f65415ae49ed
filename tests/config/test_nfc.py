"""Every string of the config comes out NFC, whatever normalisation the YAML was written in."""

from __future__ import annotations

import unicodedata
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.config import OfficeConfig, load_config
from motcua.config.schema import OfficerConfig


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in _strings(item)]
    return []


def _to_nfd(value: Any) -> Any:
    if isinstance(value, str):
        return _nfd(value)
    if isinstance(value, dict):
        return {_to_nfd(k): _to_nfd(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_nfd(v) for v in value]
    return value


def test_nfd_yaml_loads_as_nfc(demo_data: dict, write_config) -> None:
    demo_data["devices"]["led_boards"][0]["frame"] = {"số": "Quầy {counter}", "độ_sáng": 3}
    demo_data["officers"][0]["pin"] = "mật-khẩu"
    nfd_data = _to_nfd(demo_data)
    written = write_config(nfd_data).read_text(encoding="utf-8")
    assert written != unicodedata.normalize("NFC", written)
    cfg = load_config(write_config(nfd_data))
    strings = _strings(cfg.model_dump(mode="json"))
    assert "Trung tâm Phục vụ hành chính công phường Hòa An" in strings
    assert all(s == unicodedata.normalize("NFC", s) for s in strings)
    assert cfg.devices.led_boards[0].frame == {"số": "Quầy {counter}", "độ_sáng": 3}
    assert cfg.officer("cb-lan").pin.get_secret_value() == "mật-khẩu"
    assert cfg.rating.reasons[0] == "Thái độ chưa niềm nở"


def test_defaults_are_nfc() -> None:
    cfg = OfficeConfig.model_validate(
        {
            "office": {"id": "x", "name": "X", "agency_code": "A", "level": "Cấp xã", "address": "Y"},
            "services": [{"code": "HT", "name": "Hộ tịch", "field": "Hộ tịch", "prefix": "A", "hours": {}}],
            "counters": [{"id": 1, "name": "Quầy 1", "services": ["HT"]}],
        }
    )
    assert all(s == unicodedata.normalize("NFC", s) for s in _strings(cfg.model_dump(mode="json")))


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="aăâeêioôơuưyđAĂÂĐ \u0300\u0301\u0303\u0309\u0323", min_size=1, max_size=30))
def test_any_officer_name_becomes_nfc(name: str) -> None:
    officer = OfficerConfig.model_validate({"id": "o1", "name": _nfd(name), "title": _nfd(name)})
    assert officer.name == unicodedata.normalize("NFC", name) == officer.title
