"""The demo office loads, holds what it says, and its effective config loads back identically."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from config_examples import DEMO

from motcua.config import OfficeConfig, load_config, resolved_data_dir
from motcua.config.show import effective_config_text


def test_demo_loads_with_its_values() -> None:
    cfg = load_config(DEMO)
    assert isinstance(cfg, OfficeConfig)
    assert cfg.office.id == "hoa-an"
    assert cfg.office.tz.key == "Asia/Ho_Chi_Minh"
    assert len(cfg.services) >= 7
    assert len(cfg.counters) == 5 and len(cfg.officers) >= 6
    assert [c.id for c in cfg.counters] == ["1", "2", "3", "4", "5"]
    assert cfg.counter("5").service_codes == ["CUTRU", "CT", "HT"]
    assert [s.weight for s in cfg.counter("5").services] == [3, 2, 1]
    assert cfg.counter("1").services[0].weight == 1
    cutru = cfg.service("CUTRU")
    assert cutru.hours.sat == [(time(7, 30), time(11, 30))]
    assert cutru.hours.for_weekday(6) == []
    assert cfg.service("HT").hours.for_weekday(0) == [(time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))]
    assert cfg.service("VHXH").daily_quota is None
    assert cfg.reset.time == time(0, 0)
    assert cfg.kiosk_device("kiosk-1").printer == "printer-1"
    assert cfg.printer("printer-2").width_dots == 384
    assert cfg.devices.led_boards[0].boards[0].counter == "3"
    assert cfg.broker.host == "127.0.0.1" and cfg.broker.port == 1883 and cfg.broker.password_value() is None
    assert all(officer.pin is None for officer in cfg.officers)


def test_demo_paths_resolve_against_config_folder_and_data_dir() -> None:
    cfg = load_config(DEMO)
    data_dir = DEMO.parent / "var"
    assert cfg.source == DEMO
    assert resolved_data_dir(cfg) == data_dir
    assert cfg.storage.data_dir == data_dir
    assert cfg.printer("printer-1").capture_dir == data_dir / "capture" / "printer-1"


def test_resolved_data_dir_of_a_config_built_in_code(demo_data: dict) -> None:
    cfg = OfficeConfig.model_validate(demo_data)
    assert cfg.source is None
    assert resolved_data_dir(cfg) == Path.cwd() / "var"


def test_effective_config_loads_back_to_the_same_config(write_config) -> None:
    cfg = load_config(DEMO)
    again = load_config(write_config(effective_config_text(cfg)))
    assert again.model_dump() == cfg.model_dump()


def test_device_ids_are_listed_across_kinds() -> None:
    cfg = load_config(DEMO)
    kinds = {kind for kind, _ in cfg.devices.all()}
    assert kinds == {"kiosks", "printers", "led_boards", "displays", "rating_pads", "cameras"}
