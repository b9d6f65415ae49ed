"""``motcua display announcer``: the technician's ``--say``/``--print`` and the call service."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
import wave

import pytest

from display.announcer_service import AnnouncerService
from display.voice import has_sound_card
from display_helpers import write_config
from motcua.bus import BusClient
from motcua.bus.client import default_client_id
from motcua.config import load_config
from office_harness import ROOT, Watcher, wait_until


def run_cli(args: list[str], data_dir, config) -> subprocess.CompletedProcess:
    env = dict(os.environ, MOTCUA_DATA_DIR=str(data_dir), MOTCUA_CONFIG=str(config), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "display", "announcer", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def seconds(path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def test_print_gives_the_nfc_sentence(tmp_path):
    done = run_cli(["--say", "A012", "--counter", "3", "--print"], tmp_path / "data", write_config(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Mời công dân có số A, mười hai đến quầy số ba\n"
    assert unicodedata.is_normalized("NFC", done.stdout)
    digits = write_config(tmp_path / "digits", announcer={"number_style": "digits"})
    done = run_cli(["--say", "B105", "--counter", "12", "--print"], tmp_path / "data", digits)
    assert done.stdout == "Mời công dân có số B, một không năm đến quầy số mười hai\n"


def test_say_writes_one_wav_without_a_sound_card(tmp_path):
    data = tmp_path / "data"
    done = run_cli(["--say", "A012", "--counter", "3"], data, write_config(tmp_path))
    assert done.returncode == 0, done.stderr
    written = sorted((data / "announcer").glob("*.wav"))
    assert [p.name for p in written] == ["00001-A012-q3.wav"]
    assert 2.0 <= seconds(written[0]) <= 10.0  # one spoken sentence (said once, no chime)
    assert str(written[0]) in done.stderr


def test_say_usage_errors(tmp_path):
    config = write_config(tmp_path)
    assert run_cli(["--say", "A012"], tmp_path / "data", config).returncode == 2
    assert run_cli(["--say", " ", "--counter", "3"], tmp_path / "data", config).returncode == 2
    assert not (tmp_path / "data" / "announcer").exists()


def test_every_call_and_recall_is_spoken_in_order_and_garbage_is_ignored(broker, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_MQTT_URL", broker.url)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "data"))
    cfg = load_config(write_config(tmp_path))
    watcher = Watcher(broker.url, "hoa-an")
    bus = BusClient(broker.url, "hoa-an", client_id=default_client_id("announcer-test"), device_id="announcer",
                    kind="announcer")
    service = AnnouncerService(cfg, bus)
    bus.start(wait=10)
    try:
        status = watcher.topics.device_status("announcer")
        watcher.wait_state(status, lambda s: s["state"] == "online")
        call = {"number": "A007", "counter": "1", "counter_name": "Quầy 1", "service": "HT", "recall": False,
                "at": "2026-11-23T08:10:00+07:00"}
        topic = watcher.topics.call()
        watcher.bus.publish(topic, call)
        watcher.bus.publish(topic, b"not json")
        watcher.bus.publish(topic, {"number": "A008"})
        watcher.bus.publish(topic, {**call, "recall": True})
        watcher.bus.publish(topic, {**call, "number": "C015", "counter": "3", "counter_name": "Quầy 3"})
        folder = tmp_path / "data" / "announcer"
        wait_until(lambda: len(list(folder.glob("*.wav"))) == 3, timeout=60)
        assert sorted(p.name for p in folder.glob("*.wav")) == [
            "00001-A007-q1.wav", "00002-A007-q1.wav", "00003-C015-q3.wav"]
        assert watcher.latest(status)["state"] == "online"
    finally:
        service.stop()
        bus.stop()
        watcher.close()


def test_auto_output_without_a_sound_card_reports_degraded(broker, tmp_path, monkeypatch):
    if has_sound_card():
        pytest.skip("this box has a sound card: output auto plays, there is no fallback to files")
    monkeypatch.setenv("MOTCUA_MQTT_URL", broker.url)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "data"))
    cfg = load_config(write_config(tmp_path, announcer={"output": "auto"}))
    watcher = Watcher(broker.url, "hoa-an")
    bus = BusClient(broker.url, "hoa-an", client_id=default_client_id("announcer-auto"), device_id="announcer-2",
                    kind="announcer")
    service = AnnouncerService(cfg, bus)
    bus.start(wait=10)
    try:
        status = watcher.wait_state(watcher.topics.device_status("announcer-2"),
                                    lambda s: s["state"] == "degraded")
        assert status["detail"] == "no_sound_card"
    finally:
        service.stop()
        bus.stop()
        watcher.close()
