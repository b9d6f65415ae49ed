"""The provisioned broker refuses what a device must not do, and lets the office work."""

from __future__ import annotations

import json
import stat

from motcua.bus import BusClient, new_request_id
from office_harness import DEMO_CONFIG, TicketdProcess, wait_until
from tooling.brokers import RawClient, provision_cli, settle

ROOT = "motcua/hoa-an"
NOT_AUTHORIZED = 135


def test_unknown_user_wrong_password_and_anonymous_are_refused(provisioned_broker):
    port = provisioned_broker.port
    good = provisioned_broker.password("rating-pad@1", "rating-1")
    for user, password in (("intruder", "whatever"), ("rating-1", good + "x"), (None, None)):
        client = RawClient(port, user, password, client_id=f"probe-{user}")
        try:
            assert client.connack.is_failure, user
            assert client.connack.value in (134, 135), client.connack  # bad credentials / not authorized
        finally:
            client.close()
    client = RawClient(port, "rating-1", good, client_id="rating-1")
    try:
        assert not client.connack.is_failure
    finally:
        client.close()


def test_rating_pad_may_rate_its_counter_and_nothing_else(provisioned_broker):
    port = provisioned_broker.port
    watcher = RawClient(port, "ticketd", provisioned_broker.password("ticketd", "ticketd"), "ticketd-watch")
    pad = RawClient(port, "rating-1", provisioned_broker.password("rating-pad@1", "rating-1"), "rating-1")
    try:
        watcher.subscribe(f"{ROOT}/#")
        denied = [f"{ROOT}/counter/1/cmd", f"{ROOT}/counter/2/rating", f"{ROOT}/kiosk/kiosk-1/take",
                  f"{ROOT}/counter/1/state", f"{ROOT}/device/ticketd/status"]
        for topic in denied:
            assert pad.publish(topic, b'{"id":"x1","op":"call_next"}').value == NOT_AUTHORIZED, topic
        assert not pad.publish(f"{ROOT}/counter/1/rating", b'{"id":"r1"}').is_failure
        wait_until(lambda: watcher.received(f"{ROOT}/counter/1/rating"), timeout=5)
        settle()
        assert all(not watcher.received(topic) for topic in denied)
    finally:
        pad.close()
        watcher.close()


def test_display_cannot_publish_anything_but_reads_the_hall(provisioned_broker):
    port = provisioned_broker.port
    ticketd = RawClient(port, "ticketd", provisioned_broker.password("ticketd", "ticketd"), "ticketd-pub")
    display = RawClient(port, "hall-tv", provisioned_broker.password("display@hall", "hall-tv"), "hall-tv")
    try:
        for topic in ("hall", "call", "counter/1/cmd", "counter/1/rating", "kiosk/kiosk-1/take", "ticket/query",
                      "stats", "device/ticketd/status", "device/printer-1/status", "counter/1/state"):
            assert display.publish(f"{ROOT}/{topic}").value == NOT_AUTHORIZED, topic
        display.subscribe(f"{ROOT}/hall")
        display.subscribe(f"{ROOT}/kiosk/+/take")  # granted, but nothing may arrive
        assert not ticketd.publish(f"{ROOT}/hall", b'{"recent":[]}').is_failure
        assert not ticketd.publish(f"{ROOT}/kiosk/kiosk-1/take", b'{"id":"t1"}').is_failure
        wait_until(lambda: display.received(f"{ROOT}/hall"), timeout=5)
        settle()
        assert display.received(f"{ROOT}/kiosk/kiosk-1/take") == []
    finally:
        display.close()
        ticketd.close()


