"""Taking a number by touching the real buttons, against a real Mosquitto and ticketd."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from kiosk_support import shot
from kiosk.flow import TakeState
from motcua.config import load_config
from ticketd.printing.capture import job_files

pytestmark = pytest.mark.timeout(240)
TICKET_URL = "https://hoa-an.example.vn/so/{office}/{number}"


@pytest.fixture
def kiosk(qtbot, office, write_office, office_env, make_kiosk):
    """kiosk-1 (portrait, printer-1) in-process, next to the test office's ticketd."""
    ticketd, _watcher = office
    office_env(ticketd.broker_url, ticketd.data_dir)

    def make(**kwargs):
        cfg = load_config(write_office(kiosk={"ticket_url": TICKET_URL, "idle_s": 120}))
        app = make_kiosk(cfg, "kiosk-1", **kwargs)
        qtbot.waitUntil(lambda: len(app.ctx.board.known) == len(cfg.services), timeout=20_000)  # retained states
        return app

    return make


def click(qtbot, widget) -> None:
    assert widget.isEnabled(), widget
    qtbot.mouseClick(widget, Qt.LeftButton)


def take_through_screens(qtbot, app, field: str = "Hộ tịch", service: str = "HT", save: bool = False) -> None:
    window = app.window
    click(qtbot, window.screens["home"].take)
    assert window.current.name == "fields"
    if save:
        shot(window, "fields")
    click(qtbot, window.screens["fields"].buttons[field])
    assert window.current.name == "services"
    if save:
        shot(window, "services")
    click(qtbot, window.screens["services"].buttons[service])
    assert window.current.name == "ticket"


def test_take_a_number_end_to_end(qtbot, office, kiosk) -> None:
    ticketd, watcher = office
    app = kiosk()
    window, flow = app.window, app.ctx.flow
    shot(window, "home")
    take_through_screens(qtbot, app, save=True)
    qtbot.waitUntil(lambda: flow.state is TakeState.ISSUED, timeout=20_000)
    ticket_screen = window.screens["ticket"]
    assert ticket_screen.number.text() == "A001"
    assert flow.ticket.printed and flow.ticket.service_name == "Hộ tịch"
    assert flow.ticket.qr_url == "https://hoa-an.example.vn/so/hoa-an/A001"
    replies = watcher.events(watcher.topics.reply(flow.attempt.request_id))
    assert replies and replies[0]["ok"] and replies[0]["printed"] and replies[0]["printer"] == "printer-1"
    jobs = job_files(ticketd.data_dir / "capture" / "printer-1")
    assert len(jobs) == 1 and jobs[0].stat().st_size > 1000  # the raster ticket reached the printer
    shot(window, "ticket")
    click(qtbot, ticket_screen.done)
    assert window.current.name == "home" and flow.state is TakeState.CHOOSING


def test_printer_fault_keeps_the_number_on_screen(qtbot, office, kiosk) -> None:
    ticketd, _watcher = office
    capture = ticketd.data_dir / "capture" / "printer-1"
    capture.mkdir(parents=True, exist_ok=True)
    (capture / "state").write_text("paper_out\n", encoding="utf-8")
    app = kiosk()
    window, flow = app.window, app.ctx.flow
    take_through_screens(qtbot, app)
    qtbot.waitUntil(lambda: flow.state is TakeState.ISSUED, timeout=30_000)
    assert not flow.ticket.printed
    QApplication.processEvents()
    screen = window.screens["ticket"]
    texts = [label.text() for label in screen.findChildren(QLabel) if label.isVisibleTo(screen)]
    assert "A001" in texts
    assert "Vui lòng ghi nhớ số này và xuất trình tại quầy khi được gọi" in texts
    assert any("hết giấy" in text for text in texts)  # ticketd's reason, in Vietnamese
    assert window.screens["ticket"].shot_name() == "ticket-print-failed"
    assert job_files(capture) == []
    shot(window, "ticket-print-failed")
    window.home()
    qtbot.waitUntil(lambda: not app.ctx.status["printer_ok"], timeout=10_000)
    assert window.screens["home"].banner.isVisible()
    shot(window, "home-printer-down")


def test_silent_ticketd_then_retry_gives_exactly_one_ticket(qtbot, office, kiosk) -> None:
    ticketd, watcher = office
    app = kiosk(take_timeout_s=3.0, retry_every_s=1.0)
    window, flow = app.window, app.ctx.flow
    ticketd.stop()
    take_through_screens(qtbot, app)
    qtbot.waitUntil(lambda: flow.state is TakeState.NO_ANSWER, timeout=20_000)
    screen = window.screens["ticket"]
    assert screen.retry is not None and "Thử lại" in flow.message
    shot(window, "ticket-no-answer")
    request_id = flow.attempt.request_id
    ticketd.start()
    watcher.wait_state(watcher.topics.device_status("ticketd"), lambda s: s.get("state") == "online", timeout=30)
    click(qtbot, screen.retry)
    qtbot.waitUntil(lambda: flow.state is not TakeState.SENDING, timeout=20_000)
    assert flow.state is TakeState.ISSUED, flow.message
    assert flow.attempt.request_id == request_id and flow.sends == 2
    assert flow.ticket.number == "A001"
    numbers = {r["ticket"]["number"] for r in watcher.events(watcher.topics.reply(request_id)) if r.get("ok")}
    assert numbers == {"A001"}
    click(qtbot, screen.done)
    take_through_screens(qtbot, app)  # the next touch is the next number: nothing was issued twice
    qtbot.waitUntil(lambda: flow.state is TakeState.ISSUED, timeout=20_000)
    assert flow.ticket.number == "A002" and flow.attempt.request_id != request_id


def test_priority_path_asks_for_confirmation(qtbot, office, kiosk) -> None:
    app = kiosk()
    window, flow = app.window, app.ctx.flow
    click(qtbot, window.screens["home"].take)
    fields = window.screens["fields"]
    click(qtbot, fields.priority.ask)
    assert window.current.name == "priority"
    shot(window, "priority")
    click(qtbot, window.screens["priority"].confirm)
    assert window.current.name == "fields" and flow.priority
    assert fields.priority.active.isVisible() and not fields.priority.ask.isVisible()
    click(qtbot, fields.buttons["Chứng thực"])
    assert window.screens["services"].priority.isVisible()
    click(qtbot, window.screens["services"].buttons["CT"])
    qtbot.waitUntil(lambda: flow.state is TakeState.ISSUED, timeout=20_000)
    assert flow.ticket.priority and flow.ticket.number == "B001"
    shot(window, "ticket-priority")


def test_closed_services_show_their_hours_and_cannot_be_taken(qtbot, office, kiosk) -> None:
    app = kiosk()
    window = app.window
    app.ctx.board.update({"service": "CT", "name": "Chứng thực", "field": "Chứng thực", "open": False,
                          "waiting": 0, "est_wait_s": 0, "issued_today": 0})
    click(qtbot, window.screens["home"].take)
    assert window.screens["fields"].buttons["Chứng thực"].note.text() == "Ngoài giờ cấp số"
    click(qtbot, window.screens["fields"].buttons["Chứng thực"])
    button = window.screens["services"].buttons["CT"]
    assert not button.isEnabled()
    assert button.note.text() == ("Ngoài giờ cấp số · Hôm nay cấp số: 07:30–11:30, 13:30–17:00\n"
                                  "Giờ cấp số: Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00")
    qtbot.mouseClick(button, Qt.LeftButton)
    assert window.current.name == "services" and app.ctx.flow.attempt is None
    shot(window, "services-closed")
