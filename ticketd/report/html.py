"""The HTML report: key figures, charts first, tables after, definitions at the foot (pure)."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from motcua.i18n import t
from ticketd.report import svg
from ticketd.report.figures import LEVELS, Report

LEVEL_COLORS = {"very_satisfied": "#2e7d32", "satisfied": "#7cb342", "dissatisfied": "#d84315"}
TIME_COLORS = {"busy": "#0b63c5", "idle": "#b8c9de", "paused": "#e0a030"}

CSS = """
body { font-family: "Noto Sans", "DejaVu Sans", sans-serif; color: #1d2733; background: #f4f7fb; margin: 0; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 40px; }
header h1 { font-size: 26px; margin: 0 0 4px; }
header p { margin: 2px 0; color: #4a5666; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 14px; margin: 22px 0 8px; }
.kpi { background: white; border: 1px solid #d3dbe5; border-radius: 12px; padding: 14px 16px; }
.kpi .label { color: #4a5666; font-size: 14px; }
.kpi .value { font-size: 32px; font-weight: 800; color: #0b4f9c; margin: 4px 0 2px; }
.kpi .sub { color: #5b6776; font-size: 13px; }
.kpi.good .value { color: #2e7d32; } .kpi.warn .value { color: #d84315; }
section { background: white; border: 1px solid #d3dbe5; border-radius: 12px; padding: 16px 20px; margin-top: 18px; }
section h2 { font-size: 20px; margin: 0 0 10px; }
h3 { font-size: 15px; color: #4a5666; margin: 14px 0 4px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 12px; }
th, td { padding: 6px 8px; border-bottom: 1px solid #e3e8ef; text-align: right; white-space: nowrap; }
th { background: #eef2f7; font-weight: 600; white-space: normal; vertical-align: bottom; }
th:first-child, td:first-child { text-align: left; white-space: normal; min-width: 190px; }
tr:nth-child(even) td { background: #fafbfd; }
td small { color: #5b6776; }
.notes { font-size: 12px; color: #5b6776; }
.notes li { margin: 2px 0; }
"""


def day_text(value: str) -> str:
    return date.fromisoformat(value).strftime("%d/%m/%Y")


def minutes_text(seconds: float | None) -> str:
    """``7,5 phút`` (Vietnamese decimal comma), or — when there is no value."""
    if seconds is None:
        return t("report.none")
    value = f"{seconds / 60:.1f}".replace(".", ",")
    return t("report.minutes", value=value)


def duration_text(seconds: float) -> str:
    """``1 giờ 05 phút`` or ``25 phút`` (whole minutes)."""
    total = int(round(seconds / 60))
    hours, minutes = divmod(total, 60)
    if hours:
        return t("report.hours_minutes", hours=hours, minutes=f"{minutes:02d}")
    return t("report.minutes", value=minutes)


def pct_text(value: float | None) -> str:
    return t("report.none") if value is None else f"{value:.1f}".replace(".", ",") + " %"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _kpi(label: str, value: str, sub: str, kind: str = "") -> str:
    return (f'<div class="kpi {kind}"><div class="label">{escape(label)}</div>'
            f'<div class="value">{escape(value)}</div><div class="sub">{escape(sub)}</div></div>')


def render(report: Report) -> str:
    """The whole report as one self-contained HTML page (inline SVG, no scripts)."""
    if report.start == report.end:
        period = t("report.period_day", day=day_text(report.start))
    else:
        period = t("report.period_range", start=day_text(report.start), end=day_text(report.end))
    generated = datetime.fromisoformat(report.generated_at).strftime("%H:%M %d/%m/%Y")
    parts = [
        "<!DOCTYPE html>", '<html lang="vi"><head><meta charset="utf-8">',
        f"<title>{escape(t('report.title'))} – {escape(period)}</title><style>{CSS}</style></head><body><main>",
        f"<header><h1>{escape(t('report.title'))}</h1><p><b>{escape(report.office_name)}</b></p>",
        f"<p>{escape(period)} · {escape(t('report.generated', at=generated))}</p></header>",
    ]
    if not report.issued and not report.officers:
        parts.append(f"<section><p>{escape(t('report.no_data'))}</p></section></main></body></html>")
        return "".join(parts)
    pct = report.satisfaction_pct
    parts.append('<div class="kpis">')
    parts.append(_kpi(t("report.kpi_issued"), str(report.issued), t("report.kpi_served") + f": {report.served}"))
    parts.append(_kpi(t("report.kpi_wait"), minutes_text(report.avg_wait_s),
                      t("report.kpi_wait_p90", value=minutes_text(report.p90_wait_s))))
    mood = "" if pct is None else "good" if pct >= 80 else "warn"
    parts.append(_kpi(t("report.kpi_satisfaction"), pct_text(pct),
                      t("report.kpi_ratings", count=sum(report.ratings.values())), mood))
    parts.append(_kpi(t("report.kpi_abandoned"), str(report.abandoned),
                      t("report.kpi_abandoned_of", count=report.issued), "warn" if report.abandoned else ""))
    parts.append("</div>")
    parts.append(_officers(report))
    parts.append(_services(report))
    parts.append(_hours(report))
    parts.append(_counters(report))
    notes = "".join(f"<li>{escape(t(f'report.note_{k}'))}</li>"
                    for k in ("wait", "service", "p90", "time", "abandoned", "satisfaction"))
    parts.append(f'<section class="notes"><h2>{escape(t("report.notes_title"))}</h2><ul>{notes}</ul></section>')
    parts.append("</main></body></html>")
    return "".join(parts)


def _level_names() -> list[tuple[str, str]]:
    return [(t(f"report.level_{level}"), LEVEL_COLORS[level]) for level in LEVELS]


def _ratings_suffix(counts: dict[str, int], pct: float | None) -> str:
    total = sum(counts.values())
    return t("report.ratings_suffix", pct=pct_text(pct), count=total) if total else t("report.no_ratings")


def _officers(report: Report) -> str:
    rows = report.officers
    served = svg.bar_chart(t("report.chart_served"), [
        (o.name, o.served, t("report.served_with_avg", served=o.served, avg=minutes_text(o.avg_service_s)))
        for o in rows], "#0b63c5")
    ratings = svg.stacked_chart(t("report.chart_ratings"), [
        (o.name, [o.ratings[level] for level in LEVELS], _ratings_suffix(o.ratings, o.satisfaction_pct))
        for o in rows], _level_names(), normalise=True)
    times = svg.stacked_chart(t("report.chart_time"), [
        (o.name, [o.time.busy_s, o.time.idle_s, o.time.paused_s], duration_text(o.time.open_s)) for o in rows],
        [(t(f"report.time_{k}"), TIME_COLORS[k]) for k in ("busy", "idle", "paused")])
    table = _table(
        [t("report.col_officer"), t("report.col_counters"), t("report.col_served"), t("report.col_avg_service"),
         t("report.col_p90_service"), t("report.col_busy"), t("report.col_idle"), t("report.col_paused"),
         t("report.col_no_shows"), t("report.col_transfers"), t("report.col_ratings_by_level"),
         t("report.col_satisfaction")],
        [[f"{escape(o.name)}<br><small>{escape(o.title)}</small>", escape(", ".join(o.counters)), str(o.served),
          minutes_text(o.avg_service_s), minutes_text(o.p90_service_s), duration_text(o.time.busy_s),
          duration_text(o.time.idle_s), duration_text(o.time.paused_s), str(o.no_shows), str(o.transfers),
          " · ".join(str(o.ratings[lv]) for lv in LEVELS), pct_text(o.satisfaction_pct)] for o in rows])
    return (f"<section><h2>{escape(t('report.section_officers'))}</h2>"
            f"<h3>{escape(t('report.chart_served'))}</h3>{served}"
            f"<h3>{escape(t('report.chart_ratings'))}</h3>{ratings}"
            f"<h3>{escape(t('report.chart_time'))}</h3>{times}{table}</section>")


def _services(report: Report) -> str:
    rows = [s for s in report.services if s.issued] or report.services
    chart = svg.wait_chart(t("report.chart_wait"), [
        (s.name, s.avg_wait_s, s.p90_wait_s, f"{minutes_text(s.avg_wait_s)} · P90 {minutes_text(s.p90_wait_s)}")
        for s in rows], (t("report.col_avg_wait"), t("report.col_p90_wait")))
    table = _table(
        [t("report.col_service"), t("report.col_issued"), t("report.col_served"), t("report.col_avg_wait"),
         t("report.col_p90_wait"), t("report.col_no_shows"), t("report.col_cancelled"), t("report.col_not_served"),
         t("report.col_abandoned"), t("report.col_waiting_now")],
        [[escape(s.name), str(s.issued), str(s.served), minutes_text(s.avg_wait_s), minutes_text(s.p90_wait_s),
          str(s.no_show), str(s.cancelled), str(s.not_served), str(s.abandoned), str(s.waiting_now)]
         for s in report.services])
    return (f"<section><h2>{escape(t('report.section_services'))}</h2>"
            f"<h3>{escape(t('report.chart_wait'))}</h3>{chart}{table}</section>")


def _hours(report: Report) -> str:
    chart = svg.hour_chart(t("report.chart_hours"), [(h.hour, h.arrivals, h.avg_wait_s) for h in report.hours],
                           (t("report.col_arrivals"), t("report.chart_hours_wait")))
    table = _table(
        [t("report.col_hour"), t("report.col_arrivals"), t("report.col_called"), t("report.col_avg_wait"),
         t("report.col_p90_wait")],
        [[f"{h.hour:02d}:00–{h.hour:02d}:59", str(h.arrivals), str(h.called), minutes_text(h.avg_wait_s),
          minutes_text(h.p90_wait_s)] for h in report.hours])
    return (f"<section><h2>{escape(t('report.section_hours'))}</h2>"
            f"<h3>{escape(t('report.chart_hours'))}</h3>{chart}{table}</section>")


def _counters(report: Report) -> str:
    chart = svg.stacked_chart(t("report.chart_counters"), [
        (c.name, [c.ratings[level] for level in LEVELS], _ratings_suffix(c.ratings, c.satisfaction_pct))
        for c in report.counters], _level_names(), normalise=True)
    return (f"<section><h2>{escape(t('report.section_counters'))}</h2>"
            f"<h3>{escape(t('report.chart_counters'))}</h3>{chart}</section>")
