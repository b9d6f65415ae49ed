"""A client using only mosquitto_pub / mosquitto_sub and CONTRACT.md."""

from __future__ import annotations

import json
import subprocess
import time


def pub(broker, topic: str, payload: dict) -> None:
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1", "-t", topic,
                    "-m", json.dumps(payload)], check=True, timeout=10)


def sub_one(broker, topic: str, count: int = 1) -> subprocess.Popen:
    return subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1", "-t", topic,
                             "-C", str(count), "-W", "20"], stdout=subprocess.PIPE, text=True)


def ask(broker, topic: str, payload: dict) -> dict:
    listener = sub_one(broker, f"motcua/hoa-an/reply/{payload['id']}")
    time.sleep(0.3)  # let mosquitto_sub subscribe before the request goes out
    pub(broker, topic, payload)
    out, _ = listener.communicate(timeout=25)
    return json.loads(out.splitlines()[0])


def test_take_open_call_finish_with_command_line_tools(office, broker):
    _ticketd, _w = office
    taken = ask(broker, "motcua/hoa-an/kiosk/kiosk-1/take", {"id": "cli-1", "service": "DD", "print": False})
    assert taken["ok"] and taken["ticket"]["number"] == "C001"
    assert ask(broker, "motcua/hoa-an/counter/3/cmd", {"id": "cli-2", "op": "open", "officer": "cb-dung"})["ok"]
    called = ask(broker, "motcua/hoa-an/counter/3/cmd", {"id": "cli-3", "op": "call_next"})
    assert called["ticket"]["number"] == "C001"
    retained = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-t",
                               "motcua/hoa-an/counter/3/state", "-C", "1", "-W", "10"],
                              capture_output=True, text=True, timeout=15)
    state = json.loads(retained.stdout)
    assert state["current"]["number"] == "C001" and state["status"] == "open"
    finished = ask(broker, "motcua/hoa-an/counter/3/cmd", {"id": "cli-4", "op": "finish", "outcome": "received"})
    assert finished["ticket"]["state"] == "done"
