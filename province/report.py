"""Monthly reports per office and per officer, as CSV (UTF-8 with BOM, for spreadsheets) and as a
printable HTML page. ``table`` turns query rows into one header and rows of cells; both formats
are rendered from it, so they always agree."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Literal

from motcua.i18n import t
from province.pages import layout, month_vi, pct_value

Kind = Literal["office", "officer"]
STYLE_SHEET = Path(__file__).resolve().parent / "static" / "dashboard.css"


def _minutes(seconds) -> str:
    return "" if seconds is None else f"{float(seconds) / 60:.1f}"


def _ratings(row: dict) -> tuple[int, str]:
    total = row["very_satisfied"] + row["satisfied"] + row["dissatisfied"]
    value = pct_value(row["very_satisfied"] + row["satisfied"], total)
    return total, "" if value is None else str(value)


def table(kind: Kind, rows: list[dict], names: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """Header and cells of the report; the office report ends with a total row."""
    if kind == "office":
        header = ["rcol_office_id", "rcol_office", "rcol_issued", "rcol_served", "rcol_no_show", "rcol_avg_wait",
                  "rcol_avg_service", "rcol_ratings", "rcol_very_satisfied", "rcol_satisfied", "rcol_dissatisfied",
                  "rcol_satisfaction", "rcol_dossiers", "rcol_overdue"]
        cells = []
        for r in rows:
            total, satisfaction = _ratings(r)
            cells.append([r["office"], names.get(r["office"], r["office"]), str(r["issued"]), str(r["served"]),
                          str(r["no_show"]), _minutes(r["avg_wait_s"]), _minutes(r["avg_service_s"]), str(total),
                          str(r["very_satisfied"]), str(r["satisfied"]), str(r["dissatisfied"]), satisfaction,
                          str(r["dossiers_received"]), "" if r["overdue"] is None else str(r["overdue"])])
        if rows:
            sums = {k: sum(r[k] for r in rows) for k in ("issued", "served", "no_show", "very_satisfied", "satisfied",
                                                           "dissatisfied", "dossiers_received")}
            total, satisfaction = _ratings(sums)
            cells.append(["", t("province.rcol_total"), str(sums["issued"]), str(sums["served"]),
                          str(sums["no_show"]), "", "", str(total), str(sums["very_satisfied"]),
                          str(sums["satisfied"]), str(sums["dissatisfied"]), satisfaction,
                          str(sums["dossiers_received"]), str(sum(r["overdue"] or 0 for r in rows))])
    else:
        header = ["rcol_office_id", "rcol_office", "rcol_officer_id", "rcol_officer", "rcol_title", "rcol_served",
                  "rcol_no_show", "rcol_avg_service", "rcol_ratings", "rcol_very_satisfied", "rcol_satisfied",
                  "rcol_dissatisfied", "rcol_satisfaction", "rcol_dossiers"]
        cells = []
        for r in rows:
            total, satisfaction = _ratings(r)
            cells.append([r["office"], names.get(r["office"], r["office"]), r["officer"], r["name"], r["title"],
                          str(r["served"]), str(r["no_show"]), _minutes(r["avg_service_s"]), str(total),
                          str(r["very_satisfied"]), str(r["satisfied"]), str(r["dissatisfied"]), satisfaction,
                          str(r["dossiers_received"])])
    return [t("province." + key) for key in header], cells


def to_csv(header: list[str], cells: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_html(kind: Kind, month: date, header: list[str], cells: list[list[str]], province: str,
            generated: datetime, user: str | None = None, standalone: bool = False) -> str:
    """The printable page; ``standalone`` embeds the style sheet and drops the links (a file)."""
    key = month.strftime("%Y-%m")
    prev_month = (month.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    next_month = (month.replace(day=28) + timedelta(days=4)).strftime("%Y-%m")
    suffix = "" if kind == "office" else "/officers"
    tabs = "" if standalone else (f'<p class="tabs noprint"><a href="/report/{prev_month}{suffix}">{escape(t("province.report_prev"))}</a> '
            f'<a href="/report/{key}"{" class=on" if kind == "office" else ""}>'
            f'{escape(t("province.report_by_office"))}</a> '
            f'<a href="/report/{key}/officers"{" class=on" if kind == "officer" else ""}>'
            f'{escape(t("province.report_by_officer"))}</a> '
            f'<a href="/report/{key}{suffix}.csv">{escape(t("province.report_download_csv"))}</a> '
            f'<a href="/report/{next_month}{suffix}">{escape(t("province.report_next"))}</a></p>')
    if cells:
        head = "".join(f"<th>{escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in cells)
        content = f'<table class="grid report"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    else:
        content = f'<p class="empty">{escape(t("province.report_empty"))}</p>'
    title = t("province.report_title", month=month_vi(month))
    subtitle = t("province.report_by_office" if kind == "office" else "province.report_by_officer")
    stamp = t("province.report_generated", time=generated.strftime("%H:%M %d/%m/%Y"), province=province)
    return layout(title, f"{tabs}<h1>{escape(title)}</h1><h2>{escape(subtitle)}</h2>{content}"
                         f'<p class="stamp">{escape(stamp)}</p>', province, user, printable=True,
                  inline_css=STYLE_SHEET.read_text(encoding="utf-8") if standalone else None)
