"""Reading typed durations and the day/week caps on logged hours (no app needed)."""

import pytest

from portal.rules.hours import (
    DURATION_HELP,
    check_entry_caps,
    format_minutes,
    parse_duration,
)
from portal.rules.settings import DEFAULT_RULES, ProgramRules


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 h"),
        (45, "45 min"),
        (60, "1 h"),
        (90, "1 h 30 min"),
        (61, "1 h 1 min"),
        (40 * 60, "40 h"),
        (14 * 60 + 59, "14 h 59 min"),
    ],
)
def test_format_minutes(minutes: int, text: str) -> None:
    assert format_minutes(minutes) == text


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2:30", 150),
        ("0:45", 45),
        ("2:05", 125),
        ("2:59", 179),
        ("2.5", 150),
        ("2,5", 150),
        ("0.25", 15),
        (".5", 30),
        ("2", 120),
        ("2h30", 150),
        ("2 h 30", 150),
        ("2h 30min", 150),
        ("2 hours 30 minutes", 150),
        ("2h59", 179),
        ("2h", 120),
        ("2 H", 120),
        ("1.5h", 90),
        ("90m", 90),
        ("45 min", 45),
        ("  3:15  ", 195),
    ],
)
def test_parse_duration_accepts_what_people_type(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("0.1", 6),
        ("1.0125", 61),  # 60.75 min
        ("1.01", 61),  # 60.6 min
        ("1.005", 60),  # 60.3 min
        ("0.025", 2),  # exactly 1.5 min: halves round up
        ("0,025", 2),
        ("0.075", 5),  # exactly 4.5 min: up, not to the even 4
    ],
)
def test_decimal_hours_round_to_the_nearest_minute(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "two hours", "-2", "-1:30", "2:30:00", "2.", "1e3", "2 h h", "h30",
     "2:3x", "30 min 2 h"],
)
def test_parse_duration_refuses_garbage_with_the_help_message(text: str) -> None:
    with pytest.raises(ValueError, match="^Enter hours like 2:30, 2.5 or 2h30$") as caught:
        parse_duration(text)
    assert str(caught.value) == DURATION_HELP


@pytest.mark.parametrize("text", ["0", "0:00", "0h", "0 min", "0.0", "0.0075"])
def test_parse_duration_refuses_zero(text: str) -> None:
    with pytest.raises(ValueError, match="longer than zero, like 2:30, 2.5 or 2h30"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["2:60", "2:75", "1h60", "1 h 90 min"])
def test_parse_duration_refuses_sixty_minutes_or_more_after_hours(text: str) -> None:
    with pytest.raises(ValueError, match="Minutes must be under 60"):
        parse_duration(text)


def test_plain_minutes_may_exceed_an_hour() -> None:
    assert parse_duration("90 min") == 90


@pytest.mark.parametrize(
    ("new", "day_already", "week_already", "ok", "left"),
    [
        (60, 0, 39 * 60, True, 60),  # exactly reaching the week cap is allowed
        (61, 0, 39 * 60, False, 60),
        (120, 0, 39 * 60, False, 60),
        (60, 11 * 60, 0, True, 60),  # exactly reaching the day cap is allowed
        (61, 11 * 60, 0, False, 60),
        (12 * 60, 0, 0, True, 12 * 60),
        (12 * 60 + 1, 0, 0, False, 12 * 60),
        (1, 0, 40 * 60, False, 0),  # week already full
    ],
)
def test_entry_caps_boundaries(
    new: int, day_already: int, week_already: int, ok: bool, left: int
) -> None:
    check = check_entry_caps(new, day_already, week_already, DEFAULT_RULES)
    assert check.ok is ok
    assert check.minutes_left == left
    assert (check.message is None) is ok


def test_week_cap_message_says_what_is_left() -> None:
    check = check_entry_caps(120, 0, 39 * 60, DEFAULT_RULES)
    assert check.ok is False
    assert check.message == "This entry would take the week over 40 h: 1 h left."
    assert "1 h left" in check.message
    assert check.minutes_left == 60


def test_day_cap_message_says_what_is_left() -> None:
    check = check_entry_caps(3 * 60, 9 * 60 + 30, 20 * 60, DEFAULT_RULES)
    assert check.ok is False
    assert check.message == "This entry would take the day over 12 h: 2 h 30 min left."
    assert check.minutes_left == 150


@pytest.mark.parametrize(
    ("day_already", "week_already", "message"),
    [
        # Both caps broken: the smaller remainder is the one that matters.
        (11 * 60 + 30, 39 * 60, "This entry would take the day over 12 h: 30 min left."),
        (11 * 60, 39 * 60 + 30, "This entry would take the week over 40 h: 30 min left."),
    ],
)
def test_when_both_caps_break_the_smaller_remainder_is_reported(
    day_already: int, week_already: int, message: str
) -> None:
    check = check_entry_caps(4 * 60, day_already, week_already, DEFAULT_RULES)
    assert check.ok is False
    assert check.message == message
    assert check.minutes_left == 30


def test_full_week_says_nothing_is_left() -> None:
    check = check_entry_caps(30, 0, 40 * 60, DEFAULT_RULES)
    assert check.message == "This entry would take the week over 40 h: 0 h left."


def test_caps_follow_the_program_settings() -> None:
    rules = ProgramRules(max_week_minutes=20 * 60, max_day_minutes=8 * 60)
    assert check_entry_caps(8 * 60, 0, 0, rules).ok is True
    day = check_entry_caps(8 * 60 + 1, 0, 0, rules)
    assert day.message == "This entry would take the day over 8 h: 8 h left."
    week = check_entry_caps(2 * 60, 0, 19 * 60, rules)
    assert week.message == "This entry would take the week over 20 h: 1 h left."
