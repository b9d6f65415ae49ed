"""A batch's rows wait in memory until the commit; a request that fails takes back its own rows
and no one else's, whether or not they had already reached SQLite."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ticketd.store import Store

DAY = date(2026, 11, 23)
AT = datetime(2026, 11, 23, 8, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
TAKE = "motcua/hoa-an/kiosk/kiosk-1/take"


class Bug(Exception):
    pass


def request(store: Store, request_id: str) -> None:
    store.remember_request(request_id, TAKE, f'{{"id":"{request_id}"}}', None, AT)
    store.log_counter_event(DAY, "1", "cb-lan", "call_next", request_id, None, AT)


def stored(path) -> tuple[list[str], list[str]]:
    store = Store(path)
    ids = [r[0] for r in store.db.execute("SELECT id FROM requests ORDER BY id")]
    events = [r[0] for r in store.db.execute("SELECT ticket FROM counter_events ORDER BY seq")]
    store.close()
    return ids, events


def failing(store: Store, request_id: str, read_midway: bool) -> None:
    with pytest.raises(Bug), store.item():
        store.remember_request(request_id, TAKE, None, None, AT)
        if read_midway:  # a read writes the rows so far: this item's go under a savepoint
            assert store.request_topic(request_id) == TAKE
        store.log_counter_event(DAY, "1", "cb-lan", "call_next", request_id, None, AT)
        raise Bug


@pytest.mark.parametrize("read_midway", [False, True], ids=["in-memory", "flushed"])
def test_a_failed_item_takes_back_only_its_rows(tmp_path, read_midway):
    path = tmp_path / "ticketd.sqlite3"
    store = Store(path)
    store.begin()
    with store.item():
        request(store, "r1")
    failing(store, "r2", read_midway)
    with store.item():
        request(store, "r3")
        assert store.reply_for("r1") == (True, '{"id":"r1"}', None)  # rows still in memory are read
    store.commit()
    store.close()
    assert stored(path) == (["r1", "r3"], ["r1", "r3"])


def test_rows_of_an_uncommitted_batch_are_lost_with_it(tmp_path):
    path = tmp_path / "ticketd.sqlite3"
    store = Store(path)
    store.begin()
    with store.item():
        request(store, "r1")
    store.rollback()
    assert store.reply_for("r1") == (False, None, None)
    with store.transaction():  # the client retries r1: stored this time
        request(store, "r1")
        request(store, "r2")
    store.close()
    assert stored(path) == (["r1", "r2"], ["r1", "r2"])
    assert Store(path).reply_for("r1") == (True, '{"id":"r1"}', None)
