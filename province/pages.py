"""HTML of the dashboard, office pages, login and reports (pure functions, all text via i18n).

Live parts are "fragments" (an element id and its inner HTML) so the server renders them the
same way for the first page and for every server-sent update; the browser only swaps them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from motcua.i18n import t
from province.charts import Series, bar_chart, line_chart

COLORS = {"issued": "#2b6cb0", "served": "#2f855a", "waiting": "#c05621",
          "very_satisfied": "#276749", "satisfied": "#68d391", "dissatisfied": "#e53e3e"}
LEVELS = ("very_satisfied", "satisfied", "dissatisfied")


@dataclass(frozen=True)
class Thresholds:
    long_wait_minutes: int = 30
    low_satisfaction_pct: int = 80
    stale_minutes: int = 10


# ---- formatting ---------------------------------------------------------------------------------
def pct_value(good: int, total: int) -> int | None:
    return round(100 * good / total) if total else None


def pct(good: int, total: int) -> str:
    value = pct_value(good, total)
    return t("province.no_ratings") if value is None else f"{value}%"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return t("province.none")
    minutes = int(seconds // 60)
    if minutes < 1:
        return t("province.duration_under_minute")
    if minutes < 60:
        return t("province.duration_minutes", minutes=minutes)
    return t("province.duration_hours", hours=minutes // 60, minutes=minutes % 60)


def clock_time(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M") if moment else t("province.none")


def date_vi(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def month_vi(month: date) -> str:
    return month.strftime("%m/%Y")


def _cell(value: object, sort: float | int | str | None = None, cls: str = "") -> str:
    sort_attr = "" if sort is None else f' data-v="{escape(str(sort))}"'
    class_attr = f' class="{cls}"' if cls else ""
    return f"<td{class_attr}{sort_attr}>{escape(str(value))}</td>"


def _table(headers: list[str], rows: list[str], cls: str = "grid") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


# ---- page frame ---------------------------------------------------------------------------------
def layout(title: str, body: str, province: str, user: str | None = None, events_url: str | None = None,
           printable: bool = False, inline_css: str | None = None) -> str:
    """A whole page; ``inline_css`` embeds the style sheet (a report saved to a file)."""
    nav = ""
    if user:
        nav = (f'<nav><a href="/">{escape(t("province.nav_overview"))}</a>'
               f'<a href="/report">{escape(t("province.nav_report"))}</a>'
               f'<span class="user">{escape(t("province.signed_in_as", user=user))}</span>'
               f'<form method="post" action="/logout"><button type="submit">'
               f'{escape(t("province.logout"))}</button></form></nav>')
    live = ""
    if events_url:
        live = (f'<span id="live" class="live" data-on="{escape(t("province.live_on"))}" '
                f'data-lost="{escape(t("province.live_lost"))}">{escape(t("province.live_on"))}</span>')
    events = f' data-events="{escape(events_url)}"' if events_url else ""
    script = '<script src="/static/dashboard.js" defer></script>' if events_url else ""
    style = f"<style>{inline_css}</style>" if inline_css else '<link rel="stylesheet" href="/static/dashboard.css">'
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} — {escape(t('province.app_title'))}</title>"
            f"{style}{script}</head>"
            f'<body class="{"print" if printable else "screen"}"{events}>'
            f'<header><div class="brand"><strong>{escape(t("province.app_title"))}</strong>'
            f'<span>{escape(t("province.app_subtitle", province=province))}</span></div>{live}{nav}</header>'
            f"<main>{body}</main></body></html>")


def message_page(text: str, province: str, user: str | None = None) -> str:
    return layout(text, f'<p class="message">{escape(text)}</p>', province, user)


def login_page(province: str, error: str | None = None, no_users: bool = False) -> str:
    notice = f'<p class="error">{escape(error)}</p>' if error else ""
    if no_users:
        notice += f'<p class="message">{escape(t("province.login_no_users"))}</p>'
    body = (f'<form class="login" method="post" action="/login"><h1>{escape(t("province.login_title"))}</h1>'
            f"{notice}"
            f'<label>{escape(t("province.login_user"))}<input name="user" autocomplete="username" required '
            f'autofocus></label>'
            f'<label>{escape(t("province.login_password"))}<input name="password" type="password" '
            f'autocomplete="current-password" required></label>'
            f'<button type="submit">{escape(t("province.login_submit"))}</button></form>')
    return layout(t("province.login_title"), body, province)


# ---- overview -----------------------------------------------------------------------------------
def office_label(office: str, names: dict[str, str]) -> str:
    return names.get(office, office)


def office_row(row: dict, names: dict[str, str], limits: Thresholds, now: datetime, tz: ZoneInfo) -> str:
    """One office's ``<tr>`` in the overview (id ``row-{office}``)."""
    office = row["office"]
    wait = row["longest_wait_s"]
    sat_today, sat_month = pct_value(row["good_today"], row["ratings_today"]), pct_value(row["good_month"],
                                                                                         row["ratings_month"])
    stale_min = int((now - row["last_seen"]).total_seconds() // 60) if row["last_seen"] else None
    stale = stale_min is not None and stale_min >= limits.stale_minutes
    overdue = row["overdue"]
    label = escape(office_label(office, names))
    badge = f' <span class="badge">{escape(t("province.stale", minutes=stale_min))}</span>' if stale else ""
    cells = [
        f'<td data-v="{label}"><a href="/office/{escape(office)}">{label}</a>'
        f'<small>{escape(office)}</small>{badge}</td>',
        _cell(row["waiting"], row["waiting"]),
        _cell(duration(wait), (wait or 0) // 60, "bad" if wait and wait >= limits.long_wait_minutes * 60 else ""),
        _cell(f'{row["counters_open"]}/{row["counters_total"]}', row["counters_open"],
              "warn" if row["counters_total"] and not row["counters_open"] else ""),
        _cell(row["served_today"], row["served_today"]),
        _cell(pct(row["good_today"], row["ratings_today"]), -1 if sat_today is None else sat_today,
              "bad" if sat_today is not None and sat_today < limits.low_satisfaction_pct else ""),
        _cell(pct(row["good_month"], row["ratings_month"]), -1 if sat_month is None else sat_month,
              "bad" if sat_month is not None and sat_month < limits.low_satisfaction_pct else ""),
        _cell(t("province.none") if overdue is None else overdue, overdue or 0, "warn" if overdue else ""),
        _cell(f'{row["devices_down"]}/{row["devices_total"]}', row["devices_down"],
              "bad" if row["devices_down"] else ""),
        _cell(f'{row["cameras_live"]}/{row["cameras_total"]}', row["cameras_live"],
              "bad" if row["cameras_live"] < row["cameras_total"] else ""),
    ]
    return (f'<tr id="row-{escape(office)}" data-office="{escape(office)}"'
            f'{" class=stale" if stale else ""}>{"".join(cells)}</tr>')


OVERVIEW_HEADERS = ("col_office", "col_waiting", "col_longest_wait", "col_counters_open", "col_served_today",
                    "col_sat_today", "col_sat_month", "col_overdue", "col_devices_down", "col_cameras_live")


def needs_attention(row: dict, limits: Thresholds) -> bool:
    wait = row["longest_wait_s"] or 0
    sat = pct_value(row["good_today"], row["ratings_today"])
    return (wait >= limits.long_wait_minutes * 60 or (sat is not None and sat < limits.low_satisfaction_pct)
            or bool(row["devices_down"]) or row["cameras_live"] < row["cameras_total"])


def tiles(rows: list[dict], limits: Thresholds, now: datetime, tz: ZoneInfo) -> str:
    connected = sum(1 for r in rows if r["last_seen"] and now - r["last_seen"] < timedelta(minutes=limits.stale_minutes))
    good, total = sum(r["good_today"] for r in rows), sum(r["ratings_today"] for r in rows)
    items = [
        ("tile_offices", f"{connected}/{len(rows)}"),
        ("tile_waiting", str(sum(r["waiting"] for r in rows))),
        ("tile_served", str(sum(r["served_today"] for r in rows))),
        ("tile_sat_today", pct(good, total)),
        ("tile_attention", str(sum(1 for r in rows if needs_attention(r, limits)))),
    ]
    parts = [f'<div class="tile"><span>{escape(t("province." + key))}</span><strong>{escape(value)}</strong></div>'
             for key, value in items]
    parts.append(f'<p class="stamp">{escape(t("province.updated_at", time=now.astimezone(tz).strftime("%H:%M:%S")))}'
                 f" · {escape(date_vi(now.astimezone(tz).date()))}</p>")
    return "".join(parts)


def hourly_chart(hourly: list[dict], title_key: str = "chart_hourly") -> str:
    labels = [f'{h["hour"]}h' for h in hourly]
    return bar_chart(t(f"province.{title_key}"), labels, [
        Series(t("province.series_issued"), [h["issued"] for h in hourly], COLORS["issued"]),
        Series(t("province.series_served"), [h["served"] for h in hourly], COLORS["served"]),
    ])


def satisfaction_chart(days: list[dict], month: date) -> str:
    by_day = {d["day"]: d for d in days}
    first = month.replace(day=1)
    last = ((first + timedelta(days=32)).replace(day=1) - timedelta(days=1)).day
    labels = [str(n) for n in range(1, last + 1)]
    series = [Series(t(f"province.level_{level}"),
                     [int((by_day.get(first.replace(day=n)) or {}).get(level) or 0) for n in range(1, last + 1)],
                     COLORS[level]) for level in LEVELS]
    return bar_chart(t("province.chart_satisfaction"), labels, series, stacked=True)


def overview_body(rows_html: list[str], fragments: dict[str, str]) -> str:
    head = "".join(f'<th data-sort="{i}">{escape(t("province." + key))}</th>' for i, key in enumerate(OVERVIEW_HEADERS))
    return (f'<section id="tiles" class="tiles">{fragments["tiles"]}</section>'
            f'<section class="charts"><div id="chart-hourly">{fragments["chart-hourly"]}</div>'
            f'<div id="chart-satisfaction">{fragments["chart-satisfaction"]}</div></section>'
            f'<section><h2>{escape(t("province.offices_title"))}</h2>'
            f'<input id="filter" type="search" placeholder="{escape(t("province.filter_placeholder"))}">'
            f'<table id="offices" class="grid offices"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows_html)}</tbody></table></section>')


# ---- one office -----------------------------------------------------------------------------------
def summary(row: dict | None, limits: Thresholds, now: datetime, tz: ZoneInfo) -> str:
    if row is None:
        return ""
    items = [("col_waiting", str(row["waiting"])), ("col_longest_wait", duration(row["longest_wait_s"])),
             ("col_counters_open", f'{row["counters_open"]}/{row["counters_total"]}'),
             ("col_served_today", str(row["served_today"])),
             ("col_sat_today", pct(row["good_today"], row["ratings_today"])),
             ("col_sat_month", pct(row["good_month"], row["ratings_month"])),
             ("col_overdue", t("province.none") if row["overdue"] is None else str(row["overdue"])),
             ("col_devices_down", f'{row["devices_down"]}/{row["devices_total"]}'),
             ("col_cameras_live", f'{row["cameras_live"]}/{row["cameras_total"]}')]
    return "".join(f'<div class="tile"><span>{escape(t("province." + k))}</span><strong>{escape(v)}</strong></div>'
                   for k, v in items) + (
        f'<p class="stamp">{escape(t("province.updated_at", time=now.astimezone(tz).strftime("%H:%M:%S")))}</p>')


def counters_table(counters: list[dict]) -> str:
    if not counters:
        return f'<p class="empty">{escape(t("province.office_no_counters"))}</p>'
    rows = []
    for c in counters:
        status = t(f"province.counter_{c['status']}")
        if c["status"] == "paused" and c["paused_reason"]:
            status += f" ({c['paused_reason']})"
        officer = c["officer_name"] or c["officer"] or t("province.none")
        rows.append("<tr>" + _cell(c["name"]) + _cell(status, cls=f"st-{c['status']}") + _cell(officer)
                    + _cell(c["current_number"] or t("province.none")) + _cell(", ".join(c["services"])) + "</tr>")
    return _table([t("province.col_counter"), t("province.col_status"), t("province.col_officer"),
                   t("province.col_current"), t("province.col_services")], rows)


def officers_table(officers: list[dict]) -> str:
    rows = []
    for f in officers:
        month_total = f["very_satisfied"] + f["satisfied"] + f["dissatisfied"]
        month = (f'{pct(f["very_satisfied"] + f["satisfied"], month_total)} '
                 f'({f["very_satisfied"]}/{f["satisfied"]}/{f["dissatisfied"]})') if month_total else t(
                     "province.no_ratings")
        rows.append("<tr>" + _cell(f["name"]) + _cell(f["title"]) + _cell(f["served_today"])
                    + _cell(duration(float(f["avg_service_s"])) if f["avg_service_s"] is not None
                            else t("province.none"))
                    + _cell(pct(f["good_today"], f["ratings_today"])) + _cell(month) + "</tr>")
    return _table([t("province.col_officer"), t("province.col_title"), t("province.col_served_today"),
                   t("province.col_avg_service"), t("province.col_ratings_today"),
                   t("province.col_ratings_month")], rows)


def ratings_table(ratings: list[dict], tz: ZoneInfo) -> str:
    if not ratings:
        return f'<p class="empty">{escape(t("province.office_no_ratings"))}</p>'
    rows = []
    for r in ratings:
        notes = "; ".join([*r["reasons"], *([r["comment"]] if r["comment"] else [])])
        rows.append("<tr>" + _cell(clock_time(r["at"], tz)) + _cell(r["ticket"]) + _cell(r["officer"])
                    + _cell(t(f"province.level_{r['level']}"), cls=f"lv-{r['level']}") + _cell(notes) + "</tr>")
    return _table([t("province.col_time"), t("province.col_ticket"), t("province.col_officer"),
                   t("province.col_level"), t("province.col_reasons")], rows)


def services_table(services: list[dict]) -> str:
    rows = ["<tr>" + _cell(s["name"]) + _cell(t("province.service_open" if s["open"] else "province.service_closed"))
            + _cell(s["waiting"]) + _cell(duration(s["est_wait_s"]) if s["waiting"] else t("province.none"))
            + _cell(s["issued_today"]) + "</tr>" for s in services]
    return _table([t("province.col_service"), t("province.col_status"), t("province.col_waiting"),
                   t("province.col_est_wait"), t("province.col_issued_today")], rows)


def devices_table(devices: list[dict], cameras: list[dict], tz: ZoneInfo) -> str:
    if not devices and not cameras:
        return f'<p class="empty">{escape(t("province.office_no_devices"))}</p>'
    rows = ["<tr>" + _cell(d["device"]) + _cell(d["kind"])
            + _cell(t(f"province.device_{d['state']}"), cls=f"dv-{d['state']}") + _cell(d["detail"] or "")
            + _cell(clock_time(d["updated_at"], tz)) + "</tr>" for d in devices]
    rows += ["<tr>" + _cell(c["camera"]) + _cell(t("province.col_camera"))
             + _cell(t(f"province.camera_{c['state']}"), cls="dv-online" if c["state"] == "live" else "dv-offline")
             + _cell(f'{c["fps"]:g} fps · {c["kbps"]:g} kbps') + _cell(clock_time(c["at"], tz)) + "</tr>"
             for c in cameras]
    return _table([t("province.col_device"), t("province.col_kind"), t("province.col_state"),
                   t("province.col_detail"), t("province.col_time")], rows)


def waiting_chart(curve: list[dict], tz: ZoneInfo) -> str:
    labels = [p["at"].astimezone(tz).strftime("%H:%M") for p in curve]
    return line_chart(t("province.chart_waiting"), labels,
                      [Series(t("province.series_waiting"), [p["waiting"] for p in curve], COLORS["waiting"])])


def office_body(office: str, names: dict[str, str], fragments: dict[str, str]) -> str:
    def section(key: str, fragment: str) -> str:
        return f'<section><h2>{escape(t("province." + key))}</h2><div id="{fragment}">{fragments[fragment]}</div></section>'

    return (f'<p><a href="/">{escape(t("province.back_overview"))}</a></p>'
            f'<h1>{escape(office_label(office, names))} <small>{escape(office)}</small></h1>'
            f'<section id="office-summary" class="tiles">{fragments["office-summary"]}</section>'
            f'<section class="charts"><div id="chart-waiting">{fragments["chart-waiting"]}</div>'
            f'<div id="chart-office-hourly">{fragments["chart-office-hourly"]}</div>'
            f'<div id="chart-office-satisfaction">{fragments["chart-office-satisfaction"]}</div></section>'
            + section("office_counters", "office-counters") + section("office_officers", "office-officers")
            + section("office_services", "office-services") + section("office_ratings", "office-ratings")
            + section("office_devices", "office-devices"))
