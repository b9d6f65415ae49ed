"""Mosquitto files for one office: ``mosquitto.conf`` (listeners, bridge), the ACL and the
password file (hashed by ``mosquitto_passwd``)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from motcua.bus.topics import Topics
from motcua.config import OfficeConfig
from motcua.provision.accounts import Account, bridge_state_topic
from motcua.provision.site import LanListener, ProvinceBridge

# What the province sees (all QoS 1, so it is queued while the link is down).
BRIDGED = ("counter/+/state", "service/+/state", "hall", "stats", "device/+/status", "event/#")

TICKETS_WHEN_NO_QUOTA = 200  # a service without a daily quota counts as this many tickets
MESSAGES_PER_TICKET = 30  # events plus the state updates a ticket causes from take to finish


@dataclass(frozen=True)
class BrokerPaths:
    """Where the files live on the box (not where provision writes them)."""

    broker_dir: Path  # mosquitto.conf, passwd, acl, tls/
    state_dir: Path  # Mosquitto's persistence (the bridge's queue survives a restart)


@dataclass(frozen=True)
class LanTls:
    certfile: Path
    keyfile: Path


def day_of_messages(cfg: OfficeConfig) -> int:
    """A day of bridged messages for this office, doubled: the bridge's queue size."""
    tickets = sum(s.daily_quota or TICKETS_WHEN_NO_QUOTA for s in cfg.services)
    estimate = 2 * (tickets * MESSAGES_PER_TICKET + 5000)
    return max(20_000, -(-estimate // 10_000) * 10_000)


def render_conf(cfg: OfficeConfig, paths: BrokerPaths, lan: LanListener | None, lan_tls: LanTls | None,
                bridge: ProvinceBridge | None) -> str:
    office = cfg.office.id
    queue = (bridge.queue_messages if bridge and bridge.queue_messages else day_of_messages(cfg))
    lines = [
        f"# Mosquitto for the one-stop office {office}. Written by `motcua provision`: change the",
        "# office config or site.yaml and provision again instead of editing this file.",
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {paths.broker_dir / 'passwd'}",
        f"acl_file {paths.broker_dir / 'acl'}",
        "set_tcp_nodelay true",
        "persistence true",
        f"persistence_location {paths.state_dir}/",
        "autosave_interval 60",
        f"max_queued_messages {queue}",
        "max_queued_bytes 0",
        "log_dest stderr",
        "log_type error",
        "log_type warning",
        "log_type notice",
        "connection_messages true",
        "",
        "# the box's own services",
        f"listener {cfg.broker.port} 127.0.0.1",
    ]
    if lan is not None:
        lines += ["", "# the office's other machines (kiosks, rating pads, screens)",
                  f"listener {lan.port} {lan.bind_address}"]
        if lan_tls is not None:
            lines += [f"certfile {lan_tls.certfile}", f"keyfile {lan_tls.keyfile}", "tls_version tlsv1.2"]
    if bridge is not None:
        lines += ["", *_bridge_lines(cfg, bridge, paths)]
    return "\n".join(lines) + "\n"


def _bridge_lines(cfg: OfficeConfig, bridge: ProvinceBridge, paths: BrokerPaths) -> list[str]:
    office = cfg.office.id
    root = Topics(office).root
    lines = [
        "# the province: state, statistics and events go out and wait here while the link is down",
        f"connection province-{office}",
        f"address {bridge.host}:{bridge.port}",
        "bridge_protocol_version mqttv311",
        "try_private false",
        "cleansession false",
        f"remote_clientid motcua-office-{office}",
        f"local_clientid motcua-bridge-{office}",
        f"remote_username {bridge.username}",
        f"remote_password {bridge.password()}",
        "keepalive_interval 30",
        "restart_timeout 2 30",
        "notifications true",
        "notifications_local_only true",
        f"notification_topic {bridge_state_topic(office)}",
    ]
    if bridge.tls:
        lines += ["bridge_tls_version tlsv1.2", "bridge_insecure false"]
        if bridge.ca_file is not None:
            lines.append(f"bridge_cafile {bridge.ca_file}")
        else:
            lines.append("bridge_capath /etc/ssl/certs")
    lines += [f"topic {root}/{topic} out 1" for topic in BRIDGED]
    return lines


def render_acl(cfg: OfficeConfig, accounts: list[Account]) -> str:
    root = Topics(cfg.office.id).root
    lines = [
        f"# Who may do what on the broker of office {cfg.office.id}. Written by `motcua provision`.",
        "# Every user reads the MQTT 5 reply inbox named after it.",
        f"pattern read {root}/client/%u/#",
    ]
    for account in accounts:
        lines += ["", f"# {account.role}", f"user {account.user}"]
        for topic in dict.fromkeys((*account.write, *account.read)):
            access = ("readwrite" if topic in account.write and topic in account.read
                      else "write" if topic in account.write else "read")
            lines.append(f"topic {access} {topic}")
    return "\n".join(lines) + "\n"


def mosquitto_passwd_binary() -> str:
    for candidate in (shutil.which("mosquitto_passwd"), "/usr/bin/mosquitto_passwd"):
        if candidate and Path(candidate).exists():
            return candidate
    raise FileNotFoundError("mosquitto_passwd is missing: apt-get install mosquitto")


def hashed_password_file(passwords: dict[str, str]) -> str:
    """The password file text for ``{user: password}`` (hashed; no password on a command line)."""
    with tempfile.TemporaryDirectory(prefix="motcua-passwd-") as tmp:
        plain = Path(tmp) / "passwd"
        plain.touch(mode=0o600)
        plain.write_text("".join(f"{user}:{secret}\n" for user, secret in passwords.items()), encoding="utf-8")
        subprocess.run([mosquitto_passwd_binary(), "-U", str(plain)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return plain.read_text(encoding="utf-8")
