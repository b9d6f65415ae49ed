"""The dashboard's HTTP server (standard library): login, pages, server-sent events, reports.

Read-only: the only POSTs are login and logout. Every page but the login form and the static
files needs a session cookie. Responses forbid framing, inline scripts and caching.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import date
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import psycopg

from motcua.clock import Clock
from motcua.i18n import t
from province import pages, queries, report
from province.auth import Sessions, Throttle, Users, redeem_login_link
from province.config import ProvinceConfig
from province.live import Live
from province.queries import Pool

log = logging.getLogger("province.web")

STATIC = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
COOKIE = "motcua_province"
MONTH_RE = re.compile(r"^/report/(\d{4})-(\d{2})(/officers)?(\.csv)?$")
OFFICE_RE = re.compile(r"^/office/([a-z0-9-]{1,64})$")
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Dashboard:
    """Serves the dashboard on ``cfg.http.host:port`` (127.0.0.1 by default) in its own threads."""

    def __init__(self, cfg: ProvinceConfig, pool: Pool, live: Live, clock: Clock,
                 ready: Callable[[], bool] = lambda: True) -> None:
        self.cfg, self.pool, self.live, self.clock = cfg, pool, live, clock
        self.ready = ready  # for /healthz: the aggregator is subscribed on the broker
        self.users = Users(cfg.users_file)
        self.sessions = Sessions(cfg.http.session_hours * 3600)
        self.throttle = Throttle()
        self.server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        return self.server.server_address[:2]

    def start(self) -> "Dashboard":
        dashboard = self

        class Handler(_Handler):
            app = dashboard

        self.server = ThreadingHTTPServer((self.cfg.http.host, self.cfg.http.port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="province-http", daemon=True)
        self._thread.start()
        if not self.users.names():
            log.warning("no supervisor accounts in %s: create one with `motcua province add-user NAME`",
                        self.cfg.users_file)
        log.info("dashboard on http://%s:%d/", *self.address)
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    app: Dashboard
    server_version = "motcua-province"
    sys_version = ""

    # ---- plumbing ---------------------------------------------------------------------------
    def log_message(self, fmt: str, *args) -> None:  # no query strings (login tokens) in logs
        log.debug("%s %s", self.address_string(), fmt % args if "token=" not in (fmt % args) else "login link")

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {**HEADERS, "Content-Type": content_type, "Content-Length": str(len(body)),
                            **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _html(self, text: str, status: int = HTTPStatus.OK) -> None:
        self._send(status, text.encode("utf-8"))

    def _redirect(self, location: str, cookie: str | None = None) -> None:
        headers = {"Location": location}
        if cookie is not None:
            headers["Set-Cookie"] = cookie
        self._send(HTTPStatus.SEE_OTHER, b"", headers=headers)

    def _cookie(self, token: str, max_age: int | None = None) -> str:
        secure = "; Secure" if self.app.cfg.http.secure_cookies else ""
        age = self.app.cfg.http.session_hours * 3600 if max_age is None else max_age
        return f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={int(age)}{secure}"

    def _token(self) -> str | None:
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except Exception:  # a malformed cookie header is no session
            return None
        morsel = jar.get(COOKIE)
        return morsel.value if morsel else None

    def _user(self) -> str | None:
        """The session's supervisor, while the account still exists in the users file."""
        user = self.app.sessions.user(self._token())
        return user if user and self.app.users.exists(user) else None

    def _province(self) -> str:
        return self.app.cfg.province.name

    # ---- routes -----------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        if urlsplit(self.path).path == "/events":  # a stream has no head
            return self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain")
        self.do_GET()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path, params = url.path, parse_qs(url.query)
        try:
            if path.startswith("/static/"):
                return self._static(path[len("/static/"):])
            if path == "/healthz":
                if self.app.ready():
                    return self._send(HTTPStatus.OK, b"ok\n", "text/plain; charset=utf-8")
                return self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"broker not connected\n",
                                  "text/plain; charset=utf-8")
            if path == "/login":
                return self._html(pages.login_page(self._province(), no_users=not self.app.users.names()))
            if path == "/login/link":
                return self._login_link((params.get("token") or [""])[0], (params.get("next") or ["/"])[0])
            user = self._user()
            if user is None:
                if path == "/events":
                    return self._send(HTTPStatus.UNAUTHORIZED, b"", "text/plain")
                return self._redirect("/login")
            if path == "/":
                return self._overview(user)
            if path == "/events":
                office = (params.get("office") or [None])[0]
                version = (params.get("v") or [""])[0]
                return self._events(office, int(version) if version.isdigit() else None)
            if match := OFFICE_RE.match(path):
                return self._office(user, match.group(1))
            if path == "/report":
                return self._redirect(f"/report/{self.app.live.period().day.strftime('%Y-%m')}")
            if match := MONTH_RE.match(path):
                return self._report(user, match)
            return self._html(pages.message_page(t("province.not_found"), self._province(), user),
                              HTTPStatus.NOT_FOUND)
        except psycopg.OperationalError as exc:
            log.error("database unavailable: %s", exc)
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"database unavailable\n", "text/plain; charset=utf-8")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == "/login":
            return self._login()
        if path == "/logout":
            self.app.sessions.drop(self._token())
            return self._redirect("/login", self._cookie("", max_age=0))
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain")

    def _static(self, name: str) -> None:
        path = STATIC / name
        if "/" in name or path.suffix not in STATIC_TYPES or not path.is_file():
            return self._send(HTTPStatus.NOT_FOUND, b"", "text/plain")
        self._send(HTTPStatus.OK, path.read_bytes(), STATIC_TYPES[path.suffix],
                   {"Cache-Control": "public, max-age=300"})

    # ---- login ------------------------------------------------------------------------------
    def _login(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 4096:
            return self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"", "text/plain")
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        user = (form.get("user") or [""])[0].strip().lower()
        password = (form.get("password") or [""])[0]
        keys = (f"user:{user}", f"addr:{self.client_address[0]}")
        wait = self.app.throttle.blocked_for(*keys)
        if wait:
            minutes = max(1, int(wait // 60) + 1)
            return self._html(pages.login_page(self._province(), t("province.login_locked", minutes=minutes)),
                              HTTPStatus.TOO_MANY_REQUESTS)
        if not self.app.users.check(user, password):
            self.app.throttle.failed(*keys)
            log.warning("failed login for %r from %s", user, self.client_address[0])
            return self._html(pages.login_page(self._province(), t("province.login_failed")), HTTPStatus.UNAUTHORIZED)
        self.app.throttle.succeeded(*keys)
        log.info("supervisor %s logged in from %s", user, self.client_address[0])
        self._redirect("/", self._cookie(self.app.sessions.create(user)))

    def _login_link(self, token: str, next_path: str) -> None:
        with self.app.pool.connection() as conn:
            user = redeem_login_link(conn, token)
        if user is None or not self.app.users.exists(user):
            return self._html(pages.login_page(self._province(), t("province.login_link_invalid")),
                              HTTPStatus.FORBIDDEN)
        log.info("supervisor %s logged in with a one-time link from %s", user, self.client_address[0])
        local = next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path
        self._redirect(next_path if local else "/", self._cookie(self.app.sessions.create(user)))

    # ---- pages ------------------------------------------------------------------------------
    def _overview(self, user: str) -> None:
        version, rows, fragments = self.app.live.overview_snapshot()
        body = pages.overview_body(rows, fragments)
        self._html(pages.layout(t("province.nav_overview"), body, self._province(), user, f"/events?v={version}"))

    def _office(self, user: str, office: str) -> None:
        snapshot = self.app.live.office_snapshot(office)
        if snapshot is None:
            return self._html(pages.message_page(t("province.office_not_found", office=office), self._province(),
                                                 user), HTTPStatus.NOT_FOUND)
        version, fragments = snapshot
        body = pages.office_body(office, self.app.cfg.offices, fragments)
        name = pages.office_label(office, self.app.cfg.offices)
        self._html(pages.layout(name, body, self._province(), user, f"/events?office={office}&v={version}"))

    def _report(self, user: str, match: re.Match) -> None:
        year, month_number = int(match.group(1)), int(match.group(2))
        if not 1 <= month_number <= 12:
            return self._html(pages.message_page(t("province.bad_month", month=match.group(0)), self._province(),
                                                 user), HTTPStatus.NOT_FOUND)
        month = date(year, month_number, 1)
        kind = "officer" if match.group(3) else "office"
        with self.app.pool.connection() as conn:
            rows = (queries.monthly_officers if kind == "officer" else queries.monthly_offices)(conn, month)
        header, cells = report.table(kind, rows, self.app.cfg.offices)
        if match.group(4):
            name = f"bao-cao-{month:%Y-%m}-{'can-bo' if kind == 'officer' else 'don-vi'}.csv"
            return self._send(HTTPStatus.OK, report.to_csv(header, cells), "text/csv; charset=utf-8",
                              {"Content-Disposition": f'attachment; filename="{name}"'})
        self._html(report.to_html(kind, month, header, cells, self._province(), self.app.live.period().now, user))

    # ---- server-sent events -----------------------------------------------------------------
    def _events(self, office: str | None, version: int | None) -> None:
        if office is not None and not re.match(r"^[a-z0-9-]{1,64}$", office):
            return self._send(HTTPStatus.BAD_REQUEST, b"", "text/plain")
        self.send_response(HTTPStatus.OK)
        for name, value in {**HEADERS, "Content-Type": "text/event-stream; charset=utf-8",
                            "X-Accel-Buffering": "no", "Connection": "close"}.items():
            self.send_header(name, value)
        self.end_headers()
        self.close_connection = True
        key, client = self.app.live.subscribe(office, version)
        try:
            self.wfile.write(b"retry: 2000\n\n")
            self.wfile.flush()
            while not client.closed:
                message = client.take(timeout=15)
                if message is None:
                    if client.closed:
                        break
                    self.wfile.write(b": keepalive\n\n")
                else:
                    self.wfile.write(b"event: update\ndata: " + message.encode("utf-8") + b"\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            self.app.live.unsubscribe(key)

