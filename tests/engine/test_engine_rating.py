"""Citizen ratings: once per served ticket, at its counter, within the window, for its officer."""

import pytest

from engine_office import at, make_engine, open_counter, refused
from motcua.i18n import t
from ticketd.model import TicketState


@pytest.fixture
def engine():
    """A001 served at counter 1 by o1 and finished at 08:20; A002 called at counter 1."""
    engine = make_engine()
    open_counter(engine, "1", "o1")
    open_counter(engine, "2", "o2")
    engine.take("HT", False, at(8, 0))
    engine.take("HT", False, at(8, 1))
    engine.counter_op("1", "call_next", {}, at(8, 5))
    engine.counter_op("1", "start", {}, at(8, 6))
    engine.counter_op("1", "finish", {"outcome": "received"}, at(8, 20))
    engine.counter_op("1", "call_next", {}, at(8, 21))
    return engine


def test_rating_is_recorded_for_the_officer_who_served(engine):
    result = engine.rate("1", "A001", "satisfied", [], None, at(8, 22))
    rating = result.rating
    assert (rating.ticket, rating.level, rating.reasons, rating.comment) == ("A001", "satisfied", (), None)
    assert (rating.officer_id, rating.counter, rating.at) == ("o1", "1", at(8, 22))
    assert engine.get_ticket("A001").rated
    assert result.ticket is engine.get_ticket("A001") and result.touched_tickets == [result.ticket]


def test_officer_switch_before_finish_rates_the_officer_who_finished():
    engine = make_engine()
    open_counter(engine, "1", "o1")
    engine.take("HT", False, at(8, 0))
    engine.counter_op("1", "call_next", {}, at(8, 5))
    engine.counter_op("1", "start", {}, at(8, 6))
    open_counter(engine, "1", "o3", at(8, 10))
    assert engine.counter_op("1", "finish", {}, at(8, 20)).rate_request.officer_id == "o3"
    assert engine.rate("1", "A001", "very_satisfied", [], None, at(8, 21)).rating.officer_id == "o3"


def test_dissatisfied_needs_a_reason_and_keeps_them_normalised(engine):
    err = refused("bad_request", engine.rate, "1", "A001", "dissatisfied", [], None, at(8, 22))
    assert t(err.message_key) == "Vui lòng chọn ít nhất một lý do khi không hài lòng."
    refused("bad_request", engine.rate, "1", "A001", "dissatisfied", ["  "], None, at(8, 22))
    decomposed = "cho\u031b\u0300 lâu"  # "chờ lâu" with a combining grave accent
    result = engine.rate("1", "A001", "dissatisfied", [decomposed], " Đợi gần một tiếng ", at(8, 22))
    rating = result.rating
    assert rating.reasons == ("chờ lâu",) and rating.comment == "Đợi gần một tiếng"


@pytest.mark.parametrize("level, reasons, comment, key", [
    ("great", [], None, "errors.bad_request_rating_level"),
    ("satisfied", "chờ lâu", None, "errors.bad_request_field"),
    ("satisfied", [3], None, "errors.bad_request_field"),
    ("satisfied", [], 5, "errors.bad_request_field"),
    ("satisfied", [], "x" * 501, "errors.bad_request_comment_too_long"),
])
def test_malformed_ratings_are_bad_requests(engine, level, reasons, comment, key):
    err = refused("bad_request", engine.rate, "1", "A001", level, reasons, comment, at(8, 22))
    assert err.message_key == key
    assert not engine.get_ticket("A001").rated


def test_a_500_character_comment_is_accepted(engine):
    assert engine.rate("1", "A001", "satisfied", [], "x" * 500, at(8, 22)).rating.comment == "x" * 500


def test_rating_refusals(engine):
    refused("unknown_counter", engine.rate, "9", "A001", "satisfied", [], None, at(8, 22))
    refused("unknown_ticket", engine.rate, "1", "A404", "satisfied", [], None, at(8, 22))
    err = refused("not_allowed", engine.rate, "1", "A002", "satisfied", [], None, at(8, 22))
    assert err.message_key == "errors.not_allowed_rating_not_done"
    err = refused("not_allowed", engine.rate, "2", "A001", "satisfied", [], None, at(8, 22))
    assert err.message_key == "errors.not_allowed_rating_other_counter"


def test_rating_window_is_inclusive(engine):
    err = refused("not_allowed", engine.rate, "1", "A001", "satisfied", [], None, at(8, 30, 1))
    assert t(err.message_key, **err.params) == "Đã hết thời gian đánh giá cho số A001."
    assert engine.rate("1", "A001", "satisfied", [], None, at(8, 30)).rating.level == "satisfied"


def test_a_ticket_is_rated_once(engine):
    engine.rate("1", "A001", "very_satisfied", [], None, at(8, 22))
    err = refused("duplicate_rating", engine.rate, "1", "A001", "satisfied", [], None, at(8, 23))
    assert t(err.message_key, **err.params).startswith("Số A001 đã được đánh giá")


def test_an_auto_finished_ticket_can_be_rated(engine):
    engine.counter_op("1", "start", {}, at(8, 22))
    engine.take("HT", False, at(8, 23))
    result = engine.counter_op("1", "call_next", {}, at(8, 30))
    assert engine.get_ticket("A002").state == TicketState.DONE and result.rate_request.ticket == "A002"
    assert engine.rate("1", "A002", "satisfied", [], None, at(8, 31)).rating.officer_id == "o1"
