"""The provincial database schema as numbered migrations, applied once each, in order.

Ticket events, tickets and ratings are partitioned by month (declarative range partitions on
the office's business day): a month is one table, so old months are detached or dropped whole
and a month's report reads one partition. Partitions are made on demand by
``motcua_ensure_month``. Retained state (counters, services, halls, devices, cameras, dossier
statistics) keeps only the latest value per key.
"""

from __future__ import annotations

import logging

import psycopg

log = logging.getLogger("province.migrations")

# Serialises concurrent migrators (two aggregators starting together).
ADVISORY_LOCK = 0x6D6F7463  # "motc"

PARTITIONED = ("ticket_events", "tickets", "ratings")

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "initial schema", """
CREATE TABLE offices (
    office      text PRIMARY KEY,
    first_seen  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL
);

CREATE TABLE counters (
    office         text NOT NULL,
    counter        text NOT NULL,
    name           text NOT NULL,
    status         text NOT NULL,
    officer        text,
    current_number text,
    services       text[] NOT NULL DEFAULT '{}',
    paused_reason  text,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (office, counter)
);

CREATE TABLE officers (
    office      text NOT NULL,
    officer     text NOT NULL,
    name        text NOT NULL,
    title       text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (office, officer)
);

CREATE TABLE services (
    office        text NOT NULL,
    service       text NOT NULL,
    name          text NOT NULL,
    field         text NOT NULL,
    open          boolean NOT NULL,
    waiting       integer NOT NULL,
    est_wait_s    integer NOT NULL,
    last_called   text,
    issued_today  integer NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (office, service)
);

CREATE TABLE halls (
    office         text PRIMARY KEY,
    waiting_total  integer NOT NULL,
    serving        integer NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE office_stats (
    office          text PRIMARY KEY,
    received_today  integer NOT NULL,
    in_progress     integer NOT NULL,
    on_time         integer NOT NULL,
    overdue         integer NOT NULL,
    period          text NOT NULL,
    source          text NOT NULL,
    updated_at      timestamptz NOT NULL
);

CREATE TABLE stats_daily (
    office          text NOT NULL,
    day             date NOT NULL,
    received_today  integer NOT NULL,
    in_progress     integer NOT NULL,
    on_time         integer NOT NULL,
    overdue         integer NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (office, day)
);

CREATE TABLE devices (
    office      text NOT NULL,
    device      text NOT NULL,
    kind        text NOT NULL,
    state       text NOT NULL,
    detail      text,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (office, device)
);

CREATE TABLE cameras (
    office  text NOT NULL,
    camera  text NOT NULL,
    state   text NOT NULL,
    fps     real NOT NULL,
    kbps    real NOT NULL,
    at      timestamptz NOT NULL,
    PRIMARY KEY (office, camera)
);

CREATE TABLE ticket_events (
    day          date NOT NULL,
    office       text NOT NULL,
    event_id     text NOT NULL,
    op           text NOT NULL,
    number       text NOT NULL,
    service      text NOT NULL,
    state        text NOT NULL,
    counter      text,
    officer      text,
    at           timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (day, office, event_id)
) PARTITION BY RANGE (day);

CREATE TABLE tickets (
    day             date NOT NULL,
    office          text NOT NULL,
    number          text NOT NULL,
    service         text NOT NULL,
    issued_service  text NOT NULL,
    priority        boolean NOT NULL,
    state           text NOT NULL,
    issued_at       timestamptz NOT NULL,
    called_at       timestamptz,
    started_at      timestamptz,
    finished_at     timestamptz,
    counter         text,
    officer         text,
    outcome         text,
    dossier         text,
    transfers       integer NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL,
    event_seq       bigint NOT NULL,
    PRIMARY KEY (day, office, number)
) PARTITION BY RANGE (day);
CREATE INDEX tickets_waiting ON tickets (day, office, issued_at) WHERE state = 'waiting';

CREATE TABLE ratings (
    day       date NOT NULL,
    office    text NOT NULL,
    event_id  text NOT NULL,
    ticket    text NOT NULL,
    level     text NOT NULL,
    officer   text NOT NULL,
    counter   text NOT NULL,
    at        timestamptz NOT NULL,
    reasons   jsonb NOT NULL DEFAULT '[]',
    comment   text,
    dossier   text,
    PRIMARY KEY (day, office, event_id)
) PARTITION BY RANGE (day);
CREATE INDEX ratings_office_at ON ratings (office, at);

-- Ratings per office, day and officer, kept in the same transaction as the ratings themselves
-- (only newly inserted ratings are added), so the live view never scans a month of ratings.
CREATE TABLE rating_daily (
    office          text NOT NULL,
    day             date NOT NULL,
    officer         text NOT NULL,
    very_satisfied  integer NOT NULL DEFAULT 0,
    satisfied       integer NOT NULL DEFAULT 0,
    dissatisfied    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (office, day, officer)
);

-- One-time login links for supervisors: only a hash of the token is stored.
CREATE TABLE login_tokens (
    token_hash  text PRIMARY KEY,
    username    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);

CREATE FUNCTION motcua_ensure_month(parent text, month date) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    first date := date_trunc('month', month)::date;
    part  text := format('%s_y%sm%s', parent, to_char(first, 'YYYY'), to_char(first, 'MM'));
BEGIN
    IF to_regclass(part) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                       part, parent, first, (first + interval '1 month')::date);
    END IF;
END
$fn$;
"""),
)


def migrate(conn: psycopg.Connection) -> list[int]:
    """Apply the migrations ``conn``'s database lacks; returns the versions applied."""
    applied: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK,))
        conn.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())""")
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for version, name, sql in MIGRATIONS:
            if version in done:
                continue
            conn.execute(sql)
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name))
            log.info("applied migration %d: %s", version, name)
            applied.append(version)
    return applied


def schema_version(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)
