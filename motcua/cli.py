"""The ``motcua`` command: one entry point, a subcommand per process or tool.

Each subcommand lives in its own package and is imported only when used, so a box without Qt
can still run ticketd. Exit codes: 0 ok, 1 runtime failure, 2 bad config or usage.
"""

from __future__ import annotations

import importlib
import sys

from motcua.runtime import EXIT_USAGE, ConfigExit

# name -> ("module:function" taking argv and returning an exit code, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "ticketd": ("ticketd.cli:main", "run the ticket daemon"),
    "check-config": ("motcua.config.cli:check_config_main", "validate the office YAML and print it"),
    "demo": ("motcua.demo:main", "run a whole simulated office on a private broker"),
    "display": ("display.cli:main", "hall | counter N | announcer | led"),
    "kiosk": ("kiosk.cli:main", "the touchscreen kiosk"),
    "rating-pad": ("rating_pad.cli:main", "the rating tablet of counter N"),
    "counter": ("counter_console.cli:main", "the officer's console of counter N"),
    "stats": ("kiosk.stats_cli:main", "publish dossier statistics"),
    "camera-bridge": ("camera_bridge.cli:bridge_main", "send the office's cameras to the province"),
    "camera-receiver": ("camera_bridge.cli:receiver_main", "receive cameras at the province"),
    "camera": ("camera_bridge.cli:keys_main", "camera keys: make CurveZMQ key pairs"),
    "province": ("province.cli:main", "the provincial aggregator and dashboard"),
    "doctor": ("motcua.doctor:main", "check everything and say what to do"),
    "devices": ("motcua.doctor:devices_main", "live status of every device"),
    "printer": ("ticketd.printer_cli:main", "printer test NAME | reprint NUMBER | fault NAME STATE"),
    "provision": ("motcua.provision:main", "broker config, passwords and ACLs for every device"),
    "backup": ("motcua.backup:backup_main", "consistent copy of the databases"),
    "restore": ("motcua.backup:restore_main", "restore a backup"),
    "report": ("ticketd.report.cli:main", "per officer, service and hour report"),
    "buttonbox": ("ticketd.buttonbox:main", "the serial button-box dispensers"),
    "keypads": ("counter_console.keypad_cli:main", "drive the serial counter keypads"),
}


def usage() -> str:
    lines = ["usage: motcua COMMAND [options]   (motcua COMMAND --help for its options)", "", "commands:"]
    lines += [f"  {name:<16} {help_}" for name, (_target, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0 if argv else EXIT_USAGE
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"motcua: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return EXIT_USAGE
    module_name, function = COMMANDS[name][0].split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == module_name or module_name.startswith(exc.name + ".")):
            print(f"motcua {name}: not built yet in this version", file=sys.stderr)
            return EXIT_USAGE
        raise
    try:
        return int(getattr(module, function)(rest) or 0)
    except ConfigExit as exc:
        return int(exc.code)


if __name__ == "__main__":
    sys.exit(main())
