"""Writing batches to a real PostgreSQL: idempotent by event id, monthly partitions, newest state wins."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import psycopg

from province.ingest import Batch
from province.migrations import migrate, schema_version
from province.simulate import SimOffice, busy_hour
from province.store import Store

T0 = datetime.fromisoformat("2026-11-23T08:00:00+07:00")


def _batch(messages) -> Batch:
    batch = Batch()
    for topic, payload, *_ in messages:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        batch.add(topic, raw, T0)
    return batch


def _count(conn, sql: str, *params):
    return conn.execute(sql, params).fetchone()[0]


def test_a_busy_hour_written_twice_counts_once(dsn):
    stream = [(topic, raw) for _at, topic, raw, _r in busy_hour(offices=3, counters=3, minutes=45, start=T0)]
    events = {json.loads(raw)["id"] for topic, raw in stream if topic.endswith("/event/ticket")}
    ratings = [json.loads(raw) for topic, raw in stream if topic.endswith("/event/rating")]
    store = Store(dsn).connect()
    try:
        first = [store.write(_batch(stream[i:i + 500])) for i in range(0, len(stream), 500)]
        again = [store.write(_batch(stream[i:i + 333])) for i in range(0, len(stream), 333)]
        conn = store.conn
        assert sum(w.ticket_events for w in first) == len(events) == _count(conn, "SELECT count(*) FROM ticket_events")
        assert sum(w.ratings for w in first) == len(ratings) == _count(conn, "SELECT count(*) FROM ratings")
        assert sum(w.ticket_events + w.ratings for w in again) == 0
        assert _count(conn, "SELECT sum(very_satisfied + satisfied + dissatisfied) FROM rating_daily") == len(ratings)
        assert _count(conn, "SELECT sum(dissatisfied) FROM rating_daily") == sum(
            r["rating"]["level"] == "dissatisfied" for r in ratings)
        takes = sum(1 for topic, raw in stream if topic.endswith("/event/ticket") and json.loads(raw)["op"] == "take")
        assert _count(conn, "SELECT count(*) FROM tickets") == takes
        assert _count(conn, "SELECT count(*) FROM offices") == 3
        assert _count(conn, "SELECT count(*) FROM counters WHERE status = 'open'") == 9
    finally:
        store.close()


def test_events_land_in_the_partition_of_their_month(dsn):
    sim = SimOffice("hoa-an", day="2026-11-30")
    late = sim.take("HT", T0 + timedelta(days=7))
    sim.day = "2026-12-01"
    early = sim.take("CT", T0 + timedelta(days=8))
    store = Store(dsn).connect()
    try:
        store.write(_batch(late + early))
        rows = store.conn.execute("SELECT tableoid::regclass::text, day FROM ticket_events ORDER BY day").fetchall()
        assert rows == [("ticket_events_y2026m11", date(2026, 11, 30)), ("ticket_events_y2026m12", date(2026, 12, 1))]
        parts = {r[0] for r in store.conn.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'tickets'::regclass")}
        assert parts == {"tickets_y2026m11", "tickets_y2026m12"}
    finally:
        store.close()


def test_a_late_redelivered_event_does_not_turn_a_ticket_back(dsn):
    sim = SimOffice("hoa-an")
    take = sim.take("HT", T0)
    call = sim.call_next("1", T0 + timedelta(minutes=1))
    start = sim.start("1", T0 + timedelta(minutes=1))  # same second as the call: order by event sequence
    store = Store(dsn).connect()
    try:
        store.write(_batch(take + call + start))
        store.write(_batch(call + take))  # the bridge resends older events after a reconnect
        state = store.conn.execute("SELECT state, counter, called_at FROM tickets").fetchone()
        assert state == ("serving", "1", T0 + timedelta(minutes=1))
        counter = store.conn.execute("SELECT current_number FROM counters WHERE counter = '1'").fetchone()
        assert counter == ("A001",)
    finally:
        store.close()


def test_older_retained_state_never_overwrites_newer_and_empty_payload_deletes(dsn):
    status = {"device": "printer-1", "kind": "printer", "state": "offline", "detail": "paper_out",
              "updated_at": "2026-11-23T08:05:00+07:00"}
    older = dict(status, state="online", detail=None, updated_at="2026-11-23T08:00:00+07:00")
    topic = "motcua/hoa-an/device/printer-1/status"
    store = Store(dsn).connect()
    try:
        store.write(_batch([(topic, status)]))
        store.write(_batch([(topic, older)]))
        assert store.conn.execute("SELECT state, detail FROM devices").fetchall() == [("offline", "paper_out")]
        store.write(_batch([(topic, b"")]))
        assert _count(store.conn, "SELECT count(*) FROM devices") == 0
    finally:
        store.close()


def test_migrations_apply_once(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert migrate(conn) == [1]
        assert migrate(conn) == []
        assert schema_version(conn) == 1
        kinds = dict(conn.execute("SELECT relname, relkind FROM pg_class WHERE relname IN "
                                  "('ticket_events', 'tickets', 'ratings', 'counters')").fetchall())
        assert kinds == {"ticket_events": "p", "tickets": "p", "ratings": "p", "counters": "r"}
