"""Search, procedure pages, dossier lookup (typed, scanned, slow source), idle return, the lock,
and layouts that fit both orientations. A real broker; no ticketd needed."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QTimer, Qt
from PySide6.QtWidgets import QApplication, QLabel

from kiosk_support import OVERDUE_CODE, OVERDUE_LAST4, SAMPLE_JSON, office_data, shot
from kiosk_dossier_api import DossierAPI
from kiosk.flow import TakeState, ticket_view
from kiosk.ui.widgets import QrCode
from motcua.config import load_config
from test_kiosk_scanner import URL, qr_frame, write_video

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def kiosk(qtbot, broker, write_office, office_env, make_kiosk):
    office_env(broker.url)

    def make(kiosk_id: str = "kiosk-1", **sections):
        return make_kiosk(load_config(write_office(**sections)), kiosk_id)

    return make


def press(qtbot, keyboard, keys: str) -> None:
    for key in keys:
        qtbot.mouseClick(keyboard.keys[key], Qt.LeftButton)


def texts(widget) -> list[str]:
    """The text of every label the screen shows (after the pending layout work)."""
    QApplication.processEvents()
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)]


def test_search_as_you_type_without_and_with_diacritics(qtbot, kiosk) -> None:
    app = kiosk()
    window = app.window
    qtbot.mouseClick(window.screens["home"].search, Qt.LeftButton)
    search = window.screens["search"]
    assert window.current is search
    press(qtbot, search.keyboard, "KET HON")
    assert search.line.text() == "ket hon"
    assert search.hits[0].code == "1.000894" and search.hits[0].name == "Đăng ký kết hôn"
    assert search.count.text() == f"Tìm thấy {len(search.hits)} thủ tục"
    shot(window, "search-results")
    qtbot.mouseClick(search.keyboard.keys["clear"], Qt.LeftButton)
    press(qtbot, search.keyboard, "HOA")
    qtbot.mouseClick(search.keyboard.keys["tone:huyen"], Qt.LeftButton)
    press(qtbot, search.keyboard, " GIAI")
    qtbot.mouseClick(search.keyboard.keys["tone:hoi"], Qt.LeftButton)
    assert search.line.text() == "hòa giải"
    assert search.hits[0].code == "1.012812"
    qtbot.keyClicks(search.line, "x")  # a hardware keyboard works too
    assert search.buffer.text == "hòa giảix" and search.count.text().startswith("Không tìm thấy")
    qtbot.mouseClick(search.keyboard.keys["backspace"], Qt.LeftButton)
    assert search.hits[0].code == "1.012812"


def test_procedure_detail_and_browse_by_field(qtbot, kiosk) -> None:
    app = kiosk()
    window = app.window
    qtbot.mouseClick(window.screens["home"].search, Qt.LeftButton)
    search = window.screens["search"]
    search.set_query("khai sinh")
    first = search.results[0]
    assert first.title.text() == "Đăng ký khai sinh"
    qtbot.mouseClick(first, Qt.LeftButton)
    page = window.screens["procedure"]
    assert window.current is page
    shown = texts(page)
    assert "Đăng ký khai sinh" in shown and "Miễn lệ phí khi đăng ký đúng hạn (trong 60 ngày kể từ ngày sinh)" in shown
    assert "1. Tờ khai đăng ký khai sinh (theo mẫu) — 1 bản chính" in shown
    qr = page.findChild(QrCode)
    assert qr.text_value == app.cfg.kiosk.procedure_url.format(code="1.001193")
    shot(window, "procedure")
    qtbot.mouseClick(page.take, Qt.LeftButton)  # the office has a Hộ tịch queue: straight to its services
    assert window.current.name == "services" and app.ctx.flow.field == "Hộ tịch"
    window.back()
    window.back()
    assert window.current is search and search.buffer.text == "khai sinh"  # back keeps the query
    qtbot.mouseClick(search.browse, Qt.LeftButton)
    browse = window.screens["browse"]
    shot(window, "browse")
    field_button = browse.panel.body.itemAt(1).widget()
    assert field_button.title.text() == "Chứng thực"
    qtbot.mouseClick(field_button, Qt.LeftButton)
    listed = window.screens["procedures"]
    assert listed.heading.text() == "Chứng thực"
    assert listed.panel.body.itemAt(0).widget().title.text().startswith("Chứng thực bản sao từ bản chính")


def test_dossier_lookup_by_typed_code_with_second_factor(qtbot, kiosk) -> None:
    app = kiosk()
    window = app.window
    qtbot.mouseClick(window.screens["home"].dossier, Qt.LeftButton)
    entry = window.screens["dossier"]
    press(qtbot, entry.keyboard, OVERDUE_CODE[:-2])
    assert entry.check.property("state") == "typing" and not entry.search.isEnabled()
    shot(window, "dossier")
    press(qtbot, entry.keyboard, "X")
    assert entry.check.property("state") == "invalid" and entry.check.text().startswith("Mã hồ sơ chưa đúng")
    qtbot.mouseClick(entry.keyboard.keys["backspace"], Qt.LeftButton)
    press(qtbot, entry.keyboard, OVERDUE_CODE[-2:])
    assert entry.check.property("state") == "valid" and entry.search.isEnabled()
    qtbot.mouseClick(entry.search, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.current.name == "factor", timeout=10_000)  # demo office asks the ID digits
    factor = window.screens["factor"]
    press(qtbot, factor.keyboard, "0000")
    qtbot.mouseClick(factor.search, Qt.LeftButton)
    qtbot.waitUntil(lambda: factor.message.isVisible() and "không khớp" in factor.message.text(), timeout=10_000)
    shot(window, "dossier-factor")
    press(qtbot, factor.keyboard, OVERDUE_LAST4)
    qtbot.mouseClick(factor.search, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.current.name == "dossier_result", timeout=10_000)
    result = window.screens["dossier_result"]
    shown = texts(result)
    assert "Đang xử lý" in shown and "Hồ sơ đã quá hạn 3 ngày" in shown
    assert "Đăng ký thường trú" in shown and "Võ V** B**" in shown
    assert result.due.text() == "20/11/2026 lúc 16:00" and result.due.property("overdue") == "true"
    assert any(text.startswith("Công an phường Hòa An") for text in shown)
    image = result.due.grab().toImage()
    reds = sum(1 for x in range(image.width()) for y in range(image.height())
               if (c := image.pixelColor(x, y)).red() > 150 and c.green() < 80 and c.blue() < 80)
    assert reds > 50  # the overdue due date is drawn in red
    shot(window, "dossier-result")
    qtbot.mouseClick(result.another, Qt.LeftButton)
    assert window.current is entry and entry.buffer.text == ""


def test_dossier_lookup_by_qr_shown_to_the_camera(qtbot, kiosk, tmp_path, write_office) -> None:
    folder = write_office().parent
    blank = np.full((480, 640, 3), 235, dtype=np.uint8)
    write_video(folder / "receipt.avi", [blank] * 10 + [qr_frame(URL)] * 10)
    kiosks = office_data()["devices"]["kiosks"]
    kiosks[0]["camera"] = "receipt.avi"
    app = kiosk(kiosk={"dossier_second_factor": False}, devices={"kiosks": kiosks})
    window = app.window
    assert app.ctx.scanner is not None and not app.ctx.scanner.running
    qtbot.mouseClick(window.screens["home"].dossier, Qt.LeftButton)
    assert app.ctx.scanner.running
    qtbot.waitUntil(lambda: window.current.name == "dossier_result", timeout=30_000)
    assert window.screens["dossier_result"].view.code == OVERDUE_CODE
    assert not app.ctx.scanner.running  # the camera is read only on the lookup screen
    shot(window, "dossier-result-scanned")


def test_a_slow_dossier_source_never_freezes_the_screen(qtbot, kiosk) -> None:
    with DossierAPI(SAMPLE_JSON) as api:
        app = kiosk(kiosk={"dossier_second_factor": False},
                    dossiers={"kind": "http", "url": api.url + "/hoso/{code}", "timeout_s": 20})
        window = app.window
        qtbot.mouseClick(window.screens["home"].dossier, Qt.LeftButton)
        entry = window.screens["dossier"]
        entry.buffer.set(OVERDUE_CODE)
        entry.refresh()
        api.gate.clear()  # the API holds its answer
        qtbot.mouseClick(entry.search, Qt.LeftButton)
        assert entry.runner.busy and entry.message.isVisible() and "Đang tra cứu" in entry.message.text()
        assert not entry.search.isEnabled()
        ticked = threading.Event()
        QTimer.singleShot(50, ticked.set)
        qtbot.waitUntil(ticked.is_set, timeout=5_000)  # the event loop runs while the API is silent
        qtbot.waitUntil(lambda: bool(api.requests), timeout=5_000)
        assert window.current is entry
        api.gate.set()
        qtbot.waitUntil(lambda: window.current.name == "dossier_result", timeout=20_000)
        assert window.screens["dossier_result"].view.code == OVERDUE_CODE


def test_idle_kiosk_returns_home(qtbot, kiosk) -> None:
    app = kiosk(kiosk={"idle_s": 5})
    window = app.window
    qtbot.mouseClick(window.screens["home"].search, Qt.LeftButton)
    press(qtbot, window.screens["search"].keyboard, "DAT")
    assert window.current.name == "search"
    qtbot.waitUntil(lambda: window.current.name == "home", timeout=20_000)
    assert window.history == ["home"]
    qtbot.mouseClick(window.screens["home"].search, Qt.LeftButton)
    assert window.screens["search"].buffer.text == ""  # the next citizen starts afresh


def test_a_pending_ticket_is_not_dropped_by_the_idle_timer(qtbot, kiosk) -> None:
    app = kiosk(kiosk={"idle_s": 5})
    window, flow = app.window, app.ctx.flow
    flow.state = TakeState.SENDING  # as while ticketd prints
    window.go("ticket")
    qtbot.wait(6500)
    assert window.current.name == "ticket"
    flow.state = TakeState.NO_ANSWER
    flow.message = "x"
    qtbot.waitUntil(lambda: window.current.name == "home", timeout=20_000)


def test_locked_until_the_technician_pin(qtbot, kiosk) -> None:
    app = kiosk(kiosk={"pin": "13579"})
    window = app.window
    assert window.close() is False and window.isVisible()  # no way out without the PIN
    exits = []
    window.exit_requested.connect(lambda: exits.append(True))
    qtbot.mousePress(window.header, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.current.name == "pin", timeout=10_000)
    qtbot.mouseRelease(window.header, Qt.LeftButton)
    pin = window.screens["pin"]
    press(qtbot, pin.keyboard, "1111")
    qtbot.mouseClick(pin.ok, Qt.LeftButton)
    assert pin.message.text() == "Mã PIN không đúng" and window.isVisible() and not exits
    press(qtbot, pin.keyboard, "13579")
    qtbot.mouseClick(pin.ok, Qt.LeftButton)
    assert exits == [True] and not window.isVisible()


def test_a_short_touch_on_the_header_does_nothing(qtbot, kiosk) -> None:
    app = kiosk()
    window = app.window
    qtbot.mouseClick(window.header, Qt.LeftButton)
    qtbot.wait(200)
    assert window.current.name == "home"


@pytest.mark.parametrize("kiosk_id, orientation", [("kiosk-1", "portrait"), ("kiosk-2", "landscape")])
def test_every_screen_fits_its_orientation(qtbot, kiosk, kiosk_id, orientation) -> None:
    app = kiosk(kiosk_id, kiosk={"ticket_url": "https://hoa-an.example.vn/so/{office}/{number}"})
    window, m, flow = app.window, app.m, app.ctx.flow
    assert app.device.orientation == orientation and (window.width(), window.height()) == (m.width, m.height)
    reply = {"ticket": {"number": "C1024", "service": "DD", "service_name": "Đất đai", "priority": True,
                        "ahead": 12, "est_wait_s": 2400}, "printed": False,
             "print_error": {"message": "Máy in đã hết giấy. Vui lòng ghi lại số thứ tự trên màn hình."}}
    flow.choose_field("Thành lập và hoạt động của hộ kinh doanh")
    steps = [("home", {}), ("fields", {}), ("services", {}), ("priority", {}), ("search", {}),
             ("browse", {}), ("procedures", {"field": "Hộ tịch"}), ("procedure", {"code": "1.013978"}),
             ("dossier", {}), ("factor", {"code": OVERDUE_CODE}), ("pin", {})]
    for name, kwargs in steps:
        window.go(name, **kwargs)
        if name == "search":
            window.screens["search"].set_query("dang ky")
        qtbot.wait(20)
        assert window.height() == m.height and window.width() == m.width, name
        if orientation == "landscape":
            shot(window, f"landscape-{name}")
    flow.state, flow.ticket = TakeState.ISSUED, ticket_view(reply, "hoa-an", app.cfg.kiosk.ticket_url)
    window.go("ticket")
    qtbot.wait(20)
    assert window.height() == m.height, "ticket"
    shot(window, f"{orientation}-ticket-long")
