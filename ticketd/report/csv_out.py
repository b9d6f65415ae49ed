"""The report as CSV files for the province: one file per table, UTF-8 with BOM (Excel reads the
diacritics), stable English column names, times in whole seconds, percentages with a dot."""

from __future__ import annotations

import csv
from pathlib import Path

from ticketd.report.figures import LEVELS, Report

OFFICER_COLUMNS = ["office", "period_start", "period_end", "officer_id", "officer_name", "officer_title",
                   "counters", "served", "avg_service_s", "p90_service_s", "busy_s", "idle_s", "paused_s",
                   "no_shows", "transfers", *(f"ratings_{lv}" for lv in LEVELS), "ratings_total",
                   "satisfaction_pct"]
SERVICE_COLUMNS = ["office", "period_start", "period_end", "service", "service_name", "issued", "served",
                   "avg_wait_s", "p90_wait_s", "no_show", "cancelled", "not_served", "abandoned", "waiting_now"]
HOUR_COLUMNS = ["office", "period_start", "period_end", "hour", "arrivals", "called", "avg_wait_s",
                "p90_wait_s"]
COUNTER_COLUMNS = ["office", "period_start", "period_end", "counter", "counter_name",
                   *(f"ratings_{lv}" for lv in LEVELS), "ratings_total", "satisfaction_pct"]


def _s(value: float | None) -> str:
    return "" if value is None else str(int(round(value)))


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def tables(report: Report) -> dict[str, tuple[list[str], list[list[str]]]]:
    """``name -> (columns, rows)`` for every CSV file."""
    period = [report.office_id, report.start, report.end]
    return {
        "officers": (OFFICER_COLUMNS, [
            [*period, o.officer_id, o.name, o.title, " ".join(o.counters), str(o.served), _s(o.avg_service_s),
             _s(o.p90_service_s), _s(o.time.busy_s), _s(o.time.idle_s), _s(o.time.paused_s), str(o.no_shows),
             str(o.transfers), *(str(o.ratings[lv]) for lv in LEVELS), str(o.rating_total),
             _pct(o.satisfaction_pct)]
            for o in report.officers]),
        "services": (SERVICE_COLUMNS, [
            [*period, s.code, s.name, str(s.issued), str(s.served), _s(s.avg_wait_s), _s(s.p90_wait_s),
             str(s.no_show), str(s.cancelled), str(s.not_served), str(s.abandoned), str(s.waiting_now)]
            for s in report.services]),
        "hours": (HOUR_COLUMNS, [
            [*period, str(h.hour), str(h.arrivals), str(h.called), _s(h.avg_wait_s), _s(h.p90_wait_s)]
            for h in report.hours]),
        "counters": (COUNTER_COLUMNS, [
            [*period, c.counter, c.name, *(str(c.ratings[lv]) for lv in LEVELS), str(c.total),
             _pct(c.satisfaction_pct)]
            for c in report.counters]),
    }


def write(report: Report, directory: Path, stem: str) -> list[Path]:
    """Write ``{stem}-{table}.csv`` files into ``directory``; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (columns, rows) in tables(report).items():
        path = directory / f"{stem}-{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(rows)
        paths.append(path)
    return paths
