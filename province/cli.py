"""``motcua province``: run the provincial centre, manage supervisors, print monthly reports.

    motcua province [run]              aggregator + dashboard until SIGTERM
    motcua province add-user NAME      add a supervisor or change a password (stdin or prompt)
    motcua province login-link NAME    print a one-time login link for a supervisor
    motcua province report YYYY-MM     monthly report (--by office|officer, --format csv|html)
    motcua province migrate            apply database migrations and print the schema version
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from datetime import date
from pathlib import Path
from urllib.parse import quote

import psycopg

from motcua.clock import Clock
from motcua.i18n import t
from motcua.runtime import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, run_until_signal, setup_logging
from province.config import ProvinceConfig, ProvinceConfigError, load_province_config

log = logging.getLogger("province")
COMMANDS = ("run", "add-user", "login-link", "report", "migrate")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua province", description="The provincial centre.")
    parser.add_argument("-c", "--config", help="province YAML (default: $MOTCUA_PROVINCE_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the aggregator and the dashboard")
    add_user = sub.add_parser("add-user", help="add a supervisor or change a password")
    add_user.add_argument("name")
    link = sub.add_parser("login-link", help="print a one-time login link")
    link.add_argument("name")
    link.add_argument("--next", default="/", help="page to open after logging in, e.g. /office/hoa-an")
    rep = sub.add_parser("report", help="monthly report per office or per officer")
    rep.add_argument("month", help="YYYY-MM")
    rep.add_argument("--by", choices=("office", "officer"), default="office")
    rep.add_argument("--format", choices=("csv", "html"), default="csv")
    rep.add_argument("-o", "--output", help="file to write (default: standard output)")
    sub.add_parser("migrate", help="apply database migrations")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not any(arg in COMMANDS for arg in argv) and "-h" not in argv and "--help" not in argv:
        argv.append("run")
    options = _parser().parse_args(argv)
    setup_logging(options.verbose)
    try:
        cfg = load_province_config(options.config)
    except ProvinceConfigError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        return EXIT_USAGE
    try:
        if options.command == "add-user":
            return add_user(cfg, options.name)
        if options.command == "login-link":
            return login_link(cfg, options.name, options.next)
        if options.command == "report":
            return print_report(cfg, options.month, options.by, options.format, options.output)
        if options.command == "migrate":
            return migrate(cfg)
        return run(cfg)
    except psycopg.OperationalError as exc:
        print(t("province.cli_database_error", error=str(exc).strip()), file=sys.stderr)
        return EXIT_RUNTIME


def run(cfg: ProvinceConfig) -> int:
    from province.app import ProvinceService

    service = ProvinceService(cfg).start()
    log.info("province aggregator on %s, dashboard on http://%s:%d/", service.aggregator.broker.masked(),
             *service.dashboard.address)
    return run_until_signal(service.stop)


def _read_password(name: str) -> str | None:
    if sys.stdin.isatty():
        first = getpass.getpass(t("province.cli_password_prompt", user=name))
        if getpass.getpass(t("province.cli_password_again")) != first:
            print(t("province.cli_password_mismatch"), file=sys.stderr)
            return None
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        print(t("province.cli_password_empty"), file=sys.stderr)
        return None
    return line


def add_user(cfg: ProvinceConfig, name: str) -> int:
    from province.auth import MIN_PASSWORD, USERNAME_RE, Users

    if not USERNAME_RE.match(name):
        print(t("province.cli_bad_username", user=name), file=sys.stderr)
        return EXIT_USAGE
    password = _read_password(name)
    if password is None:
        return EXIT_USAGE
    if len(password) < MIN_PASSWORD:
        print(t("province.cli_password_short", count=MIN_PASSWORD), file=sys.stderr)
        return EXIT_USAGE
    Users(cfg.users_file).set_password(name, password)
    print(t("province.cli_user_saved", user=name, path=cfg.users_file))
    return EXIT_OK


def login_link(cfg: ProvinceConfig, name: str, next_path: str = "/") -> int:
    from province.auth import Users, create_login_link
    from province.migrations import migrate as apply_migrations

    if not Users(cfg.users_file).exists(name):
        print(t("province.cli_unknown_user", user=name), file=sys.stderr)
        return EXIT_USAGE
    with psycopg.connect(cfg.database.dsn, autocommit=True) as conn:
        apply_migrations(conn)
        token = create_login_link(conn, name, cfg.http.login_link_minutes)
    print(t("province.cli_login_link", user=name, minutes=cfg.http.login_link_minutes), file=sys.stderr)
    suffix = "" if next_path == "/" else f"&next={quote(next_path, safe='/')}"
    print(f"{cfg.base_url()}/login/link?token={token}{suffix}")
    return EXIT_OK


def print_report(cfg: ProvinceConfig, month_text: str, by: str, fmt: str, output: str | None) -> int:
    from psycopg.rows import dict_row

    from province import queries, report

    try:
        month = date.fromisoformat(f"{month_text}-01")
    except ValueError:
        print(t("province.bad_month", month=month_text), file=sys.stderr)
        return EXIT_USAGE
    with psycopg.connect(cfg.database.dsn, autocommit=True, row_factory=dict_row) as conn:
        rows = (queries.monthly_officers if by == "officer" else queries.monthly_offices)(conn, month)
    header, cells = report.table(by, rows, cfg.offices)
    if fmt == "csv":
        data = report.to_csv(header, cells)
    else:
        now = Clock.from_env(cfg.province.timezone).now()
        data = report.to_html(by, month, header, cells, cfg.province.name, now, standalone=True).encode("utf-8")
    if output:
        Path(output).write_bytes(data)
        print(t("province.cli_report_written", path=output), file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


def migrate(cfg: ProvinceConfig) -> int:
    from province.migrations import migrate as apply_migrations, schema_version

    with psycopg.connect(cfg.database.dsn, autocommit=True) as conn:
        apply_migrations(conn)
        print(t("province.cli_schema", version=schema_version(conn)))
    return EXIT_OK
