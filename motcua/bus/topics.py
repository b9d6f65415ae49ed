"""Topic names of the public contract (CONTRACT.md), relative to ``motcua/{office}``."""

from __future__ import annotations

import re

OFFICE_RE = re.compile(r"^[a-z0-9-]+$")


class Topics:
    """Builds every contract topic for one office."""

    def __init__(self, office: str) -> None:
        if not OFFICE_RE.match(office):
            raise ValueError(f"office id {office!r} must match [a-z0-9-]+")
        self.office = office
        self.root = f"motcua/{office}"

    def _t(self, *parts: str) -> str:
        return "/".join((self.root, *parts))

    # requests
    def take(self, kiosk: str = "+") -> str:
        return self._t("kiosk", kiosk, "take")

    def counter_cmd(self, counter: str = "+") -> str:
        return self._t("counter", counter, "cmd")

    def counter_rating(self, counter: str = "+") -> str:
        return self._t("counter", counter, "rating")

    def ticket_query(self) -> str:
        return self._t("ticket", "query")

    def reprint(self) -> str:
        """Extension: ask ticketd to reprint a ticket (``number``, optional ``printer``)."""
        return self._t("admin", "reprint")

    def test_page(self) -> str:
        """Extension: ask ticketd to print a printer's test page (``printer``)."""
        return self._t("admin", "test_page")

    def reply(self, request_id: str = "+") -> str:
        return self._t("reply", request_id)

    def client_inbox(self, client_id: str, username: str | None = None) -> str:
        """Extension: the MQTT 5 response topic our own clients use (one subscription each);
        under the broker username when there is one, so an ACL can give each user its own."""
        if username:
            return self._t("client", username, client_id, "reply")
        return self._t("client", client_id, "reply")

    def client_prefix(self) -> str:
        """Response topics ticketd agrees to publish to start with this."""
        return self._t("client") + "/"

    # retained state
    def counter_state(self, counter: str = "+") -> str:
        return self._t("counter", counter, "state")

    def service_state(self, service: str = "+") -> str:
        return self._t("service", service, "state")

    def hall(self) -> str:
        return self._t("hall")

    def stats(self) -> str:
        return self._t("stats")

    def device_status(self, device: str = "+") -> str:
        return self._t("device", device, "status")

    # events
    def call(self) -> str:
        return self._t("call")

    def rate_request(self, counter: str = "+") -> str:
        return self._t("counter", counter, "rate_request")

    def camera_health(self, camera: str = "+") -> str:
        return self._t("camera", camera, "health")

    def satisfaction(self) -> str:
        """Extension (retained): this month's satisfaction per counter and for the office."""
        return self._t("satisfaction")

    def ticket_event(self) -> str:
        """Extension: every change of a ticket, with an event id (for the province)."""
        return self._t("event", "ticket")

    def rating_event(self) -> str:
        """Extension: every accepted rating, with an event id (for the province)."""
        return self._t("event", "rating")

    def parts(self, topic: str) -> list[str]:
        """The levels of ``topic`` below the office root (``[]`` if it is not ours)."""
        prefix = self.root + "/"
        return topic[len(prefix):].split("/") if topic.startswith(prefix) else []
