"""Mosquitto brokers for the province tests: an office broker bridged to a provincial one.

The bridge section is what an office's broker carries in production (``motcua provision``
writes the real one): the office's tree goes out at QoS 1 over a persistent session, queued on
disk while the province is unreachable.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from motcua.broker import LocalBroker


class PersistentBroker(LocalBroker):
    """A broker that keeps sessions and queued messages on disk across restarts."""

    def __init__(self, workdir: Path, port: int | None = None, bridge_lines: list[str] | None = None) -> None:
        super().__init__(port=port, workdir=workdir, persistence=True)
        self.bridge_lines = bridge_lines or []
        if os.geteuid() == 0:  # mosquitto started as root drops to its own user: it must write here
            try:
                entry = pwd.getpwnam("mosquitto")
                os.chown(self.workdir, entry.pw_uid, entry.pw_gid)
            except KeyError:
                pass

    def _write_config(self) -> Path:
        conf = super()._write_config()
        with conf.open("a", encoding="utf-8") as handle:
            handle.write("autosave_interval 1\n" + "".join(line + "\n" for line in self.bridge_lines))
        return conf


def office_broker(workdir: Path, office: str, province_port: int) -> PersistentBroker:
    return PersistentBroker(workdir, bridge_lines=[
        f"connection province-{office}",
        f"address 127.0.0.1:{province_port}",
        f"topic motcua/{office}/# out 1",
        "cleansession false",
        f"remote_clientid bridge-{office}",
        f"local_clientid bridge-{office}-local",
        "bridge_protocol_version mqttv311",
        "restart_timeout 1 2",
        "keepalive_interval 5",
        "start_type automatic",
        "notifications false",
    ])
