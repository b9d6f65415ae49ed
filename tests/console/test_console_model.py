"""The console model without Qt: input checks, enabled buttons, the ticking service time, logout."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from counter_console.model import ConsoleModel, InputError, clock_text, dossier_code, ticket_number

NOW = datetime.fromisoformat("2026-11-23T09:00:00+07:00")


def state(status="open", current=None, officer="cb-lan", updated="2026-11-23T09:00:00+07:00", **extra):
    return {"counter": "1", "name": "Quầy 1", "status": status, "services": ["HT", "TP"], "current": current,
            "officer": {"id": officer, "name": "Nguyễn Thị Lan", "title": "Công chức"} if officer else None,
            "updated_at": updated, **extra}


def ticket(number="A001", ticket_state="called", called="2026-11-23T08:55:00+07:00"):
    return {"number": number, "service": "HT", "service_name": "Hộ tịch", "state": ticket_state, "priority": False,
            "called_at": called}


def test_dossier_codes_typed_scanned_or_from_a_qr_url() -> None:
    assert dossier_code("") is None and dossier_code("   ") is None
    assert dossier_code(" 000.31.17.h17-261123-0001 ") == "000.31.17.H17-261123-0001"
    assert dossier_code("https://dvc.gov.vn/tra-cuu?lang=vi&MaHS=000.00.06.H56-231027-0361") == \
        "000.00.06.H56-231027-0361"
    assert dossier_code("H56-231027-1234567") == "H56-231027-1234567"
    for wrong in ("H56-2310-0361", "H56-231027-361", "H56_231027_0361", "https://x.vn/?q=1"):
        with pytest.raises(InputError):
            dossier_code(wrong)


def test_ticket_numbers_and_clock_text() -> None:
    assert ticket_number(" a012 ") == "A012" and ticket_number("AB1000") == "AB1000"
    for wrong in ("12", "A1", "Ă012", "A 0x1"):
        with pytest.raises(InputError):
            ticket_number(wrong)
    assert clock_text(0) == "00:00" and clock_text(75) == "01:15" and clock_text(3725) == "1:02:05"


def test_buttons_follow_the_counter_state(demo_cfg) -> None:
    model = ConsoleModel(demo_cfg, "1")
    assert model.view(NOW).screen == "login" and not any(model.view(NOW).enabled.values())
    assert model.login("cb-lan") == {"officer": "cb-lan"}
    model.apply_counter_state(state(current=None))
    enabled = model.view(NOW).enabled
    assert [k for k, v in enabled.items() if v] == ["call_next", "call", "pause", "close"]
    model.apply_counter_state(state(current=ticket(), updated="2026-11-23T09:00:01+07:00"))
    enabled = model.view(NOW).enabled
    assert [k for k, v in enabled.items() if not v] == ["close"]
    model.apply_counter_state(state(current=ticket(ticket_state="serving"), updated="2026-11-23T09:00:02+07:00"))
    assert not model.view(NOW).enabled["start"] and not model.view(NOW).enabled["no_show"]
    model.begin("finish")
    assert not any(model.view(NOW).enabled.values()) and model.view(NOW).pending_text == "Đang gửi…"
    model.retrying(2)
    assert model.view(NOW).pending_text == "Chưa có phản hồi, đang gửi lại (lần 2)…"
    model.finish_command("finish", None)
    assert model.view(NOW).message.startswith("Không nhận được phản hồi") and model.view(NOW).message_is_error
    model.apply_counter_state(state(status="paused", paused_reason="Họp", updated="2026-11-23T09:00:03+07:00"))
    view = model.view(NOW)
    assert view.status_text == "Tạm nghỉ – Họp" and view.pause_label == "Tiếp tục"
    assert model.command("pause") == ("resume", {})
    assert [k for k, v in view.enabled.items() if v] == ["pause", "close"]


def test_service_time_ticks_from_start_and_older_states_are_ignored(demo_cfg) -> None:
    model = ConsoleModel(demo_cfg, "1")
    model.login("cb-lan")
    model.apply_counter_state(state(current=ticket(), updated="2026-11-23T08:55:00+07:00"))
    assert model.view(NOW).elapsed_text == "05:00" and model.view(NOW).ticket_label == "Đang gọi"
    model.begin("start")
    serving = state(current=ticket(ticket_state="serving"), updated="2026-11-23T09:00:00+07:00")
    reply = {"ok": True, "ticket": ticket(ticket_state="serving"), "counter": serving}
    slow_pc = NOW - timedelta(minutes=3)  # this PC's clock is 3 minutes behind ticketd's
    model.finish_command("start", reply, slow_pc)
    assert model.view(slow_pc).ticket_label == "Đang phục vụ"
    assert model.view(slow_pc + timedelta(seconds=30)).elapsed_text == "00:30"  # started 09:00 by the reply
    model.apply_counter_state(state(current=None, updated="2026-11-23T08:59:00+07:00"))  # an older message
    assert model.current["number"] == "A001"


def test_logout_when_closed_or_taken_over(demo_cfg) -> None:
    model = ConsoleModel(demo_cfg, "1")
    model.apply_counter_state(state(officer="cb-lan"))
    assert model.login("cb-lan") is None  # already open for her: nothing to send
    model.apply_counter_state(state(officer="cb-hung", updated="2026-11-23T09:01:00+07:00"))
    assert model.officer_id is None and model.view(NOW).screen == "login"
    with pytest.raises(InputError):
        model.login(None)


def test_commands_are_checked_before_sending(demo_cfg) -> None:
    model = ConsoleModel(demo_cfg, "1")
    assert model.command("finish", outcome="returned", dossier="") == ("finish", {"outcome": "returned"})
    assert model.command("transfer", to_counter=3) == ("transfer", {"to_counter": "3"})
    with pytest.raises(InputError, match="một lĩnh vực hoặc một quầy"):
        model.command("transfer", to_service="CT", to_counter="3")
    with pytest.raises(InputError):
        model.command("finish", outcome="closed")
    assert model.command("pause", reason="  Họp ") == ("pause", {"reason": "Họp"})
    with pytest.raises(InputError):
        model.command("pause", reason="x" * 201)
    assert ("CT", "Chứng thực") in model.transfer_services() and ("1", "Quầy 1") not in model.transfer_counters()
