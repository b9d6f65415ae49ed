"""An officer's morning clicked through the console, against a real ticketd on a real broker."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from motcua.bus import json_handler
from counter_console.commands import CommandSender
from counter_console.model import ConsoleModel
from counter_console.screenshots import screen_name
from counter_console.window import ConsoleWindow
from motcua.config import OfficeConfig
from motcua.i18n import t
from office_harness import wait_until

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "console"


def take(w, service):
    reply = w.request(w.topics.take("kiosk-1"), {"service": service, "print": False})
    assert reply["ok"], reply
    return reply["ticket"]["number"]


def query(w, number):
    return w.request(w.topics.ticket_query(), {"number": number})["ticket"]


@pytest.fixture
def console(qtbot, office, demo_cfg, office_clock, console_bus):
    """Counter 1's console window, subscribed like ``motcua counter 1`` is."""
    bus = console_bus("console-1")
    model = ConsoleModel(demo_cfg, "1")
    window = ConsoleWindow(model, CommandSender(bus, "1", "console-1").send, office_clock, always_on_top=False)
    bus.subscribe(bus.topics.counter_state("1"), json_handler(window.bridge.counter_state.emit))
    for code in model.counter.service_codes:
        bus.subscribe(bus.topics.service_state(code), json_handler(window.bridge.service_state.emit))
    bus.start(wait=10)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: model.status == "closed", timeout=10000)
    return window


def shot(window, name):
    window.refresh()
    window.save_screenshot(SHOTS / f"{name}.png")


def settle(qtbot, window, predicate):
    """Wait for the reply and the state it leads to."""
    qtbot.waitUntil(lambda: window.model.pending_op is None and bool(predicate()), timeout=15000)


