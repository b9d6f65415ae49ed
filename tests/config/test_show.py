"""The effective config and `motcua check-config` never show a secret."""

from __future__ import annotations

import pytest
import yaml
from config_examples import BROKEN, DEMO

from motcua.config import load_config
from motcua.config.cli import check_config_main
from motcua.config.show import MASK, effective_config_text, mask_url

SECRETS = ("pw-Broker-91", "pin-Officer-27", "pin-Kiosk-55", "pw-Env-33")


@pytest.fixture
def secret_config(demo_data, write_config):
    demo_data["broker"].update(username="office", password="pw-Broker-91")
    demo_data["officers"][0]["pin"] = "pin-Officer-27"
    demo_data["kiosk"]["pin"] = "pin-Kiosk-55"
    return write_config(demo_data)


def test_secrets_are_masked(secret_config) -> None:
    text = effective_config_text(load_config(secret_config))
    assert not any(secret in text for secret in SECRETS)
    data = yaml.safe_load(text)
    assert data["broker"]["password"] == MASK
    assert data["officers"][0]["pin"] == MASK
    assert data["officers"][1]["pin"] is None
    assert data["kiosk"]["pin"] == MASK


def test_env_url_password_is_masked(secret_config, monkeypatch) -> None:
    monkeypatch.setenv("MOTCUA_MQTT_URL", "mqtt://ticketd:pw-Env-33@127.0.0.1:18830")
    text = effective_config_text(load_config(secret_config))
    assert "pw-Env-33" not in text
    assert yaml.safe_load(text)["broker"]["username"] == "ticketd"


def test_secrets_are_not_in_reprs(secret_config) -> None:
    cfg = load_config(secret_config)
    assert not any(secret in repr(cfg) or secret in str(cfg) for secret in SECRETS)
    assert cfg.officer("cb-lan").pin.get_secret_value() == "pin-Officer-27"


def test_mask_url() -> None:
    assert mask_url("mqtt://u:p@h:1") == f"mqtt://u:{MASK}@h:1"
    assert mask_url("mqtt://h:1883") == "mqtt://h:1883"


def test_check_config_valid(secret_config, capsys) -> None:
    assert check_config_main(["-c", str(secret_config)]) == 0
    out = capsys.readouterr().out
    assert "hoa-an" in out and "Trung tâm Phục vụ hành chính công phường Hòa An" in out
    assert not any(secret in out for secret in SECRETS)


def test_check_config_uses_env_when_c_is_omitted(monkeypatch, capsys) -> None:
    monkeypatch.setenv("MOTCUA_CONFIG", str(DEMO))
    assert check_config_main([]) == 0
    assert str(DEMO) in capsys.readouterr().out


def test_check_config_invalid_prints_every_issue(capsys) -> None:
    assert check_config_main(["-c", str(BROKEN)]) == 2
    err = capsys.readouterr().err.splitlines()
    issues = [line for line in err if line.startswith(f"{BROKEN}:")]
    assert len(issues) == len(err) - 1 >= 20
    assert str(len(issues)) in err[0]


def test_check_config_without_any_config(capsys) -> None:
    assert check_config_main([]) == 2
    assert "MOTCUA_CONFIG" in capsys.readouterr().err


def test_check_config_bad_usage(capsys) -> None:
    assert check_config_main(["--bogus"]) == 2
