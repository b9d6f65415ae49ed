"""``motcua doctor`` and ``motcua devices`` against a running office, a printer out of paper,
a stopped broker and a broken config."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from motcua.broker import LocalBroker
from motcua.doctor import checks as c
from office_harness import DEMO_CONFIG, MONDAY_8AM, ROOT

NOW = datetime.fromisoformat(MONDAY_8AM)


def run(command: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "motcua", command, "-c", str(DEMO_CONFIG), *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def row(output: str, start: str) -> str:
    """The table row that starts with ``start``, with its wrapped continuation lines, as one line."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(start):
            parts = [line]
            for following in lines[i + 1:]:
                if not following.startswith(" "):
                    break
                parts.append(following)
            return " ".join(" ".join(part.split()) for part in parts)
    raise AssertionError(f"no row {start!r} in:\n{output}")


def take(watcher, kiosk: str = "kiosk-1") -> dict:
    return watcher.request(watcher.topics.take(kiosk), {"service": "HT"})


def test_doctor_on_a_running_office_prints_one_table(office):
    ticketd, watcher = office
    assert take(watcher)["printed"] is True
    watcher.wait_state(watcher.topics.device_status("printer-1"), lambda s: s["state"] == "online")
    done = run("doctor", ticketd.env())
    out = done.stdout
    assert "KIỂM TRA" in out and "CẦN LÀM" in out
    assert "OK" in row(out, "Tệp cấu hình") and "OK" in row(out, "Broker MQTT")
    assert "Đang hoạt động" in row(out, "Dịch vụ cấp số (ticketd)")
    assert "Sẵn sàng" in row(out, "Máy in printer-1")
    never = row(out, "Chưa từng kết nối")  # no device app runs in this test: one row names them all
    assert "LỖI" in never and "kiosk-2" in never and "rating-5" in never and "printer" not in never
    assert "ticketd.sqlite3: nguyên vẹn" in out
    assert "Chưa có bản sao lưu nào" in row(out, "Sao lưu")
    assert "Dung lượng đĩa" in out and "Đồng hồ hệ thống" in out
    assert done.returncode == 1  # configured devices are missing: a person must look
    assert "mục cần người xử lý" in out


def test_doctor_says_the_printer_is_out_of_paper_and_what_to_do(office):
    ticketd, watcher = office
    (ticketd.data_dir / "capture" / "printer-1" / "state").write_text("paper_out")
    reply = take(watcher)
    assert reply["printed"] is False and reply["print_error"]["code"] == "paper_out"
    watcher.wait_state(watcher.topics.device_status("printer-1"), lambda s: s["detail"] == "paper_out")
    done = run("doctor", ticketd.env())
    line = row(done.stdout, "Máy in printer-1")
    assert "LỖI" in line and "Hết giấy" in line
    assert "Thay cuộn giấy cho máy in printer-1" in line and "motcua printer test printer-1" in line
    assert done.returncode == 1


def test_doctor_with_the_broker_stopped_says_how_to_restart_it(tmp_path):
    broker = LocalBroker().start()
    url = broker.url
    broker.stop()
    env = {"MOTCUA_MQTT_URL": url, "MOTCUA_DATA_DIR": str(tmp_path / "data"), "MOTCUA_NOW": MONDAY_8AM,
           "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = run("doctor", env)
    line = row(done.stdout, "Broker MQTT")
    assert "LỖI" in line and "Không kết nối được tới" in line and f"127.0.0.1:{broker.port}" in line
    assert "sudo systemctl restart motcua-broker" in line and "journalctl -u motcua-broker" in line
    assert "Sửa lỗi broker ở trên trước" in row(done.stdout, "Thiết bị")
    assert done.returncode == 1


def test_doctor_with_a_broken_config_exits_2(tmp_path):
    broken = ROOT / "config" / "examples" / "broken-office.yaml"
    done = subprocess.run([sys.executable, "-m", "motcua", "doctor", "-c", str(broken)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    line = row(done.stdout, "Tệp cấu hình")
    assert "LỖI" in line and "motcua check-config" in line


def test_devices_lists_live_and_missing_devices(office):
    ticketd, watcher = office
    done = run("devices", ticketd.env())
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[2].split()[:3] == ["ticketd", "ticketd", "hoạt"]  # ticketd first, online
    assert "chưa từng thấy" in next(line for line in lines if line.startswith("rating-3"))


def test_clock_check_reads_timedatectl_then_chrony():
    def runner(answers):
        def run_(command):
            rc, out = answers.get(command[0], (127, ""))
            return subprocess.CompletedProcess(command, rc, out, "")
        return run_
    assert c.clock_check(NOW, runner({"timedatectl": (0, "yes\n")})).status == c.OK
    assert c.clock_check(NOW, runner({"timedatectl": (0, "no\n")})).status == c.WARN
    chrony = "Reference ID    : C0A80101\nLeap status     : Normal\n"
    assert c.clock_check(NOW, runner({"timedatectl": (1, ""), "chronyc": (0, chrony)})).status == c.OK
    unsynced = c.clock_check(NOW, runner({"chronyc": (0, "Leap status     : Not synchronised\n")}))
    assert unsynced.status == c.WARN and "23/11/2026 08:00" in unsynced.detail
    assert c.clock_check(NOW, runner({})).status == c.UNKNOWN


def test_sqlite_check_finds_a_damaged_database(tmp_path):
    good = sqlite3.connect(tmp_path / "ticketd.sqlite3")
    good.execute("CREATE TABLE t (x)")
    good.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(2000)])
    good.commit()
    good.close()
    (tmp_path / "kiosk.sqlite3").write_bytes(b"this is not a database at all" * 200)
    damaged = bytearray((tmp_path / "ticketd.sqlite3").read_bytes())
    damaged[4096 * 2 + 8: 4096 * 2 + 200] = b"\xff" * 192  # a b-tree page overwritten
    (tmp_path / "stats.sqlite3").write_bytes(bytes(damaged))
    rows = {r.detail.split(":")[0]: r for r in c.sqlite_checks(tmp_path)}
    assert rows["ticketd.sqlite3"].status == c.OK
    for name in ("kiosk.sqlite3", "stats.sqlite3"):
        assert rows[f"{name} bị hỏng"].status == c.FAIL
        assert "motcua restore" in rows[f"{name} bị hỏng"].action


def test_ages_and_device_rows():
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    now = datetime(2026, 11, 23, 9, 0, tzinfo=tz)
    assert c.age_text("2026-11-23T08:55:00+07:00", now) == "5 phút trước"
    assert c.age_text("2026-11-23T09:00:30+07:00", now) == "0 giây trước"  # a clock slightly ahead
    assert c.age_text(None, now) == "không rõ thời điểm"
    printer = type("P", (), {"id": "printer-2"})()
    low = c.device_check("printers", printer, {"state": "degraded", "detail": "paper_low",
                                               "updated_at": "2026-11-23T08:00:00+07:00"}, now)
    assert low.status == c.WARN and "Sắp hết giấy" in low.detail and low.name == "Máy in printer-2"
    pad = type("R", (), {"id": "rating-2"})()
    gone = c.device_check("rating_pads", pad, {"state": "offline", "updated_at": "2026-11-23T07:00:00+07:00"}, now)
    assert gone.status == c.FAIL and "2 giờ trước" in gone.detail