def test_credentials_files_are_private_and_name_their_account(provisioned_broker):
    creds = provisioned_broker.out / "credentials"
    for path in creds.glob("*.env"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(creds.stat().st_mode) == 0o700
    assert provisioned_broker.url("kiosk@kiosk-1").startswith("mqtt://kiosk-1:")
    assert "MOTCUA_ARGS=counter 1 --device-id counter-screen-1" in (creds / "display@counter-1.env").read_text()
    passwords = {provisioned_broker.password(p.stem, provisioned_broker.url(p.stem).split("//")[1].split(":")[0])
                 for p in creds.glob("*.env")}
    assert len(passwords) == len(list(creds.glob("*.env")))  # one password per account


def test_kiosk_takes_a_number_from_ticketd_running_on_its_own_account(provisioned_broker, tmp_path):
    broker = provisioned_broker
    ticketd = TicketdProcess(DEMO_CONFIG, broker.url("ticketd"), tmp_path / "data").start()
    office = "hoa-an"
    kiosk = BusClient(broker.url("kiosk@kiosk-1"), office, client_id="kiosk-1", device_id="kiosk-1", kind="kiosk")
    other = RawClient(broker.port, "kiosk-2", broker.password("kiosk@kiosk-2", "kiosk-2"), "kiosk-2")
    try:
        other.subscribe(f"{ROOT}/client/kiosk-1/#")  # another kiosk's inbox: nothing may arrive
        seen = {}
        kiosk.subscribe(kiosk.topics.device_status("ticketd"), lambda m: seen.update(ticketd=m.json()))
        kiosk.start(wait=10)
        try:
            wait_until(lambda: seen.get("ticketd", {}).get("state") == "online", timeout=20)
        except AssertionError:
            raise AssertionError("ticketd did not come online:\n" + ticketd.log() + broker.log())
        reply = kiosk.request(kiosk.topics.take("kiosk-1"), {"id": new_request_id("kiosk-1"), "service": "HT",
                                                             "print": False}, timeout=20)
        assert reply["ok"] is True, reply
        assert reply["ticket"]["number"] == "A001"
        # taking for another kiosk is refused by the broker: ticketd never answers
        assert other.publish(f"{ROOT}/kiosk/kiosk-1/take", json.dumps(
            {"id": "stolen-1", "service": "HT", "print": False}).encode()).value == NOT_AUTHORIZED
        settle()
        assert other.received(f"{ROOT}/client/kiosk-1/reply") == []
    finally:
        kiosk.stop()
        other.close()
        ticketd.stop()


def test_console_and_rating_pad_serve_and_rate_one_citizen(provisioned_broker, tmp_path):
    broker = provisioned_broker
    ticketd = TicketdProcess(DEMO_CONFIG, broker.url("ticketd"), tmp_path / "data").start()
    kiosk = BusClient(broker.url("kiosk@kiosk-1"), "hoa-an", client_id="kiosk-1")
    console = BusClient(broker.url("console-1"), "hoa-an", client_id="console-1")
    pad = BusClient(broker.url("rating-pad@1"), "hoa-an", client_id="rating-1")
    asks = []
    pad.subscribe(pad.topics.rate_request("1"), lambda m: asks.append(m.json()))
    pad.subscribe(pad.topics.rate_request("2"), lambda m: asks.append({"wrong counter": m.topic}))
    try:
        for bus in (kiosk, console, pad):
            bus.start(wait=10)
        take = kiosk.request(kiosk.topics.take("kiosk-1"), {"service": "HT", "print": False}, timeout=30)
        assert take["ok"], take
        for op in ({"op": "open", "officer": "cb-lan"}, {"op": "call_next"}, {"op": "start"},
                   {"op": "finish", "outcome": "received"}):
            reply = console.request(console.topics.counter_cmd("1"), op, timeout=20)
            assert reply["ok"], (op, reply)
        wait_until(lambda: asks, timeout=10)
        assert asks[0]["ticket"] == take["ticket"]["number"]
        rated = pad.request(pad.topics.counter_rating("1"), {"ticket": asks[0]["ticket"], "level": "satisfied"},
                            timeout=20)
        assert rated["ok"], rated
        assert rated["rating"]["officer"]["id"] == "cb-lan"
        assert all("wrong counter" not in a for a in asks)
    finally:
        for bus in (kiosk, console, pad):
            bus.stop()
        ticketd.stop()


def test_provisioning_again_keeps_passwords_unless_rotated(provisioned_broker):
    before = provisioned_broker.password("rating-pad@1", "rating-1")
    provision_cli(provisioned_broker.out, provisioned_broker.port, provisioned_broker.state_dir)
    assert provisioned_broker.password("rating-pad@1", "rating-1") == before
    provision_cli(provisioned_broker.out, provisioned_broker.port, provisioned_broker.state_dir, "--rotate")
    assert provisioned_broker.password("rating-pad@1", "rating-1") != before
