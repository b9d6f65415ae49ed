"""``motcua camera-bridge``, ``motcua camera-receiver`` and ``motcua camera keys``.

Exit codes: 0 stopped by a signal, 2 bad config, usage or key files, 1 runtime failure.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from pathlib import Path

from pydantic import ValidationError

from camera_bridge.keys import KeyFileError, load_public, load_secret, make_key_pair
from camera_bridge.redact import install_filter, url_secrets
from camera_bridge.settings import (
    BridgeSettings,
    load_bridge_settings,
    load_receiver_settings,
    resolve_paths,
)
from motcua.clock import iso
from motcua.i18n import t
from motcua.runtime import EXIT_OK, EXIT_USAGE, load_or_exit, office_clock, run_until_signal, setup_logging

log = logging.getLogger("camera_bridge.cli")


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace | int:
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE


def _fail(message: str, detail: object = None) -> int:
    print(message, file=sys.stderr)
    if detail is not None:
        print(detail, file=sys.stderr)
    return EXIT_USAGE


def _check_keys(*checks: tuple) -> str | None:
    for loader, path in checks:
        try:
            loader(path)
        except KeyFileError as exc:
            return str(exc)
    return None


def bridge_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua camera-bridge", description=t("camera.bridge_description"))
    parser.add_argument("-c", "--config", help=t("camera.option_config"))
    parser.add_argument("--settings", type=Path, help=t("camera.option_settings"))
    parser.add_argument("-v", "--verbose", action="store_true", help=t("camera.option_verbose"))
    args = _parse(parser, argv)
    if isinstance(args, int):
        return args
    setup_logging(args.verbose)
    cfg = load_or_exit(args.config)
    if args.settings is not None:
        try:
            settings = load_bridge_settings(args.settings)
        except (ValidationError, OSError, ValueError) as exc:
            return _fail(t("camera.bad_settings", path=args.settings), exc)
    else:
        section = getattr(cfg, "camera_bridge", None)
        if section is None:
            return _fail(t("camera.no_settings"))
        settings = resolve_paths(section, Path(cfg.source).resolve().parent)
    cameras = cfg.devices.cameras
    if not cameras:
        return _fail(t("camera.no_cameras"))
    for camera in cameras:
        if not os.environ.get(camera.url_env):
            return _fail(t("camera.missing_url", env=camera.url_env, camera=camera.id))
    problem = _check_keys((load_secret, settings.office_key), (load_public, settings.receiver_key))
    if problem:
        return _fail(t("camera.key_problem", detail=problem))
    install_filter([s for c in cameras for s in url_secrets(os.environ[c.url_env])])
    return _run_bridge(cfg, settings, cameras)


def _run_bridge(cfg, settings: BridgeSettings, cameras) -> int:
    from camera_bridge.publisher import MqttHealthPublisher
    from camera_bridge.supervisor import Supervisor
    from camera_bridge.worker import WorkerSpec

    specs = [WorkerSpec(c.id, c.url_env, c.stream, c.fps, c.uplink_kbps, c.stall_s, settings) for c in cameras]
    clock = office_clock(cfg)
    publisher = MqttHealthPublisher(cfg, [c.id for c in cameras]).start()
    supervisor = Supervisor(specs, settings, publisher, clock=lambda: iso(clock.now()))
    thread = threading.Thread(target=supervisor.run, name="supervisor")
    thread.start()

    def stop() -> None:
        supervisor.stop()
        thread.join()
        publisher.stop()

    return run_until_signal(stop)


def receiver_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua camera-receiver", description=t("camera.receiver_description"))
    parser.add_argument("-c", "--config", type=Path, required=True, help=t("camera.option_receiver_config"))
    parser.add_argument("-v", "--verbose", action="store_true", help=t("camera.option_verbose"))
    args = _parse(parser, argv)
    if isinstance(args, int):
        return args
    setup_logging(args.verbose)
    try:
        settings = load_receiver_settings(args.config)
    except (ValidationError, OSError, ValueError) as exc:
        return _fail(t("camera.bad_settings", path=args.config), exc)
    problem = _check_keys((load_secret, settings.server_key))
    if problem:
        return _fail(t("camera.key_problem", detail=problem))
    from camera_bridge.receiver import Receiver

    receiver = Receiver(settings)
    if settings.http_port is not None:
        log.info("re-serving segments on http://127.0.0.1:%d/", receiver.serve_http())
    thread = threading.Thread(target=receiver.run, name="receiver")
    thread.start()

    def stop() -> None:
        receiver.stop()
        thread.join()

    return run_until_signal(stop)


def keys_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua camera", description=t("camera.keys_description"))
    commands = parser.add_subparsers(dest="command", required=True)
    keys = commands.add_parser("keys", description=t("camera.keys_description"))
    keys.add_argument("name", help=t("camera.option_key_name"))
    keys.add_argument("--dir", type=Path, default=Path("."), help=t("camera.option_key_dir"))
    keys.add_argument("--force", action="store_true", help=t("camera.option_force"))
    args = _parse(parser, argv)
    if isinstance(args, int):
        return args
    try:
        public, secret = make_key_pair(args.dir, args.name, force=args.force)
    except FileExistsError as exc:
        return _fail(t("camera.keys_exist", path=exc.args[0]))
    except ValueError as exc:
        return _fail(str(exc))
    print(t("camera.keys_made", public=public, secret=secret))
    print(t("camera.keys_hint"))
    return EXIT_OK
