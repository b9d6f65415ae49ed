"""What the counter console shows and allows, without Qt.

The model keeps the retained state of its counter and of the counter's services, who is logged
in, and the command in flight; ``view(now)`` turns that into a ``ConsoleView`` (texts, enabled
buttons, the ticking service time). Commands are built and checked here (``command``), sent by
``CommandSender``, and their replies come back through ``finish_command``.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from motcua.config import OfficeConfig
from motcua.i18n import t
from motcua.text import nfc

BUTTONS = ("call_next", "recall", "call", "start", "finish", "no_show", "hold", "transfer", "pause", "close")
OUTCOMES = ("received", "returned", "advised", "other")
DOSSIER_RE = re.compile(r"^[0-9A-Z.]+-\d{6}-\d{4,7}$")
NUMBER_RE = re.compile(r"^[A-Z]{1,2}\d{3,}$")
DOSSIER_URL_KEYS = ("mahs", "mahoso", "code")
REASON_MAX = 200


class InputError(ValueError):
    """Something the officer typed or chose cannot be sent; ``str()`` is the Vietnamese message."""


def dossier_code(text: str) -> str | None:
    """The dossier code in ``text`` (typed, scanned as Code 39, or a QR lookup URL), or None if blank.

    Raises ``InputError`` when it is not ``{agency}-{yyMMdd}-{NNNN}``.
    """
    raw = nfc(text).strip()
    if not raw:
        return None
    if "?" in raw:
        query = {k.lower(): v for k, v in parse_qsl(urlsplit(raw).query)}
        raw = next((query[k] for k in DOSSIER_URL_KEYS if query.get(k)), raw).strip()
    code = raw.upper()
    if not DOSSIER_RE.fullmatch(code):
        raise InputError(t("console.dossier_invalid", code=raw))
    return code


def ticket_number(text: str) -> str:
    """A ticket number as typed (``a12`` is not padded: numbers are called as printed)."""
    number = nfc(text).strip().upper().replace(" ", "")
    if not NUMBER_RE.fullmatch(number):
        raise InputError(t("console.number_invalid", number=text.strip()))
    return number


def clock_text(seconds: int) -> str:
    """``mm:ss``, or ``h:mm:ss`` past an hour."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class WaitingLine:
    service: str
    name: str
    waiting: int
    est_wait_s: int


@dataclass(frozen=True)
class ConsoleView:
    """Everything the window draws."""

    screen: str  # "login" | "main"
    counter_name: str
    officer_name: str
    officer_title: str
    status: str | None  # open | paused | closed | None before the first state arrives
    status_text: str
    number: str | None
    service_name: str
    ticket_label: str  # "Đang gọi" / "Đang phục vụ" / "" without a ticket
    elapsed_text: str
    priority: bool
    waiting: list[WaitingLine]
    held: list[str]
    enabled: dict[str, bool]
    pause_label: str
    pending_text: str
    message: str
    message_is_error: bool


