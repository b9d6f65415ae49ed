"""What ``motcua provision`` writes: accounts and ACL rules per device, the bridge, the TLS LAN
listener a device on the office network connects to."""

from __future__ import annotations

import ssl
import stat
import subprocess
import sys

import pytest

from motcua.broker import free_port
from motcua.config import load_config
from motcua.provision.accounts import accounts_for
from motcua.provision.mosquitto import BrokerPaths, day_of_messages, render_acl, render_conf
from motcua.provision.site import load_site
from motcua.provision.tls import ensure_ca
from office_harness import DEMO_CONFIG, ROOT
from tooling.brokers import ProvisionedBroker, RawClient, provision_cli


@pytest.fixture(scope="module")
def demo():
    return load_config(DEMO_CONFIG)


def rules(acl: str, user: str) -> list[str]:
    """The ``topic`` lines of one user in an ACL file."""
    lines = acl.splitlines()
    start = lines.index(f"user {user}") + 1
    block = []
    for line in lines[start:]:
        if not line.startswith("topic "):
            break
        block.append(line)
    return block


def test_each_device_gets_only_its_own_topics(demo):
    acl = render_acl(demo, accounts_for(demo))
    root = "motcua/hoa-an"
    assert acl.count("pattern ") == 1 and f"pattern read {root}/client/%u/#" in acl
    assert rules(acl, "ticketd") == [f"topic readwrite {root}/#"]
    assert rules(acl, "rating-3") == [
        f"topic write {root}/counter/3/rating", f"topic write {root}/device/rating-3/status",
        f"topic read {root}/counter/3/state", f"topic read {root}/counter/3/rate_request",
        f"topic read {root}/device/ticketd/status"]
    assert [r for r in rules(acl, "kiosk-2") if r.startswith("topic write")] == [
        f"topic write {root}/kiosk/kiosk-2/take", f"topic write {root}/ticket/query",
        f"topic write {root}/device/kiosk-2/status"]
    assert f"topic read {root}/device/printer-2/status" in rules(acl, "kiosk-2")
    for display in ("hall-tv", "counter-screen-1", "counter-screen-2"):
        assert [r for r in rules(acl, display) if not r.startswith("topic read")] == [
            f"topic write {root}/device/{display}/status"]
    assert f"topic write {root}/counter/4/cmd" in rules(acl, "console-4")
    assert all("counter/4" in r or "cmd" not in r for r in rules(acl, "console-4"))
    assert rules(acl, "doctor") == [f"topic read {root}/#", "topic read motcua-bridge/hoa-an/state"]


def test_accounts_name_the_units_that_use_them(demo):
    units = {a.user: (a.unit, a.args, a.lan) for a in accounts_for(demo)}
    assert units["ticketd"] == ("motcua-ticketd.service", "", False)
    assert units["hall-tv"] == ("motcua-display@hall.service", "hall --device-id hall-tv", True)
    assert units["counter-screen-2"] == ("motcua-display@counter-2.service", "counter 2 --device-id counter-screen-2",
                                         True)
    assert units["announcer"] == ("motcua-display@announcer.service", "announcer", False)
    assert units["led"] == ("motcua-display@led.service", "led", False)
    assert units["rating-5"] == ("motcua-rating-pad@5.service", "5", True)
    assert units["kiosk-1"] == ("motcua-kiosk@kiosk-1.service", "--kiosk kiosk-1", True)
    assert units["camera-bridge"][0] == "motcua-camera-bridge.service"
    assert "keypads" not in units  # the demo has no serial keypads


def test_a_device_named_like_a_service_account_is_refused(demo):
    clash = demo.model_copy(deep=True)
    clash.devices.rating_pads[0].id = "announcer"
    with pytest.raises(ValueError, match="announcer"):
        accounts_for(clash)


def test_broker_config_loopback_only_without_site_and_bridge_queue_for_a_day(demo, tmp_path):
    conf = render_conf(demo, BrokerPaths(tmp_path / "b", tmp_path / "s"), None, None, None)
    listeners = [line for line in conf.splitlines() if line.startswith("listener ")]
    assert listeners == ["listener 1883 127.0.0.1"]
    assert "allow_anonymous false" in conf and "connection " not in conf
    # demo quotas: 430 tickets, plus 200 for the service without a quota
    assert day_of_messages(demo) >= 2 * 630 * 30
    (tmp_path / "pw").write_text("s3cret\n")
    (tmp_path / "site.yaml").write_text(
        "bridge:\n  url: mqtts://mqtt.tinh.example.vn\n  username: hoa-an\n  password_file: pw\n"
        "  queue_messages: 250000\n")
    site = load_site(tmp_path / "site.yaml")
    conf = render_conf(demo, BrokerPaths(tmp_path / "b", tmp_path / "s"), None, None, site.bridge)
    for line in ("address mqtt.tinh.example.vn:8883", "cleansession false", "remote_username hoa-an",
                 "remote_password s3cret", "bridge_capath /etc/ssl/certs", "max_queued_messages 250000",
                 "topic motcua/hoa-an/event/# out 1", "topic motcua/hoa-an/stats out 1",
                 "notification_topic motcua-bridge/hoa-an/state"):
        assert line in conf.splitlines(), line
    assert not any(line.endswith(" in 1") or " both " in line for line in conf.splitlines())


