"""Environment overrides: MOTCUA_CONFIG, MOTCUA_MQTT_URL, MOTCUA_DATA_DIR."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_examples import DEMO

from motcua.config import ConfigError, load_config, resolved_data_dir


def test_config_path_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_CONFIG", str(DEMO))
    assert load_config().source == DEMO


def test_mqtt_url_overrides_url_user_and_password(monkeypatch, demo_data, write_config) -> None:
    demo_data["broker"].update(username="office", password="from-yaml")
    monkeypatch.setenv("MOTCUA_MQTT_URL", "mqtt://ticketd:s%40cret@127.0.0.1:18830")
    broker = load_config(write_config(demo_data)).broker
    assert broker.url == "mqtt://127.0.0.1:18830"
    assert (broker.host, broker.port, broker.tls) == ("127.0.0.1", 18830, False)
    assert broker.username == "ticketd"
    assert broker.password_value() == "s@cret"


def test_mqtt_url_without_credentials_keeps_the_configured_ones(monkeypatch, demo_data, write_config) -> None:
    demo_data["broker"].update(username="office", password="from-yaml")
    monkeypatch.setenv("MOTCUA_MQTT_URL", "mqtts://broker.local")
    broker = load_config(write_config(demo_data)).broker
    assert (broker.host, broker.port, broker.tls) == ("broker.local", 8883, True)
    assert broker.username == "office" and broker.password_value() == "from-yaml"


def test_bad_mqtt_url_in_env_is_blamed_on_the_env(monkeypatch) -> None:
    monkeypatch.setenv("MOTCUA_MQTT_URL", "http://127.0.0.1:1883")
    with pytest.raises(ConfigError) as caught:
        load_config(DEMO)
    (issue,) = caught.value.errors
    assert (issue.file, issue.key) == ("$MOTCUA_MQTT_URL", "broker.url")


def test_data_dir_from_env_moves_every_output(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "data"))
    cfg = load_config(DEMO)
    assert resolved_data_dir(cfg) == tmp_path / "data"
    assert cfg.printer("printer-1").capture_dir == tmp_path / "data" / "capture" / "printer-1"


def test_relative_data_dir_from_env_counts_from_cwd(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MOTCUA_DATA_DIR", "run")
    assert load_config(DEMO).storage.data_dir == tmp_path / "run"


def test_config_relative_paths(demo_data, write_config, tmp_path: Path) -> None:
    (tmp_path / "broker.pass").write_text("from-file\n", encoding="utf-8")
    demo_data["broker"]["password_file"] = "broker.pass"
    demo_data["announcer"].update(clips_dir="clips", wav_dir="wav", output="wav")
    demo_data["devices"]["printers"].append({"id": "printer-3", "name": "Tệp", "backend": "file", "device": "out.bin"})
    cfg = load_config(write_config(demo_data))
    assert cfg.broker.password_value() == "from-file"
    assert cfg.announcer.clips_dir == tmp_path / "clips"
    assert cfg.announcer.wav_dir == tmp_path / "var" / "wav"
    assert cfg.printer("printer-3").device == str(tmp_path / "var" / "out.bin")
