"""The take-a-number state machine: one id per touch, the same id on retry, stale answers ignored."""

from __future__ import annotations

from concurrent.futures import Future

from kiosk.flow import TakeFlow, TakeState, ticket_view
from motcua.bus import RequestTimeout

TICKET = {"number": "A012", "service": "HT", "service_name": "Hộ tịch", "seq": 12, "priority": False,
          "state": "waiting", "issued_at": "2026-11-23T08:03:11+07:00", "ahead": 4, "est_wait_s": 540,
          "counter": None}


class Sender:
    """Records every payload sent and hands back a future the test resolves."""

    def __init__(self) -> None:
        self.sent: list[tuple[dict, Future]] = []

    def __call__(self, payload: dict) -> Future:
        future: Future = Future()
        self.sent.append((payload, future))
        return future


def make_flow(sender: Sender, connected: bool = True) -> TakeFlow:
    changes: list[TakeState] = []
    flow = TakeFlow("kiosk-1", "hoa-an", "https://hoa-an.example.vn/so/{office}/{number}", send=sender,
                    post=lambda fn: fn(), connected=lambda: connected, on_change=lambda: changes.append(flow.state))
    flow.changes = changes
    return flow


def test_a_touch_sends_one_request_and_shows_the_ticket() -> None:
    sender = Sender()
    flow = make_flow(sender)
    flow.set_priority(True)
    attempt = flow.take("HT")
    payload, future = sender.sent[0]
    assert payload == {"id": attempt.request_id, "service": "HT", "priority": True, "print": True, "lang": "vi"}
    assert attempt.request_id.startswith("kiosk-1.")
    assert flow.busy and flow.take("CT") is None  # a second touch while waiting sends nothing
    future.set_result({"id": attempt.request_id, "ok": True, "ticket": TICKET, "printed": True, "printer": "printer-1"})
    assert flow.state is TakeState.ISSUED and not flow.busy
    assert flow.ticket.number == "A012" and flow.ticket.printed
    assert flow.ticket.ahead_text == "Có 4 người đang chờ trước Quý khách"
    assert flow.ticket.wait_text == "Thời gian chờ dự kiến: khoảng 9 phút"
    assert flow.ticket.qr_url == "https://hoa-an.example.vn/so/hoa-an/A012"
    assert len(sender.sent) == 1


def test_no_answer_then_retry_uses_the_same_id() -> None:
    sender = Sender()
    flow = make_flow(sender)
    attempt = flow.take("HT")
    sender.sent[0][1].set_exception(RequestTimeout("silence"))
    assert flow.state is TakeState.NO_ANSWER
    assert "Thử lại" in flow.message and "không bị cấp trùng" in flow.message
    flow.retry()
    assert [p["id"] for p, _ in sender.sent] == [attempt.request_id, attempt.request_id]
    assert sender.sent[1][0] == sender.sent[0][0]
    sender.sent[1][1].set_result({"id": attempt.request_id, "ok": True, "ticket": TICKET, "printed": False,
                                  "printer": "printer-1",
                                  "print_error": {"code": "paper_out", "message": "Máy in đã hết giấy."}})
    assert flow.state is TakeState.ISSUED and not flow.ticket.printed
    assert flow.ticket.print_problem == "Máy in đã hết giấy."
    assert flow.sends == 2


def test_a_broker_that_is_down_gets_its_own_message() -> None:
    sender = Sender()
    flow = make_flow(sender, connected=False)
    flow.take("HT")
    sender.sent[0][1].set_exception(RequestTimeout("silence"))
    assert "mất kết nối" in flow.message


def test_refusal_shows_ticketds_message_and_new_touches_get_new_ids() -> None:
    sender = Sender()
    flow = make_flow(sender)
    first = flow.take("DD")
    sender.sent[0][1].set_result({"id": first.request_id, "ok": False,
                                  "error": {"code": "quota_reached", "message": "Đất đai đã cấp hết 40 số."}})
    assert flow.state is TakeState.REFUSED and flow.message == "Đất đai đã cấp hết 40 số."
    flow.retry()  # only a silent request may be retried
    assert len(sender.sent) == 1
    second = flow.take("HT")
    assert second.request_id != first.request_id


def test_an_answer_after_the_citizen_left_is_ignored() -> None:
    sender = Sender()
    flow = make_flow(sender)
    flow.take("HT")
    flow.reset()
    sender.sent[0][1].set_result({"ok": True, "ticket": TICKET, "printed": True, "printer": None})
    assert flow.state is TakeState.CHOOSING and flow.ticket is None


def test_ticket_view_without_queue_or_url() -> None:
    view = ticket_view({"ticket": {**TICKET, "ahead": 0, "est_wait_s": 0}, "printed": True}, "hoa-an", None)
    assert view.ahead_text == "Quý khách sắp được phục vụ" and view.qr_url is None
