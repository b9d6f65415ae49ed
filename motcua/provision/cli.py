"""``motcua provision -c CONFIG --out DIR``: the office broker's files and every device's credentials.

Writes ``DIR/broker/{mosquitto.conf,passwd,acl}`` (and ``broker/tls/`` for a TLS LAN listener),
``DIR/credentials/<name>.env`` (mode 0600: ``MOTCUA_MQTT_URL`` with the account's user and
password, and ``MOTCUA_ARGS`` for its unit) and ``DIR/box-units.txt`` (the units the box itself
runs). Passwords already in ``DIR/credentials`` are kept unless ``--rotate``, so provisioning
again after a config change does not unsettle the devices already installed.
"""

from __future__ import annotations

import argparse
import grp
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from pydantic import ValidationError

from motcua.config import OfficeConfig
from motcua.i18n import t
from motcua.provision.accounts import Account, accounts_for
from motcua.provision.mosquitto import BrokerPaths, LanTls, hashed_password_file, render_acl, render_conf
from motcua.provision.site import SiteSettings, load_site
from motcua.provision.tls import issue_server_cert
from motcua.runtime import EXIT_OK, EXIT_USAGE, load_or_exit

DEFAULT_STATE_DIR = Path("/var/lib/motcua-broker")


@dataclass(frozen=True)
class Credential:
    account: Account
    path: Path


def write_private(path: Path, text: str, mode: int) -> None:
    """Write ``path`` atomically, created with ``mode`` (never readable by others in between)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def existing_password(env_file: Path, user: str) -> str | None:
    """The password of ``user`` in an existing credentials file, if any."""
    if not env_file.exists():
        return None
    for line in env_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("MOTCUA_MQTT_URL="):
            parts = urlsplit(line.partition("=")[2].strip())
            if parts.username and unquote(parts.username) == user and parts.password:
                return unquote(parts.password)
    return None


def account_url(cfg: OfficeConfig, site: SiteSettings, account: Account, password: str) -> str:
    auth = f"{quote(account.user, safe='')}:{quote(password, safe='')}"
    if account.lan and site.lan is not None:
        scheme = "mqtts" if site.lan.tls else "mqtt"
        return f"{scheme}://{auth}@{site.lan.host}:{site.lan.port}"
    return f"mqtt://{auth}@127.0.0.1:{cfg.broker.port}"


def credentials_text(account: Account, url: str, ca_file: Path | None) -> str:
    lines = [
        f"# Broker credentials of {account.user} ({account.role}"
        + (f", {account.unit})" if account.unit else ")"),
        "# Keep secret (mode 0600). Made by `motcua provision`; provision again to change it.",
        f"MOTCUA_MQTT_URL={url}",
    ]
    if account.args:
        lines.append(f"MOTCUA_ARGS={account.args}")
    lines += [f"{name}={value}" for name, value in account.env]
    if ca_file is not None:
        lines.append(f"MOTCUA_MQTT_CA={ca_file}")
    return "\n".join(lines) + "\n"


def _group_id(name: str | None) -> int | None:
    if not name or os.geteuid() != 0:
        return None
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return None


def provision(cfg: OfficeConfig, site: SiteSettings, out: Path, as_dir: Path, state_dir: Path,
              rotate: bool = False, broker_group: str | None = "mosquitto") -> list[Credential]:
    """Write every file; return the credentials, one per account. Everything is prepared before
    the first file is written, so an error leaves the previous files as they were."""
    accounts = accounts_for(cfg)
    broker_out, creds_out = out / "broker", out / "credentials"
    broker_paths = BrokerPaths(as_dir / "broker", state_dir)
    passwords = {a.user: (None if rotate else existing_password(creds_out / f"{a.env_name}.env", a.user))
                 or secrets.token_urlsafe(24) for a in accounts}
    lan_tls = ca_file = None
    if site.lan is not None and site.lan.tls:
        if site.lan.certfile is not None:
            lan_tls = LanTls(site.lan.certfile, site.lan.keyfile)
        else:
            tls_dir = broker_paths.broker_dir / "tls"
            lan_tls, ca_file = LanTls(tls_dir / "server.crt", tls_dir / "server.key"), tls_dir / "ca.crt"
    broker_files = {
        "mosquitto.conf": render_conf(cfg, broker_paths, site.lan, lan_tls, site.bridge),
        "acl": render_acl(cfg, accounts),
        "passwd": hashed_password_file(passwords),
    }
    credentials = {
        f"{a.env_name}.env": credentials_text(a, account_url(cfg, site, a, passwords[a.user]),
                                              ca_file if a.lan else None)
        for a in accounts
    }

    broker_out.mkdir(parents=True, exist_ok=True)
    creds_out.mkdir(parents=True, exist_ok=True)
    creds_out.chmod(0o700)
    if ca_file is not None:
        issue_server_cert(broker_out / "tls", cfg.office.id, site.lan.host)
    for name, text in credentials.items():
        write_private(creds_out / name, text, 0o600)
    for stale in creds_out.glob("*.env"):
        if stale.name not in credentials:
            stale.unlink()
    for name, text in broker_files.items():
        write_private(broker_out / name, text, 0o640)
    gid = _group_id(broker_group)
    if gid is not None:
        for path in [*(broker_out / name for name in broker_files), broker_out / "tls" / "server.key"]:
            if path.exists():
                os.chown(path, -1, gid)
    box_units = [a.unit for a in accounts if a.unit and not a.lan]
    (out / "box-units.txt").write_text("\n".join(box_units) + "\n", encoding="utf-8")
    return [Credential(a, creds_out / f"{a.env_name}.env") for a in accounts]


def main(argv: list[str] | None = None) -> int:
    from motcua.doctor.cli import config_path

    parser = argparse.ArgumentParser(prog="motcua provision", description=t("doctor.provision_description"))
    parser.add_argument("-c", "--config", help=t("doctor.option_config"))
    parser.add_argument("--out", required=True, type=Path, help=t("doctor.provision_option_out"))
    parser.add_argument("--site", type=Path, help=t("doctor.provision_option_site"))
    parser.add_argument("--as-dir", type=Path, help=t("doctor.provision_option_as_dir"))
    parser.add_argument("--broker-state", type=Path, default=DEFAULT_STATE_DIR,
                        help=t("doctor.provision_option_state"))
    parser.add_argument("--rotate", action="store_true", help=t("doctor.provision_option_rotate"))
    options = parser.parse_args(argv)
    cfg = load_or_exit(config_path(options.config))
    try:
        site = load_site(options.site)
    except (OSError, ValidationError, ValueError) as exc:
        print(t("doctor.provision_bad_site", path=options.site, error=exc), file=sys.stderr)
        return EXIT_USAGE
    out = options.out.resolve()
    try:
        made = provision(cfg, site, out, (options.as_dir or out).resolve(), options.broker_state.resolve(),
                         options.rotate)
    except (OSError, ValueError) as exc:
        print(t("doctor.provision_failed", error=exc), file=sys.stderr)
        return EXIT_USAGE
    print(t("doctor.provision_done", path=out, count=len(made)))
    for cred in made:
        where = t("doctor.provision_lan") if cred.account.lan else t("doctor.provision_box")
        print(f"  {cred.path.name:<28} {cred.account.unit or '-':<40} {where}")
    return EXIT_OK