@dataclass
class ConsoleModel:
    cfg: OfficeConfig
    counter_id: str
    officer_id: str | None = None
    state: dict[str, Any] | None = None
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending_op: str | None = None
    attempt: int = 1
    message: str = ""
    message_is_error: bool = False
    skew: timedelta = timedelta(0)  # ticketd's clock minus ours, from the last reply
    _started: dict[str, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counter = self.cfg.counter(self.counter_id)  # KeyError for an unknown counter

    # ---- login --------------------------------------------------------------------------------
    def officers(self) -> list[tuple[str, str, str]]:
        """(id, name, title) of every officer, in config order."""
        return [(o.id, o.name, o.title) for o in self.cfg.officers]

    def needs_pin(self, officer_id: str) -> bool:
        return self.cfg.officer(officer_id).pin is not None

    def login(self, officer_id: str | None, pin: str = "") -> dict[str, Any] | None:
        """Log ``officer_id`` in; the ``open`` fields to send, or None when the counter is
        already open for them. Raises ``InputError`` on a wrong PIN or no choice."""
        if not officer_id:
            raise InputError(t("console.login_choose"))
        officer = self.cfg.officer(officer_id)
        if officer.pin is not None and not hmac.compare_digest(
                officer.pin.get_secret_value().encode(), pin.strip().encode()):
            raise InputError(t("console.login_wrong_pin"))
        self.officer_id = officer_id
        self.message, self.message_is_error = "", False
        state = self.state or {}
        if state.get("status") in ("open", "paused") and (state.get("officer") or {}).get("id") == officer_id:
            return None
        return {"officer": officer_id}

    # ---- incoming state -----------------------------------------------------------------------
    def apply_counter_state(self, msg: dict[str, Any]) -> None:
        """Take a counter state (retained message or a reply's ``counter``), ignoring older ones."""
        if str(msg.get("counter")) != self.counter_id:
            return
        new_at, old_at = _when(msg.get("updated_at")), _when((self.state or {}).get("updated_at"))
        if new_at and old_at and new_at < old_at:
            return
        self.state = msg
        current = (msg.get("current") or {}).get("number")
        self._started = {k: v for k, v in self._started.items() if k == current}
        self._maybe_logout()

    def apply_service_state(self, msg: dict[str, Any]) -> None:
        code = msg.get("service")
        if code in self.counter.service_codes:
            self.services[code] = msg

    def _maybe_logout(self) -> None:
        """Back to the login screen when the counter was closed or taken over by someone else."""
        if self.officer_id is None or self.pending_op is not None or self.state is None:
            return
        officer = (self.state.get("officer") or {}).get("id")
        if self.state.get("status") == "closed" or officer != self.officer_id:
            self.officer_id = None

    # ---- commands -----------------------------------------------------------------------------
    def command(self, action: str, **args: Any) -> tuple[str, dict[str, Any]]:
        """``(op, fields)`` for a button (``args`` from its form); raises ``InputError``."""
        if action == "call":
            return "call", {"ticket": ticket_number(str(args.get("ticket", "")))}
        if action == "finish":
            outcome = args.get("outcome") or "other"
            if outcome not in OUTCOMES:
                raise InputError(t("console.outcome_invalid"))
            fields: dict[str, Any] = {"outcome": outcome}
            dossier = dossier_code(str(args.get("dossier") or ""))
            if dossier:
                fields["dossier"] = dossier
            return "finish", fields
        if action == "transfer":
            to_service, to_counter = args.get("to_service"), args.get("to_counter")
            if bool(to_service) == bool(to_counter):
                raise InputError(t("console.transfer_choose"))
            return "transfer", {"to_service": to_service} if to_service else {"to_counter": str(to_counter)}
        if action == "pause":
            if self.status == "paused":
                return "resume", {}
            reason = nfc(str(args.get("reason") or "")).strip()
            if len(reason) > REASON_MAX:
                raise InputError(t("console.reason_too_long", max=REASON_MAX))
            return "pause", {"reason": reason} if reason else {}
        if action in ("call_next", "recall", "start", "no_show", "hold", "close"):
            return action, {}
        raise InputError(t("console.unknown_action", action=action))

    def begin(self, op: str) -> None:
        self.pending_op = op
        self.attempt = 1
        self.message, self.message_is_error = "", False

    def retrying(self, attempt: int) -> None:
        self.attempt = attempt

    def finish_command(self, op: str, reply: dict[str, Any] | None, now: datetime | None = None) -> None:
        """Apply the reply to ``op`` (None: no reply after every retry) received at ``now``.

        The reply's ``counter.updated_at`` is ticketd's time of the op: it sets ``skew``, so the
        service time ticks on ticketd's clock even when this PC's clock is off.
        """
        self.pending_op = None
        if reply is None:
            self.message, self.message_is_error = t("console.no_reply"), True
        elif not reply.get("ok"):
            error = reply.get("error") or {}
            self.message = error.get("message") or t("console.refused")
            self.message_is_error = True
        else:
            ticket = reply.get("ticket") or {}
            counter = reply.get("counter") or {}
            server_at = _when(counter.get("updated_at"))
            if server_at is not None and now is not None:
                self.skew = server_at - now
            if op == "start" and ticket.get("number") and server_at is not None:
                self._started[ticket["number"]] = server_at
            self.message = t(f"console.done_{op}", number=ticket.get("number", ""),
                             target=self._target_name(ticket))
            self.message_is_error = False
            if counter:
                self.apply_counter_state(counter)
        self._maybe_logout()

    def fail_locally(self, message: str) -> None:
        self.message, self.message_is_error = message, True

    def _target_name(self, ticket: dict[str, Any]) -> str:
        if ticket.get("state") != "waiting":
            return ""
        if ticket.get("counter"):
            try:
                return self.cfg.counter(str(ticket["counter"])).name
            except KeyError:
                return str(ticket["counter"])
        return ticket.get("service_name", "")

    # ---- choices for the forms ----------------------------------------------------------------
    def transfer_services(self) -> list[tuple[str, str]]:
        """(code, name) of the services a ticket can be sent to (not the one it is in)."""
        here = (self.current or {}).get("service")
        return [(s.code, s.name) for s in self.cfg.services if s.code != here]

    def transfer_counters(self) -> list[tuple[str, str]]:
        return [(c.id, c.name) for c in self.cfg.counters if c.id != self.counter_id]

    # ---- view ---------------------------------------------------------------------------------
    @property
    def status(self) -> str | None:
        return (self.state or {}).get("status")

    @property
    def current(self) -> dict[str, Any] | None:
        return (self.state or {}).get("current")

    def view(self, now: datetime) -> ConsoleView:
        """What to draw at local time ``now``."""
        now = now + self.skew
        state = self.state or {}
        officer = (state.get("officer") or {}) if self.officer_id else {}
        if self.officer_id and not officer:
            chosen = self.cfg.officer(self.officer_id)
            officer = {"name": chosen.name, "title": chosen.title}
        current = self.current
        status = self.status
        number = current.get("number") if current else None
        elapsed = label = ""
        if current:
            serving = current.get("state") == "serving"
            label = t("console.serving") if serving else t("console.called")
            since = (_when(current.get("started_at")) or self._started.get(number)) if serving else None
            since = since or _when(current.get("called_at"))
            if since is not None:
                elapsed = clock_text((now - since).total_seconds())
        return ConsoleView(
            screen="main" if self.officer_id else "login",
            counter_name=state.get("name") or self.counter.name,
            officer_name=officer.get("name", ""),
            officer_title=officer.get("title", ""),
            status=status,
            status_text=self._status_text(),
            number=number,
            service_name=(current or {}).get("service_name", ""),
            ticket_label=label,
            elapsed_text=elapsed,
            priority=bool((current or {}).get("priority")),
            waiting=self._waiting(),
            held=list(state.get("held") or []),
            enabled=self._enabled(),
            pause_label=t("console.btn_resume") if status == "paused" else t("console.btn_pause"),
            pending_text=self._pending_text(),
            message=self.message,
            message_is_error=self.message_is_error,
        )

    def _status_text(self) -> str:
        status = self.status
        if status == "paused":
            reason = (self.state or {}).get("paused_reason")
            return t("console.status_paused_reason", reason=reason) if reason else t("console.status_paused")
        if status in ("open", "closed"):
            return t(f"console.status_{status}")
        return t("console.status_unknown")

    def _waiting(self) -> list[WaitingLine]:
        lines = []
        for code in self.counter.service_codes:
            msg = self.services.get(code) or {}
            lines.append(WaitingLine(code, msg.get("name") or self.cfg.service(code).name,
                                     int(msg.get("waiting") or 0), int(msg.get("est_wait_s") or 0)))
        return lines

    def _enabled(self) -> dict[str, bool]:
        free = self.pending_op is None and self.officer_id is not None
        status = self.status
        current = self.current
        ticket_state = (current or {}).get("state")
        working = status in ("open", "paused")
        return {
            "call_next": free and status == "open",
            "recall": free and current is not None,
            "call": free and status == "open",
            "start": free and ticket_state == "called",
            "finish": free and current is not None,
            "no_show": free and ticket_state == "called",
            "hold": free and current is not None,
            "transfer": free and current is not None,
            "pause": free and working,
            "close": free and working and current is None,
        }

    def _pending_text(self) -> str:
        if self.pending_op is None:
            return ""
        if self.attempt > 1:
            return t("console.sending_again", attempt=self.attempt)
        return t("console.sending")