def test_whole_morning_with_transfer_hold_no_show_pause_and_close(qtbot, office, console):
    _ticketd, w = office
    window, model = console, console.model
    numbers = [take(w, "HT") for _ in range(3)] + [take(w, "TP")]
    assert numbers == ["A001", "A002", "A003", "G001"]
    take(w, "CT")
    qtbot.waitUntil(lambda: [line.waiting for line in model.view(window.clock.now()).waiting] == [3, 1],
                    timeout=10000)

    # log in: Nguyễn Thị Lan has no PIN, so choosing her and pressing the button opens the counter
    window.select_officer("cb-lan")
    assert not window.pin.isVisible()
    shot(window, "login")
    qtbot.mouseClick(window.login_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window, lambda: model.status == "open")
    w.wait_state(w.topics.counter_state("1"), lambda st: (st["officer"] or {}).get("id") == "cb-lan")
    assert window.stack.currentWidget() is window.main_page
    assert window.officer_label.text() == "Nguyễn Thị Lan · Công chức Tư pháp – Hộ tịch"
    assert window.waiting_labels[0].text().startswith("Hộ tịch: 3 người  ≈")
    assert window.waiting_labels[1].text().startswith("Tư pháp: 1 người")

    # F1 calls A001, F4 starts serving, Hoàn thành with a wrong then a right dossier code
    qtbot.keyClick(window, Qt.Key.Key_F1)
    settle(qtbot, window, lambda: (model.current or {}).get("number") == "A001")
    assert window.number_label.text() == "A001" and window.ticket_label.text() == "Đang gọi"
    assert window.message_label.text() == "Đã mời số A001."
    qtbot.keyClick(window, Qt.Key.Key_F4)
    settle(qtbot, window, lambda: (model.current or {}).get("state") == "serving")
    qtbot.wait(1100)
    window.refresh()
    assert window.ticket_label.text() == "Đang phục vụ"
    assert window.elapsed_label.text() >= "00:01"
    shot(window, "serving")
    qtbot.mouseClick(window.buttons["finish"], Qt.MouseButton.LeftButton)
    assert window.form_action == "finish" and screen_name(window) == "form-finish"
    window.outcome_buttons["received"].setChecked(True)
    qtbot.keyClicks(window.dossier, "H17-2611-1")
    qtbot.mouseClick(window.finish_form.ok, Qt.MouseButton.LeftButton)
    assert window.form_action == "finish"
    assert window.finish_form.message.text().startswith("Mã hồ sơ «H17-2611-1» không đúng dạng")
    window.dossier.clear()  # the receipt's QR read by a scanner that types like a keyboard
    qtbot.keyClicks(window.dossier, "https://dichvucong.danang.gov.vn/tra-cuu?mahs=000.31.17.H17-261123-0001")
    assert window.finish_form.message.isHidden()
    shot(window, "form-finish")
    qtbot.mouseClick(window.finish_form.ok, Qt.MouseButton.LeftButton)
    settle(qtbot, window, lambda: model.current is None)
    assert query(w, "A001")["state"] == "done"
    rate = wait_until(lambda: w.events(w.topics.rate_request("1")))
    assert [r["ticket"] for r in rate] == ["A001"] and rate[0]["officer"]["id"] == "cb-lan"

    # A002 is held (Giữ, F7), shows among the held tickets, and is called back by its chip later
    qtbot.mouseClick(window.buttons["call_next"], Qt.MouseButton.LeftButton)
    settle(qtbot, window, lambda: (model.current or {}).get("number") == "A002")
    qtbot.keyClick(window, Qt.Key.Key_F7)
    settle(qtbot, window, lambda: model.current is None and window.held_buttons)
    assert [b.text() for b in window.held_buttons] == ["A002"]
    shot(window, "held")
    assert query(w, "A002")["state"] == "held"

    # A003 is started, then transferred to Chứng thực (Chuyển, F8)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    settle(qtbot, window, lambda: (model.current or {}).get("number") == "A003")
    qtbot.keyClick(window, Qt.Key.Key_F4)
    settle(qtbot, window, lambda: (model.current or {}).get("state") == "serving")
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.form_action == "transfer"
    labels = [window.transfer_list.item(i).text() for i in range(window.transfer_list.count())]
    assert "Sang lĩnh vực: Hộ tịch" not in labels and "Sang quầy: Quầy 1" not in labels
    window.transfer_list.setCurrentRow(labels.index("Sang lĩnh vực: Chứng thực"))
    shot(window, "form-transfer")
    qtbot.keyClick(window, Qt.Key.Key_Return)
    settle(qtbot, window, lambda: model.current is None)
    assert window.message_label.text() == "Đã chuyển số A003 sang Chứng thực."
    moved = query(w, "A003")
    assert (moved["state"], moved["service"], moved["transferred_from"]) == ("waiting", "CT", "1")

    # the held A002 comes back with its chip, is served and finished as advice
    qtbot.mouseClick(window.held_buttons[0], Qt.MouseButton.LeftButton)
    settle(qtbot, window, lambda: (model.current or {}).get("number") == "A002")
    assert window.held_none.isVisible() is False or not window.held_buttons
    qtbot.keyClick(window, Qt.Key.Key_F4)
    settle(qtbot, window, lambda: (model.current or {}).get("state") == "serving")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    window.outcome_buttons["advised"].setChecked(True)
    qtbot.keyClick(window, Qt.Key.Key_Return)
    settle(qtbot, window, lambda: model.current is None)
    assert query(w, "A002")["state"] == "done" and window.held_buttons == []

    # G001 (Tư pháp) does not come: Vắng mặt (F6)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    settle(qtbot, window, lambda: (model.current or {}).get("number") == "G001")
    qtbot.keyClick(window, Qt.Key.Key_F6)
    settle(qtbot, window, lambda: model.current is None)
    assert query(w, "G001")["state"] == "no_show"

    # Tạm nghỉ with a reason: calls are off until Tiếp tục
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert window.form_action == "pause"
    window.pause_list.setCurrentRow(1)
    qtbot.mouseClick(window.pause_form.ok, Qt.MouseButton.LeftButton)
    settle(qtbot, window, lambda: model.status == "paused")
    assert window.status_label.text() == "Tạm nghỉ – Họp"
    assert not window.buttons["call_next"].isEnabled() and window.buttons["pause"].text().startswith("Tiếp tục")
    shot(window, "paused")
    w.wait_state(w.topics.counter_state("1"), lambda st: st["paused_reason"] == "Họp")
    qtbot.keyClick(window, Qt.Key.Key_F9)
    settle(qtbot, window, lambda: model.status == "open")

    # nothing left for counter 1: the refusal is shown as ticketd worded it
    qtbot.keyClick(window, Qt.Key.Key_F1)
    settle(qtbot, window, lambda: window.message_label.text() != "")
    assert window.message_label.text() == "Không còn số nào đang chờ tại Quầy 1."
    assert window.message_label.property("error") is True

    # Gọi số with an unknown number: refused in plain Vietnamese too
    qtbot.keyClick(window, Qt.Key.Key_F3)
    qtbot.keyClicks(window.call_number, "a099")
    qtbot.keyClick(window, Qt.Key.Key_Return)
    settle(qtbot, window, lambda: window.message_label.text() != "")
    assert window.message_label.text() == "Không tìm thấy số A099 trong ngày hôm nay."

    # Đóng quầy: back to the login page
    qtbot.keyClick(window, Qt.Key.Key_F10)
    settle(qtbot, window, lambda: model.status == "closed")
    assert window.stack.currentWidget() is window.login_page
    assert window.login_message.text() == t("console.done_close")
    wait_until(lambda: w.events(w.topics.counter_cmd("1"))[-1]["op"] == "close")
    ops = list({p["id"]: p["op"] for p in w.events(w.topics.counter_cmd("1"))}.values())
    assert ops == ["open", "call_next", "start", "finish", "call_next", "hold", "call_next", "start", "transfer",
                   "call", "start", "finish", "call_next", "no_show", "pause", "resume", "call_next", "call",
                   "close"]


def test_pin_is_required_when_the_officer_has_one(qtbot, office, demo_cfg, console_bus, office_clock):
    data = demo_cfg.model_dump(mode="python")
    data["officers"][1]["pin"] = "2468"
    cfg = OfficeConfig.model_validate(data)
    _ticketd, w = office
    bus = console_bus("console-2")
    model = ConsoleModel(cfg, "2")
    window = ConsoleWindow(model, CommandSender(bus, "2", "console-2").send, office_clock, always_on_top=False)
    bus.subscribe(bus.topics.counter_state("2"), json_handler(window.bridge.counter_state.emit))
    bus.start(wait=10)
    qtbot.addWidget(window)
    window.show()
    window.select_officer("cb-hung")
    assert window.pin.isVisible()
    window.pin.setText("1111")
    window.do_login()
    assert window.login_message.text() == "Mã PIN không đúng."
    assert model.officer_id is None
    window.pin.setText("2468")
    window.do_login()
    settle(qtbot, window, lambda: model.status == "open")
    w.wait_state(w.topics.counter_state("2"), lambda st: (st["officer"] or {}).get("id") == "cb-hung")
