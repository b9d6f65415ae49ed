"""Report figures against a small day computed by hand, its CSV and HTML, and the hall's satisfaction."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from day_writer import DayWriter
from motcua.config import load_config
from office_harness import DEMO_CONFIG, Watcher, wait_until
from ticketd.report import html, svg
from ticketd.report.cli import main as report_main
from ticketd.report.data import load
from ticketd.report.figures import build, p90
from ticketd.report.satisfaction import publish

DAY = date(2026, 11, 23)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "report"
MINUTE = 60


@pytest.fixture
def cfg():
    return load_config(DEMO_CONFIG)


def write_day(cfg, path: Path, archive: bool = True) -> None:
    """Monday 23/11/2026 at counters 1 (Hộ tịch, Tư pháp: Nguyễn Thị Lan) and 2 (Chứng thực: Lê Phương Thảo)."""
    day = DayWriter(cfg, path, DAY)
    day.op("07:30", "1", "open", officer="cb-lan")
    day.op("07:30", "2", "open", officer="cb-thao")
    assert [day.take("07:35", "HT"), day.take("07:40", "HT"), day.take("07:50", "CT")] == ["A001", "A002", "B001"]
    assert day.op("08:00", "1", "call_next") == "A001"          # waited 25 min
    assert day.op("08:00", "2", "call_next") == "B001"          # waited 10 min
    day.op("08:01", "2", "start")
    day.op("08:02", "1", "start")
    day.op("08:05", "2", "finish", outcome="received")          # served 4 min
    assert day.take("08:05", "HT") == "A003"
    day.rate("08:06", "2", "B001", "dissatisfied", ("Thời gian chờ lâu",))
    day.op("08:12", "1", "finish", outcome="received")          # served 10 min
    day.rate("08:13", "1", "A001", "very_satisfied")
    assert day.op("08:15", "1", "call_next") == "A002"          # waited 35 min
    day.op("08:17", "1", "no_show")
    day.op("08:20", "1", "pause", reason="Họp")
    day.op("08:50", "1", "resume")                              # paused 30 min
    assert day.op("08:50", "1", "call_next") == "A003"          # waited 45 min
    day.op("08:51", "1", "start")
    assert day.take("09:00", "CT") == "B002"
    assert day.op("09:05", "2", "call_next") == "B002"          # waited 5 min (first call)
    day.op("09:06", "2", "start")
    day.op("09:10", "2", "transfer", to_service="HT")
    day.op("09:11", "1", "finish", outcome="advised")           # served 20 min
    day.rate("09:12", "1", "A003", "satisfied")
    assert day.op("09:15", "1", "call_next") == "B002"
    day.op("09:16", "1", "start")
    day.op("09:26", "1", "finish", outcome="received")          # served 10 min, by Lan
    assert day.take("09:30", "CT") == "B003"                     # never called
    day.op("09:30", "1", "close")
    day.op("09:40", "2", "close")
    if archive:
        day.close_day(date(2026, 11, 24))
    day.close()


def test_p90_is_nearest_rank() -> None:
    assert p90([]) is None and p90([5]) == 5 and p90([1, 2]) == 2
    assert p90(list(range(1, 11))) == 9 and p90(list(range(1, 21))) == 18


def test_figures_of_a_hand_computed_day(cfg, tmp_path) -> None:
    db = tmp_path / "ticketd.sqlite3"
    write_day(cfg, db)
    data = load(db, DAY, DAY)
    assert data.current_day == date(2026, 11, 24) and len(data.tickets) == 6
    report = build(cfg, data, datetime(2026, 11, 24, 8, 0, tzinfo=cfg.office.tz))

    lan, thao = report.officers
    assert (lan.officer_id, lan.counters, thao.officer_id, thao.counters) == ("cb-lan", ["1"], "cb-thao", ["2"])
    # Lan finished A001 (10 min), A003 (20 min) and the transferred B002 (10 min)
    assert (lan.served, lan.avg_service_s, lan.p90_service_s) == (3, 800, 1200)
    assert (lan.no_shows, lan.transfers) == (1, 0)
    # 07:30–09:30: busy 12+2+21+11 min, paused 30 min, idle the other 44 min
    assert (lan.time.busy_s, lan.time.paused_s, lan.time.idle_s) == (46 * MINUTE, 30 * MINUTE, 44 * MINUTE)
    assert lan.ratings == {"very_satisfied": 1, "satisfied": 1, "dissatisfied": 0} and lan.satisfaction_pct == 100
    assert (thao.served, thao.avg_service_s, thao.p90_service_s, thao.no_shows, thao.transfers) == (1, 240, 240, 0, 1)
    # 07:30–09:40: busy 08:00–08:05 and 09:05–09:10
    assert (thao.time.busy_s, thao.time.paused_s, thao.time.idle_s) == (10 * MINUTE, 0, 120 * MINUTE)
    assert thao.ratings["dissatisfied"] == 1 and thao.satisfaction_pct == 0

    services = {s.code: s for s in report.services}
    ht, ct = services["HT"], services["CT"]
    assert (ht.issued, ht.served, ht.avg_wait_s, ht.p90_wait_s) == (3, 2, 35 * MINUTE, 45 * MINUTE)
    assert (ht.no_show, ht.cancelled, ht.not_served, ht.abandoned, ht.waiting_now) == (1, 0, 0, 1, 0)
    assert (ct.issued, ct.served, ct.avg_wait_s, ct.p90_wait_s) == (3, 2, 7.5 * MINUTE, 10 * MINUTE)
    assert (ct.no_show, ct.not_served, ct.abandoned, ct.waiting_now) == (0, 1, 1, 0)
    assert services["DD"].issued == 0 and services["DD"].avg_wait_s is None

    hours = [(h.hour, h.arrivals, h.called, h.avg_wait_s, h.p90_wait_s) for h in report.hours]
    assert hours == [(7, 3, 3, (25 + 35 + 10) / 3 * MINUTE, 35 * MINUTE), (8, 1, 1, 45 * MINUTE, 45 * MINUTE),
                     (9, 2, 1, 5 * MINUTE, 5 * MINUTE)]

    assert (report.issued, report.served, report.abandoned) == (6, 4, 2)
    assert report.avg_wait_s == (25 + 35 + 45 + 10 + 5) / 5 * MINUTE
    assert round(report.satisfaction_pct, 1) == 66.7
    by_counter = {c.counter: c.satisfaction_pct for c in report.counters}
    assert by_counter == {"1": 100, "2": 0, "3": None, "4": None, "5": None}


def test_the_current_day_counts_waiting_tickets_apart_and_open_sessions_until_now(cfg, tmp_path) -> None:
    db = tmp_path / "ticketd.sqlite3"
    day = DayWriter(cfg, db, DAY)
    day.op("07:30", "2", "open", officer="cb-thao")
    day.take("07:40", "CT")
    day.take("07:45", "CT")
    day.op("08:00", "2", "call_next")
    day.close()
    report = build(cfg, load(db, DAY, DAY), datetime(2026, 11, 23, 8, 10, tzinfo=cfg.office.tz))
    ct = next(s for s in report.services if s.code == "CT")
    assert (ct.waiting_now, ct.not_served, ct.abandoned) == (1, 0, 0)
    [thao] = report.officers
    assert (thao.time.idle_s, thao.time.busy_s) == (30 * MINUTE, 10 * MINUTE)


def test_cli_writes_csv_and_html_and_the_html_renders(cfg, tmp_path, monkeypatch, capsys) -> None:
    db = tmp_path / "ticketd.sqlite3"
    write_day(cfg, db)
    monkeypatch.setenv("MOTCUA_NOW", "2026-11-24T08:00:00+07:00")
    out = tmp_path / "out"
    common = ["-c", str(DEMO_CONFIG), "--db", str(db), "--out", str(out), "--from", "23/11/2026", "--to", "2026-11-23"]
    assert report_main([*common, "--format", "csv"]) == 0
    written = capsys.readouterr().out.split()
    assert [Path(p).name for p in written] == [f"report-2026-11-23_2026-11-23-{n}.csv"
                                                for n in ("officers", "services", "hours", "counters")]
    raw = Path(written[0]).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    officers = list(csv.DictReader(Path(written[0]).open(encoding="utf-8-sig")))
    assert [(r["officer_id"], r["officer_name"], r["served"], r["avg_service_s"], r["p90_service_s"], r["idle_s"],
             r["paused_s"], r["no_shows"], r["satisfaction_pct"]) for r in officers] == [
        ("cb-lan", "Nguyễn Thị Lan", "3", "800", "1200", "2640", "1800", "1", "100.0"),
        ("cb-thao", "Lê Phương Thảo", "1", "240", "240", "7200", "0", "0", "0.0"),
    ]
    assert officers[0]["office"] == "hoa-an" and officers[0]["period_start"] == "2026-11-23"
    services = {r["service"]: r for r in csv.DictReader(Path(written[1]).open(encoding="utf-8-sig"))}
    assert (services["CT"]["issued"], services["CT"]["avg_wait_s"], services["CT"]["abandoned"]) == ("3", "450", "1")
    assert services["DD"]["avg_wait_s"] == ""

    assert report_main([*common, "--format", "html"]) == 0
    page = Path(capsys.readouterr().out.strip())
    text = page.read_text(encoding="utf-8")
    assert "Báo cáo hoạt động Bộ phận Một cửa" in text and "Nguyễn Thị Lan" in text and "66,7 %" in text
    assert text.count("<svg") == 6
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(page, ARTIFACTS / "report.html")
    assert report_main(["-c", str(DEMO_CONFIG), "--db", str(db), "--from", "2026-11-24", "--to", "2026-11-23"]) == 2
    assert report_main(["-c", str(DEMO_CONFIG), "--db", str(tmp_path / "none.sqlite3")]) == 1

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium to render the HTML report to PNG (apt-get install chromium)")
    png = tmp_path / "report.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--force-device-scale-factor=1", "--window-size=1200,4200", f"--screenshot={png}",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    image = Image.open(png).convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((2, image.height - 2)))
    box = ImageChops.difference(image, background).getbbox()
    assert box is not None and box[3] < image.height - 20, "the page is taller than the screenshot"
    image.crop((0, 0, image.width, box[3] + 24)).save(ARTIFACTS / "report.png")


def test_svg_charts_escape_text_and_scale_bars() -> None:
    chart = svg.bar_chart("Số lượt", [("Lan <A&B>", 3, "3"), ("Thảo", 1, "1")], "#000")
    assert "Lan &lt;A&amp;B&gt;" in chart and chart.count("<rect") == 2
    widths = [float(part.split('"')[0]) for part in chart.split('width="')[2:]]
    assert widths[0] == pytest.approx(3 * widths[1])
    assert html.minutes_text(450) == "7,5 phút" and html.duration_text(3900) == "1 giờ 05 phút"


def test_monthly_satisfaction_is_published_retained(cfg, tmp_path, broker) -> None:
    from motcua.bus import BusClient

    db = tmp_path / "ticketd.sqlite3"
    write_day(cfg, db)
    bus = BusClient(broker.url, "hoa-an", client_id="test-report-publisher").start(wait=10)
    try:
        payload = publish(cfg, bus, db, datetime(2026, 11, 24, 10, 0, tzinfo=cfg.office.tz))
    finally:
        bus.stop()
    watcher = Watcher(broker.url, "hoa-an")
    try:
        seen = wait_until(lambda: watcher.latest("motcua/hoa-an/satisfaction"), timeout=10)
    finally:
        watcher.close()
    assert seen == payload
    assert (seen["period"], seen["from"], seen["to"]) == ("2026-11", "2026-11-01", "2026-11-24")
    counters = {c["counter"]: (c["ratings"], c["satisfaction_pct"]) for c in seen["counters"]}
    assert counters == {"1": (2, 100.0), "2": (1, 0.0), "3": (0, None), "4": (0, None), "5": (0, None)}
    assert seen["counters"][0]["counter_name"] == "Quầy 1" and seen["office"]["satisfaction_pct"] == 66.7
