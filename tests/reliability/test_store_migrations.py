"""An office database made by an older motcua opens with every row kept and the schema current."""

import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ticketd.model import Ticket, TicketState
from ticketd.store import MIGRATIONS, Store

DAY = date(2026, 11, 23)
AT = datetime(2026, 11, 23, 8, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def old_database(path, version: int) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    for index in range(version):
        for statement in filter(str.strip, MIGRATIONS[index].split(";")):
            db.execute(statement)
    db.execute(f"PRAGMA user_version={version}")
    db.execute("INSERT INTO meta(key, value) VALUES ('day', '2026-11-23')")
    db.execute("INSERT INTO tickets (day, number, service, issued_service, seq, priority, state, issued_at, transfers, "
               "rated) VALUES ('2026-11-23', 'A001', 'HT', 'HT', 1, 0, 'waiting', ?, 0, 0)", (AT.isoformat(),))
    db.execute("INSERT INTO requests (id, topic, reply, ticket, at) VALUES ('k1.1', 'motcua/hoa-an/kiosk/kiosk-1/take', "
               "'{\"id\":\"k1.1\",\"ok\":true}', 'A001', ?)", (AT.isoformat(),))
    db.close()


def test_schema_2_is_migrated_keeping_tickets_and_request_ids(tmp_path):
    """Schema 3 keys tickets by (day, number) alone (WITHOUT ROWID), schema 4 counters by id."""
    path = tmp_path / "ticketd.sqlite3"
    old_database(path, 2)
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    [ticket] = store.load_tickets(DAY)
    assert (ticket.number, ticket.state, ticket.issued_at) == ("A001", TicketState.WAITING, AT)
    assert store.reply_for("k1.1") == (True, '{"id":"k1.1","ok":true}', "A001")
    assert store.reply_for("k1.2") == (False, None, None)
    schema = dict(store.db.execute("SELECT name, sql FROM sqlite_master WHERE type='table'").fetchall())
    assert schema["tickets"].rstrip().endswith("WITHOUT ROWID")
    assert schema["counters"].rstrip().endswith("WITHOUT ROWID")
    # Schema 4: request ids without an index of their own (ticketd knows them in memory)
    assert store.db.execute("SELECT name FROM sqlite_master WHERE tbl_name='requests' AND type='index'").fetchall() == []
    with store.transaction():
        store.remember_request("k1.2", "motcua/hoa-an/kiosk/kiosk-1/take", None, "A002", AT)
    with store.transaction():
        store.set_reply("k1.2", '{"id":"k1.2","ok":true}')
    store.close()
    reopened = Store(path)
    assert reopened.reply_for("k1.1") == (True, '{"id":"k1.1","ok":true}', "A001")
    assert reopened.reply_for("k1.2") == (True, '{"id":"k1.2","ok":true}', "A002")
    assert [tuple(r) for r in reopened.db.execute("SELECT seq, id FROM requests ORDER BY seq")] == [(1, "k1.1"), (2, "k1.2")]


def test_a_ticket_saved_again_is_replaced_not_added(tmp_path):
    store = Store(tmp_path / "ticketd.sqlite3")
    ticket = Ticket(number="A001", service="HT", issued_service="HT", seq=1, priority=False,
                    state=TicketState.WAITING, issued_at=AT)
    with store.transaction():
        store.save_tickets(DAY, [ticket])
    ticket.state, ticket.counter, ticket.called_at = TicketState.CALLED, "1", AT
    with store.transaction():
        store.save_tickets(DAY, [ticket])
    [stored] = store.load_tickets(DAY)
    assert (stored.state, stored.counter, stored.called_at) == (TicketState.CALLED, "1", AT)
    store.close()
    reopened = Store(tmp_path / "ticketd.sqlite3")
    assert [t.state for t in reopened.load_tickets(DAY)] == [TicketState.CALLED]
