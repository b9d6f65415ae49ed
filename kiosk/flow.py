"""Taking a number, as a state machine without Qt.

One touch on a service makes one ``TakeAttempt`` with a request id made once
(``new_request_id(kiosk)``); "Thử lại" after a silent broker or ticketd sends the very same
payload, so ticketd answers with the ticket it already issued instead of a second one.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

from kiosk.services import minutes_text
from motcua.bus import RequestTimeout, new_request_id
from motcua.i18n import t

log = logging.getLogger("motcua.kiosk")


class TakeState(Enum):
    CHOOSING = "choosing"  # fields and services on screen
    SENDING = "sending"  # waiting for ticketd (it answers once the ticket is printed or not)
    ISSUED = "issued"
    REFUSED = "refused"  # ticketd said no (closed, quota reached...)
    NO_ANSWER = "no_answer"  # no reply in time: retry with the same id


@dataclass(frozen=True)
class TakeAttempt:
    request_id: str
    service: str
    priority: bool

    def payload(self) -> dict[str, Any]:
        return {"id": self.request_id, "service": self.service, "priority": self.priority, "print": True, "lang": "vi"}


@dataclass(frozen=True)
class TicketView:
    """A ticket as the kiosk shows it."""

    number: str
    service_name: str
    priority: bool
    ahead: int
    ahead_text: str
    wait_text: str
    printed: bool
    print_problem: str | None  # ticketd's message when the printer failed
    qr_url: str | None


def ticket_view(reply: dict[str, Any], office: str, ticket_url: str | None) -> TicketView:
    ticket = reply["ticket"]
    ahead = int(ticket.get("ahead") or 0)
    wait = int(ticket.get("est_wait_s") or 0)
    printed = bool(reply.get("printed"))
    problem = None if printed else ((reply.get("print_error") or {}).get("message") or t("kiosk.ticket_not_printed"))
    return TicketView(
        number=str(ticket["number"]),
        service_name=str(ticket.get("service_name") or ticket.get("service") or ""),
        priority=bool(ticket.get("priority")),
        ahead=ahead,
        ahead_text=t("kiosk.ticket_ahead", count=ahead) if ahead else t("kiosk.ticket_ahead_none"),
        wait_text=t("kiosk.ticket_wait", wait=minutes_text(wait)) if ahead and wait else t("kiosk.ticket_wait_none"),
        printed=printed,
        print_problem=problem,
        qr_url=ticket_url.format(office=office, number=ticket["number"]) if ticket_url else None,
    )


class TakeFlow:
    """One citizen's way through taking a number.

    ``send(payload) -> Future`` delivers the request (the bus re-sends it with the same id until
    its own timeout); ``post(fn)`` runs ``fn`` on the UI thread; ``connected()`` tells whether the
    broker is reachable (to word the message); ``on_change()`` asks the view to render again.
    """

    def __init__(self, kiosk_id: str, office: str, ticket_url: str | None,
                 send: Callable[[dict[str, Any]], Future], post: Callable[[Callable[[], None]], None],
                 connected: Callable[[], bool], on_change: Callable[[], None]) -> None:
        self.kiosk_id, self.office, self.ticket_url = kiosk_id, office, ticket_url
        self._send, self._post, self._connected, self._on_change = send, post, connected, on_change
        self.reset()

    def reset(self) -> None:
        self.state = TakeState.CHOOSING
        self.priority = False
        self.field: str | None = None
        self.attempt: TakeAttempt | None = None
        self.ticket: TicketView | None = None
        self.message: str | None = None
        self.sends = 0

    @property
    def busy(self) -> bool:
        """A request is on its way: the kiosk must not drop the citizen's ticket."""
        return self.state is TakeState.SENDING

    def set_priority(self, priority: bool) -> None:
        self.priority = priority

    def choose_field(self, field: str) -> None:
        self.field = field

    def take(self, service: str) -> TakeAttempt | None:
        """The touch on a service: a new request id, sent at once. Ignored while one is pending."""
        if self.state is TakeState.SENDING:
            return None
        self.attempt = TakeAttempt(new_request_id(self.kiosk_id), service, self.priority)
        self._dispatch()
        return self.attempt

    def retry(self) -> None:
        """Send the same attempt again (same id): allowed only after no answer."""
        if self.state is TakeState.NO_ANSWER and self.attempt is not None:
            self._dispatch()

    def _dispatch(self) -> None:
        attempt = self.attempt
        assert attempt is not None
        self.state, self.ticket, self.message = TakeState.SENDING, None, None
        self.sends += 1
        future = self._send(attempt.payload())
        future.add_done_callback(lambda f: self._post(lambda: self._resolve(attempt, f)))
        self._on_change()

    def _resolve(self, attempt: TakeAttempt, future: Future) -> None:
        if attempt is not self.attempt or self.state is not TakeState.SENDING:
            return  # the citizen moved on; a later touch has its own attempt
        try:
            reply = future.result()
        except RequestTimeout:
            self.state = TakeState.NO_ANSWER
            self.message = t("kiosk.take_no_answer") if self._connected() else t("kiosk.take_no_broker")
        except Exception:  # the bus failed to send at all: same remedy as silence
            log.exception("take request %s failed", attempt.request_id)
            self.state = TakeState.NO_ANSWER
            self.message = t("kiosk.take_no_broker")
        else:
            if reply.get("ok"):
                self.state = TakeState.ISSUED
                self.ticket = ticket_view(reply, self.office, self.ticket_url)
            else:
                self.state = TakeState.REFUSED
                self.message = (reply.get("error") or {}).get("message") or t("kiosk.take_refused")
        self._on_change()
