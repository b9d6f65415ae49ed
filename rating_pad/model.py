"""What the rating pad shows, without Qt: idle → choice → (reasons) → thanks → idle.

The idle screen names the officer at the counter (from the retained counter state). A
``rate_request`` for this counter opens the choice; Không hài lòng asks for at least one reason
(from config) and an optional comment. Choice and reasons go back to idle after ``idle_s``
without a touch or at the request's ``expires_at``; the thank-you screen after ``thanks_s``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from motcua.i18n import t
from motcua.text import nfc

LEVELS = ("very_satisfied", "satisfied", "dissatisfied")
IDLE, CHOICE, REASONS, THANKS = "idle", "choice", "reasons", "thanks"
COMMENT_MAX = 500


class InputError(ValueError):
    """The citizen's answer is incomplete; ``str()`` says what to do, in Vietnamese."""


@dataclass(frozen=True)
class PadView:
    screen: str
    counter_name: str
    counter_open: bool
    officer_name: str
    officer_title: str
    ticket: str
    reasons: list[tuple[str, bool]]
    comment: str
    error: str


@dataclass
class PadModel:
    counter_id: str
    counter_name: str
    reasons: list[str]
    idle_s: int
    thanks_s: float = 6.0
    screen: str = IDLE
    counter_state: dict[str, Any] = field(default_factory=dict)
    ticket: str = ""
    officer: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None
    chosen: list[str] = field(default_factory=list)
    comment: str = ""
    error: str = ""
    last_touch: datetime | None = None

    # ---- input from the bus -------------------------------------------------------------------
    def apply_counter_state(self, msg: dict[str, Any]) -> None:
        if str(msg.get("counter")) == self.counter_id:
            self.counter_state = msg
            self.counter_name = msg.get("name") or self.counter_name

    def on_rate_request(self, msg: dict[str, Any], now: datetime) -> bool:
        """Ask the citizen about ``msg["ticket"]``; False when it is for another counter or expired."""
        counter = msg.get("counter")
        if counter is not None and str(counter) != self.counter_id:
            return False
        try:
            expires_at = datetime.fromisoformat(msg["expires_at"])
            ticket = str(msg["ticket"])
        except (KeyError, TypeError, ValueError):
            return False
        if expires_at <= now:
            return False
        self.ticket, self.expires_at = ticket, expires_at
        self.officer = msg.get("officer") or (self.counter_state.get("officer") or {})
        self.chosen, self.comment, self.error = [], "", ""
        self.screen = CHOICE
        self.last_touch = now
        return True

    # ---- the citizen's touches ----------------------------------------------------------------
    def choose(self, level: str, now: datetime) -> dict[str, Any] | None:
        """The rating to send for ``level``, or None when reasons are needed first."""
        if self.screen != CHOICE or level not in LEVELS:
            return None
        self.last_touch = now
        if level == "dissatisfied":
            self.screen, self.error = REASONS, ""
            return None
        return self._done(level, [], "")

    def toggle_reason(self, reason: str, now: datetime) -> None:
        if self.screen != REASONS or reason not in self.reasons:
            return
        self.last_touch = now
        if reason in self.chosen:
            self.chosen.remove(reason)
        else:
            self.chosen.append(reason)
        self.error = ""

    def set_comment(self, text: str, now: datetime) -> None:
        self.last_touch = now
        self.comment = nfc(text)[:COMMENT_MAX]

    def submit(self, now: datetime) -> dict[str, Any]:
        """The Không hài lòng rating; raises ``InputError`` without a reason."""
        self.last_touch = now
        if not self.chosen:
            self.error = t("rating.reason_required")
            raise InputError(self.error)
        ordered = [r for r in self.reasons if r in self.chosen]
        return self._done("dissatisfied", ordered, self.comment.strip())

    def back(self, now: datetime) -> None:
        if self.screen == REASONS:
            self.screen, self.error, self.last_touch = CHOICE, "", now

    def _done(self, level: str, reasons: list[str], comment: str) -> dict[str, Any]:
        self.screen = THANKS
        payload: dict[str, Any] = {"ticket": self.ticket, "level": level, "reasons": reasons}
        if comment:
            payload["comment"] = comment
        return payload

    # ---- time ---------------------------------------------------------------------------------
    def tick(self, now: datetime) -> bool:
        """Go back to idle when the screen has timed out; True when the screen changed."""
        if self.screen == IDLE or self.last_touch is None:
            return False
        if self.screen == THANKS:
            expired = now >= self.last_touch + timedelta(seconds=min(self.thanks_s, self.idle_s))
        else:
            expired = now >= self.last_touch + timedelta(seconds=self.idle_s) or (
                self.expires_at is not None and now >= self.expires_at)
        if expired:
            self.screen, self.ticket, self.chosen, self.comment, self.error = IDLE, "", [], "", ""
        return expired

    def view(self) -> PadView:
        officer = self.officer if self.screen != IDLE else (self.counter_state.get("officer") or {})
        return PadView(
            screen=self.screen,
            counter_name=self.counter_name,
            counter_open=self.counter_state.get("status") in ("open", "paused"),
            officer_name=officer.get("name", ""),
            officer_title=officer.get("title", ""),
            ticket=self.ticket,
            reasons=[(r, r in self.chosen) for r in self.reasons],
            comment=self.comment,
            error=self.error,
        )
