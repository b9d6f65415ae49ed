"""The commands refuse bad setups with exit code 2 and a message that names what is wrong."""

import yaml
from harness import office_yaml

from camera_bridge.cli import bridge_main, keys_main, receiver_main


def setup(tmp_path, monkeypatch, camera_env=True):
    keys_main(["keys", "hoa-an", "--dir", str(tmp_path / "keys")])
    keys_main(["keys", "province", "--dir", str(tmp_path / "keys")])
    config = office_yaml(tmp_path / "office.yaml", [{"id": "cam-1", "name": "Sảnh", "url_env": "TEST_CAM_URL"}],
                         "mqtt://127.0.0.1:1")
    settings = tmp_path / "bridge.yaml"
    settings.write_text(yaml.safe_dump({"endpoint": "tcp://127.0.0.1:1", "office_key": "keys/hoa-an.key_secret",
                                        "receiver_key": "keys/province.key"}))
    if camera_env:
        monkeypatch.setenv("TEST_CAM_URL", "rtsp://u:p@127.0.0.1:1/x")
    else:
        monkeypatch.delenv("TEST_CAM_URL", raising=False)
    return config, settings


def test_bridge_needs_the_camera_url_in_the_environment(tmp_path, monkeypatch, capsys):
    config, settings = setup(tmp_path, monkeypatch, camera_env=False)
    assert bridge_main(["-c", str(config), "--settings", str(settings)]) == 2
    assert "TEST_CAM_URL" in capsys.readouterr().err


def test_bridge_needs_uplink_settings(tmp_path, monkeypatch, capsys):
    config, _settings = setup(tmp_path, monkeypatch)
    assert bridge_main(["-c", str(config)]) == 2
    assert "camera_bridge" in capsys.readouterr().err


def test_bridge_refuses_a_public_key_as_its_secret(tmp_path, monkeypatch, capsys):
    config, settings = setup(tmp_path, monkeypatch)
    data = yaml.safe_load(settings.read_text())
    settings.write_text(yaml.safe_dump({**data, "office_key": "keys/hoa-an.key"}))
    assert bridge_main(["-c", str(config), "--settings", str(settings)]) == 2
    assert "hoa-an.key" in capsys.readouterr().err


def test_bad_settings_are_reported(tmp_path, monkeypatch, capsys):
    config, settings = setup(tmp_path, monkeypatch)
    settings.write_text(yaml.safe_dump({"endpoint": "http://nope", "office_key": "k", "receiver_key": "k",
                                        "sndhwm": 0}))
    assert bridge_main(["-c", str(config), "--settings", str(settings)]) == 2
    err = capsys.readouterr().err
    assert "endpoint" in err and "sndhwm" in err


def test_receiver_refuses_unknown_settings_and_missing_keys(tmp_path, capsys):
    path = tmp_path / "receiver.yaml"
    path.write_text(yaml.safe_dump({"server_key": "nope.key_secret", "allow_dir": "allow", "segment_dir": "seg",
                                    "colour": "blue"}))
    assert receiver_main(["-c", str(path)]) == 2
    assert "colour" in capsys.readouterr().err
    path.write_text(yaml.safe_dump({"server_key": "nope.key_secret", "allow_dir": "allow", "segment_dir": "seg"}))
    assert receiver_main(["-c", str(path)]) == 2
    assert "nope.key_secret" in capsys.readouterr().err
    assert receiver_main([]) == 2
