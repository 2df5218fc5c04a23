"""Tests for site_builder.core.eventdates: EDTF event dates, their values and their words."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.core import eventdates
from site_builder.core.eventdates import (EventDate, event_date_of, event_datetime_attribute,
                                          event_words, parse_event_date)

D = datetime.date


@pytest.mark.parametrize("text, start, end, precision, uncertain, approximate, interval, words, attr", [
    ("2022-12-30", D(2022, 12, 30), D(2022, 12, 30), "day", False, False, False,
     "30 December 2022", "2022-12-30"),
    ("2022-12", D(2022, 12, 1), D(2022, 12, 31), "month", False, False, False,
     "December 2022", "2022-12"),
    ("2022", D(2022, 1, 1), D(2022, 12, 31), "year", False, False, False, "2022", "2022"),
    ("2023-03-20/2023-03-22", D(2023, 3, 20), D(2023, 3, 22), "day", False, False, True,
     "20–22 March 2023", "2023-03-20"),
    ("2022-12-30?", D(2022, 12, 30), D(2022, 12, 30), "day", True, False, False,
     "perhaps 30 December 2022", "2022-12-30"),
    ("2022-12~", D(2022, 12, 1), D(2022, 12, 31), "month", False, True, False,
     "about December 2022", "2022-12"),
    ("2022-12-30%", D(2022, 12, 30), D(2022, 12, 30), "day", True, True, False,
     "perhaps about 30 December 2022", "2022-12-30"),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month", False, False, False,
     "February 2024", "2024-02"),
])
def test_each_form(text, start, end, precision, uncertain, approximate, interval, words, attr):
    event = parse_event_date(text)
    assert (event.text, event.start, event.end, event.precision, event.uncertain,
            event.approximate, event.is_interval) == (text, start, end, precision, uncertain,
                                                      approximate, interval)
    assert event_words(event) == words
    assert event_datetime_attribute(event) == attr


@pytest.mark.parametrize("text, words", [
    ("2023-03-30/2023-04-02", "30 March – 2 April 2023"),
    ("2022-12-30/2023-01-02", "30 December 2022 – 2 January 2023"),
    ("2022-11/2022-12", "November–December 2022"),
    ("2022-11/2023-01", "November 2022 – January 2023"),
    ("2022/2023", "2022–2023"),
    ("2022-12/2023-01-05", "December 2022 – 5 January 2023"),
    ("2023-03-20~/2023-03-22", "about 20–22 March 2023"),
])
def test_interval_words_name_shared_parts_once(text, words):
    assert event_words(parse_event_date(text)) == words


def test_front_matter_values_yaml_reads_as_dates_and_numbers():
    assert event_date_of(D(2022, 12, 30)) == parse_event_date("2022-12-30")
    assert event_date_of(2022) == parse_event_date("2022")
    assert event_date_of(" 2022-12 ").text == "2022-12"


@pytest.mark.parametrize("value, message", [
    ("2023-03-22/2023-03-20", "ends before it starts"),
    ("2023-03/2023-02-27", "ends before it starts"),
    ("2022-13", "is not a calendar date"),
    ("2022-02-30", "is not a calendar date"),
    ("0000", "is not a calendar date"),
    ("30 December 2022", "is not an EDTF date"),
    ("2022-12-30/..", "not a day, month or year"),
    ("2022-12-XX", "not a day, month or year"),
    ("2004-06-11T10:10:10", "not a day, month or year"),
    (datetime.datetime(2022, 12, 30, 10, 0), "not a time of day"),
    (["2022"], "not list"),
    (True, "not bool"),
])
def test_rejected_values_say_why(value, message):
    with pytest.raises(ValueError, match=message):
        event_date_of(value)


def test_a_rejected_value_is_repeated_at_most_60_characters():
    with pytest.raises(ValueError) as caught:
        parse_event_date("2022" + "x" * 500)
    assert len(str(caught.value)) < 120


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)),
       st.sampled_from(["day", "month", "year"]))
def test_the_plain_fast_path_equals_the_edtf_parser(day, precision):
    text = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": day.isoformat()[:4]}[precision]
    fast = parse_event_date.__wrapped__(text)
    # The same text through edtf's parser: as the one end of a one-day interval it gives the same part.
    slow = parse_event_date.__wrapped__(f"{text}/{text}")
    assert (fast.start, fast.end, fast.precision) == (slow.start, slow.end, slow.precision)
    assert isinstance(fast, EventDate) and not fast.is_interval
    assert eventdates._PLAIN.match(f"{text}/{text}") is None
