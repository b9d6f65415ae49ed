"""Office → province: a rating made while the province is unreachable arrives when it is back."""

from __future__ import annotations

import json
import os
import pwd
import subprocess

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from motcua.broker import free_port, mosquitto_binary
from office_harness import wait_until
from tooling.brokers import ProvisionedBroker, RawClient, provision_cli, wait_for_port

OFFICE_ROOT = "motcua/hoa-an"


class ProvinceBroker:
    """The provincial Mosquitto: password protected, persistent, restartable on its port."""

    def __init__(self, folder, users: dict[str, str]) -> None:
        self.folder, self.port = folder, free_port()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "passwd").write_text("".join(f"{u}:{p}\n" for u, p in users.items()))
        subprocess.run(["mosquitto_passwd", "-U", str(folder / "passwd")], check=True)
        (folder / "mosquitto.conf").write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous false\npassword_file {folder}/passwd\n"
            f"persistence true\npersistence_location {folder}/\nlog_dest stderr\n")
        if os.geteuid() == 0:
            user = pwd.getpwnam("mosquitto")
            for path in (folder, folder / "passwd"):
                os.chown(path, user.pw_uid, user.pw_gid)
        self.process = None

    def start(self) -> "ProvinceBroker":
        log = self.folder / "mosquitto.log"
        self.process = subprocess.Popen([mosquitto_binary(), "-c", str(self.folder / "mosquitto.conf")],
                                        stdout=subprocess.DEVNULL, stderr=open(log, "ab"))
        wait_for_port(self.port, self.process, log)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class ProvinceSubscriber:
    """A provincial aggregator with a persistent session: it misses nothing across restarts."""

    def __init__(self, port: int, password: str) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="province-aggregator", protocol=mqtt.MQTTv5)
        self.client.username_pw_set("aggregator", password)
        self.client.on_message = lambda _c, _u, msg: self.messages.append((msg.topic, msg.payload))
        self.client.on_connect = lambda client, *_: client.subscribe(f"{OFFICE_ROOT}/#", qos=1)
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        self.client.connect("127.0.0.1", port, clean_start=False, properties=props)
        self.client.loop_start()

    def payloads(self, topic: str) -> list[dict]:
        return [json.loads(p) for t, p in list(self.messages) if t == topic]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_rating_made_while_the_province_is_down_arrives_when_it_is_back(box_dir):
    province = ProvinceBroker(box_dir / "province", {"hoa-an": "bridge-secret", "aggregator": "agg-secret"}).start()
    aggregator = ProvinceSubscriber(province.port, "agg-secret")
    (box_dir / "province-password").write_text("bridge-secret\n")
    (box_dir / "site.yaml").write_text(
        f"bridge:\n  url: mqtt://127.0.0.1:{province.port}\n  username: hoa-an\n"
        f"  password_file: province-password\n")
    port = free_port()
    out = box_dir / "etc"
    provision_cli(out, port, box_dir / "office-state", "--site", str(box_dir / "site.yaml"))
    office = ProvisionedBroker(out, port, box_dir / "office-state").start()
    doctor = ticketd = None
    try:
        doctor = RawClient(port, "doctor", office.password("doctor", "doctor"), "doctor-watch")
        doctor.subscribe("motcua-bridge/hoa-an/state")
        wait_until(lambda: doctor.received("motcua-bridge/hoa-an/state")[-1:] == [b"1"], timeout=30)
        ticketd = RawClient(port, "ticketd", office.password("ticketd", "ticketd"), "ticketd-events")

        rating_topic = f"{OFFICE_ROOT}/event/rating"
        first = {"id": "i1-1", "office": "hoa-an", "rating": {"ticket": "A001", "level": "satisfied"}}
        assert not ticketd.publish(rating_topic, json.dumps(first).encode()).is_failure
        wait_until(lambda: aggregator.payloads(rating_topic) == [first], timeout=30)

        province.stop()  # the link is down
        wait_until(lambda: doctor.received("motcua-bridge/hoa-an/state")[-1:] == [b"0"], timeout=30)
        offline = {"id": "i1-2", "office": "hoa-an",
                   "rating": {"ticket": "A002", "level": "dissatisfied", "reasons": ["Thời gian chờ lâu"]}}
        assert not ticketd.publish(rating_topic, json.dumps(offline, ensure_ascii=False).encode()).is_failure
        state = {"counter": "1", "status": "open"}
        assert not ticketd.publish(f"{OFFICE_ROOT}/counter/1/state", json.dumps(state).encode(), retain=True).is_failure
        ticketd.close()
        doctor.close()
        doctor = ticketd = None

        office.stop()  # a power cut at the office too: the queue is on disk
        office.start()
        province.start()
        wait_until(lambda: aggregator.payloads(rating_topic) == [first, offline], timeout=90)
        wait_until(lambda: state in aggregator.payloads(f"{OFFICE_ROOT}/counter/1/state"), timeout=30)
        assert aggregator.payloads(rating_topic)[1]["rating"]["reasons"] == ["Thời gian chờ lâu"]
    finally:
        for client in (doctor, ticketd):
            if client is not None:
                client.close()
        aggregator.close()
        office.stop()
        province.stop()
