"""What a kiosk is told when its printer fails: CONTRACT.md's `printed` and `print_error`."""

from __future__ import annotations

import threading



def capture_dir(ticketd, printer: str):
    return ticketd.data_dir / "capture" / printer


def set_state(ticketd, printer: str, state: str) -> None:
    folder = capture_dir(ticketd, printer)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "state").write_text(state)


def jobs(ticketd, printer: str) -> list:
    return sorted(capture_dir(ticketd, printer).glob("job-*.bin"))


def test_printed_ticket_reaches_the_printer(office):
    ticketd, w = office
    reply = w.request(w.topics.take("kiosk-1"), {"service": "HT"})
    assert reply["printed"] is True and reply["printer"] == "printer-1" and reply.get("print_error") is None
    assert len(jobs(ticketd, "printer-1")) == 1
    status = w.wait_state(w.topics.device_status("printer-1"), lambda s: s["state"] == "online")
    assert status["kind"] == "printer"


def test_paper_out_still_issues_the_number(office):
    ticketd, w = office
    w.request(w.topics.take("kiosk-1"), {"service": "HT"})
    set_state(ticketd, "printer-1", "paper_out")
    reply = w.request(w.topics.take("kiosk-1"), {"service": "HT"})
    assert reply["ok"] and reply["ticket"]["number"] == "A002"
    assert reply["printed"] is False and reply["print_error"]["code"] == "paper_out"
    assert reply["print_error"]["message"]
    assert len(jobs(ticketd, "printer-1")) == 1
    w.wait_state(w.topics.device_status("printer-1"), lambda s: s["state"] == "offline" and s["detail"] == "paper_out")
    set_state(ticketd, "printer-1", "online")
    assert w.request(w.topics.take("kiosk-1"), {"service": "HT"})["printed"] is True


def test_offline_and_cover_open(office):
    ticketd, w = office
    for state in ("offline", "cover_open"):
        set_state(ticketd, "printer-2", state)
        reply = w.request(w.topics.take("kiosk-2"), {"service": "CT"})
        assert reply["ok"] and reply["printed"] is False and reply["print_error"]["code"] == state


def test_hung_printer_blocks_no_one(office):
    ticketd, w = office
    set_state(ticketd, "printer-1", "hang")
    hung: dict = {}
    thread = threading.Thread(target=lambda: hung.update(w.request(
        w.topics.take("kiosk-1"), {"id": "kiosk-1.hung-1", "service": "HT"}, timeout=60)))
    thread.start()
    other = w.request(w.topics.take("kiosk-2"), {"service": "CT"})
    assert other["printed"] is True, "a hung printer held up another kiosk"
    assert w.request(w.topics.counter_cmd("1"), {"op": "open", "officer": "cb-lan"})["ok"]
    thread.join()
    assert hung["ok"] and hung["printed"] is False and hung["print_error"]["code"] == "timeout"
    again = w.request(w.topics.take("kiosk-1"), {"id": "kiosk-1.hung-1", "service": "HT"})
    assert again == hung, "the retry of a timed-out print issued something new"
    numbers = {r["ticket"]["number"] for r in (hung, other)}
    assert numbers == {"A001", "B001"}