def test_site_file_errors_are_reported(tmp_path):
    (tmp_path / "site.yaml").write_text("lan:\n  host: 192.168.1.10\n  certfile: a.crt\n")
    with pytest.raises(ValueError, match="both certfile and keyfile"):
        load_site(tmp_path / "site.yaml")


def test_lan_listener_speaks_tls_with_the_office_ca(box_dir):
    lan_port, port = free_port(), free_port()
    (box_dir / "site.yaml").write_text(f"lan:\n  host: 127.0.0.1\n  port: {lan_port}\n")
    out = box_dir / "etc"
    provision_cli(out, port, box_dir / "state", "--site", str(box_dir / "site.yaml"))
    tls = out / "broker" / "tls"
    assert stat.S_IMODE((tls / "ca.key").stat().st_mode) == 0o600
    ca_before = (tls / "ca.crt").read_bytes()
    broker = ProvisionedBroker(out, port, box_dir / "state").start()
    try:
        kiosk_env = (out / "credentials" / "kiosk@kiosk-1.env").read_text()
        assert "MOTCUA_MQTT_URL=mqtts://kiosk-1:" in kiosk_env and f"@127.0.0.1:{lan_port}" in kiosk_env
        assert f"MOTCUA_MQTT_CA={tls / 'ca.crt'}" in kiosk_env
        assert f"@127.0.0.1:{port}" in (out / "credentials" / "ticketd.env").read_text()  # box services: loopback
        password = broker.password("kiosk@kiosk-1", "kiosk-1")
        kiosk = RawClient(lan_port, "kiosk-1", password, "kiosk-1", tls_ca=tls / "ca.crt")
        try:
            assert not kiosk.connack.is_failure
            assert kiosk.publish("motcua/hoa-an/counter/1/cmd").value == 135
        finally:
            kiosk.close()
        stranger_ca, _key = ensure_ca(box_dir / "stranger", "stranger")
        with pytest.raises(ssl.SSLError):  # a client trusting another CA refuses the office broker
            RawClient(lan_port, "kiosk-1", password, "kiosk-1b", tls_ca=stranger_ca)
    finally:
        broker.stop()
    provision_cli(out, port, box_dir / "state", "--site", str(box_dir / "site.yaml"))
    assert (tls / "ca.crt").read_bytes() == ca_before  # devices keep trusting the same CA


def test_bad_bridge_password_and_bad_site_stop_provisioning(demo, box_dir):
    (box_dir / "pw").write_text("two words\n")
    (box_dir / "site.yaml").write_text("bridge:\n  url: mqtts://province.example.vn\n  username: hoa-an\n"
                                       "  password_file: pw\n")
    site = load_site(box_dir / "site.yaml")
    with pytest.raises(ValueError, match="without blanks"):
        render_conf(demo, BrokerPaths(box_dir / "b", box_dir / "s"), None, None, site.bridge)
    (box_dir / "site.yaml").write_text("bridge:\n  url: http://province.example.vn\n")
    done = subprocess.run([sys.executable, "-m", "motcua", "provision", "-c", str(DEMO_CONFIG), "--out",
                           str(box_dir / "etc"), "--site", str(box_dir / "site.yaml")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "site.yaml" in done.stderr and "mqtt://" in done.stderr
    assert not (box_dir / "etc").exists()  # nothing half-written


def test_a_failed_provisioning_leaves_the_previous_files(demo, box_dir):
    out = box_dir / "etc"
    provision_cli(out, free_port(), box_dir / "state")
    before = {p.name: p.read_bytes() for p in (out / "credentials").iterdir()}
    (box_dir / "pw").write_text("two words\n")
    (box_dir / "site.yaml").write_text("bridge:\n  url: mqtt://127.0.0.1:1\n  username: hoa-an\n  password_file: pw\n")
    done = subprocess.run([sys.executable, "-m", "motcua", "provision", "-c", str(DEMO_CONFIG), "--out", str(out),
                           "--site", str(box_dir / "site.yaml"), "--rotate"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "without blanks" in done.stderr
    assert {p.name: p.read_bytes() for p in (out / "credentials").iterdir()} == before
