"""The aggregator against a real broker and PostgreSQL: a persistent session across restarts,
and a message the database refuses dropped alone."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import paho.mqtt.client as mqtt
import psycopg
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from office_harness import wait_until
from province.aggregator import Aggregator
from province.simulate import SimOffice

T0 = datetime.fromisoformat("2026-11-23T08:00:00+07:00")


@pytest.fixture
def publish(broker):
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-aggregator-office", protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    yield lambda messages: [client.publish(t, json.dumps(p, ensure_ascii=False), 1, r).wait_for_publish(5)
                            for t, p, r in messages]
    client.loop_stop()
    client.disconnect()


def _count(dsn: str, sql: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql).fetchone()[0]


def _takes(sim: SimOffice, count: int, start: int = 0) -> list:
    return [m for i in range(count) for m in sim.take("HT", T0 + timedelta(minutes=start + i))]


def test_messages_published_while_the_aggregator_is_down_arrive_after_it_restarts(broker, dsn, publish):
    sim = SimOffice("hoa-an")
    aggregator = Aggregator(broker.url, dsn, client_id="test-aggregator-session").start()
    assert aggregator.connected.wait(10)
    publish(_takes(sim, 5))
    wait_until(lambda: _count(dsn, "SELECT count(*) FROM ticket_events") == 5, timeout=15)
    aggregator.stop()
    publish(_takes(sim, 7, start=5))  # kept by the broker in the aggregator's persistent session
    again = Aggregator(broker.url, dsn, client_id="test-aggregator-session").start()
    try:
        wait_until(lambda: _count(dsn, "SELECT count(*) FROM ticket_events WHERE office = 'hoa-an'") == 12,
                   timeout=15)
        assert _count(dsn, "SELECT count(*) FROM tickets WHERE office = 'hoa-an'") == 12
    finally:
        again.stop()


def test_a_message_the_database_refuses_is_dropped_alone(broker, dsn, publish):
    sim = SimOffice("hoa-minh")
    good = _takes(sim, 3)
    topic, poison, retained = sim.take("HT", T0 + timedelta(minutes=9))[0]
    poison["ticket"]["transfers"] = 10 ** 12  # valid JSON and schema, too big for the integer column
    aggregator = Aggregator(broker.url, dsn, client_id="test-aggregator-poison", max_batch=100)
    aggregator.start()
    try:
        assert aggregator.connected.wait(10)
        publish(good[:3] + [(topic, poison, retained)] + good[3:])
        wait_until(lambda: aggregator.counters.rejected == 1, timeout=15)
        wait_until(lambda: _count(dsn, "SELECT count(*) FROM halls WHERE office = 'hoa-minh'") == 1, timeout=15)
        assert _count(dsn, "SELECT count(*) FROM tickets WHERE office = 'hoa-minh'") == 3
        publish(_takes(sim, 1, start=20))  # and it goes on
        wait_until(lambda: _count(dsn, "SELECT count(*) FROM tickets WHERE office = 'hoa-minh'") == 4, timeout=15)
    finally:
        aggregator.stop()
