"""Changing, extending and ending a placement checked as pure rules, and the one sentence every page prints
about how a placement stands (no app needed)."""

from datetime import date, timedelta

import pytest

from portal.rules.compliance import completion_wording
from portal.rules.placements import (
    FORM,
    Outcome,
    PlacementInput,
    check_ending,
    check_extension,
    check_terms,
    outcome_for,
    parse_date,
    qualifying_weeks_by,
)
from portal.rules.settings import DEFAULT_RULES, ProgramRules
from portal.rules.weeks import completion

TODAY = date(2026, 11, 18)  # a Wednesday
START = date(2026, 9, 7)  # a Monday, ten weeks before TODAY's week
H = 60


def terms(**typed):
    values = {"supervisor": "7", "start_date": "2026-09-07", "end_date": "2026-12-04", "committed_hours": "20",
              "stipend_eligible": False, **typed}
    return check_terms(
        PlacementInput(**values), DEFAULT_RULES, supervisor_ids={7, 8}, none_allowed=False,
        current_end=date(2026, 12, 4), today=TODAY, logged=(date(2026, 9, 8), date(2026, 11, 16)),
    )


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("2026-11-14", date(2026, 11, 14)), ("2026-02-30", None), ("20261114", None), ("14/11/2026", None), ("", None),
     (" 2026-11-14 ", date(2026, 11, 14)), ("9999-12-31", date(9999, 12, 31))],
)
def test_parse_date_takes_only_what_a_date_input_sends(text, parsed) -> None:
    assert parse_date(text) == parsed


def test_good_terms_are_parsed_into_stored_units() -> None:
    parsed, errors = terms(committed_hours="27.5", stipend_eligible=True, supervisor="8")
    assert errors == {}
    assert (parsed.supervisor_id, parsed.committed_minutes_per_week, parsed.stipend_eligible) == (8, 27 * H + 30, True)
    assert (parsed.start_date, parsed.end_date) == (START, date(2026, 12, 4))


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"end_date": "2026-09-01"}, "end_date", "The planned end date cannot be before the start date (7 September"),
        ({"end_date": "2026-11-13"}, "end_date", "Hours are logged up to 16 November 2026"),
        ({"end_date": "2028-09-05"}, "end_date", "The planned end date cannot be more than 104 weeks after the start"),
        ({"start_date": "2026-09-09"}, "start_date", "Hours are logged on 8 September 2026"),
        ({"start_date": "1999-12-31"}, "start_date", "The start date must be on or after 1 January 2000"),
        ({"committed_hours": "14.5"}, "committed_hours", "The minimum commitment is 15 h a week"),
        ({"committed_hours": "25", "stipend_eligible": True}, None, None),
        ({"committed_hours": "24.5", "stipend_eligible": True}, "stipend_eligible", "A stipend needs"),
        ({"supervisor": "9"}, "supervisor", "Choose a supervisor from the list"),
    ],
)
def test_each_term_is_checked_beside_its_field(typed, field, message) -> None:
    parsed, errors = terms(**typed)
    if field is None:
        assert errors == {} and parsed is not None
    else:
        assert parsed is None and errors[field].startswith(message)


def test_a_past_planned_end_is_refused_unless_it_is_the_one_stored() -> None:
    rules_args = dict(supervisor_ids={7}, none_allowed=False, today=TODAY, logged=None)
    typed = PlacementInput("7", "2026-09-07", "2026-11-17", "20", False)
    _, errors = check_terms(typed, DEFAULT_RULES, current_end=date(2026, 12, 4), **rules_args)
    assert "End the placement" in errors["end_date"]
    parsed, errors = check_terms(typed, DEFAULT_RULES, current_end=date(2026, 11, 17), **rules_args)
    assert errors == {} and parsed.end_date == date(2026, 11, 17)


def test_no_supervisor_is_allowed_only_while_there_is_none() -> None:
    typed = PlacementInput("", "2026-09-07", "", "20", False)
    args = dict(supervisor_ids={7}, current_end=None, today=TODAY)
    assert check_terms(typed, DEFAULT_RULES, none_allowed=True, **args)[0].supervisor_id is None
    assert check_terms(typed, DEFAULT_RULES, none_allowed=False, **args)[1] == {
        "supervisor": "Choose a supervisor from the list"
    }


def test_extending() -> None:
    args = dict(start=START, today=TODAY)
    assert check_extension("2026-12-18", current_end=date(2026, 12, 4), ended=False, **args) == (date(2026, 12, 18), {})
    assert "after the planned one" in check_extension("2026-12-04", current_end=date(2026, 12, 4), ended=False,
                                                      **args)[1]["end_date"]
    assert FORM in check_extension("2026-12-18", current_end=None, ended=False, **args)[1]
    assert FORM in check_extension("2026-12-18", current_end=date(2026, 12, 4), ended=True, **args)[1]


def approved(weeks: int, minutes: int = 20 * H) -> dict[date, int]:
    return {START + timedelta(weeks=n): minutes for n in range(weeks)}


def test_qualifying_weeks_count_only_approved_weeks_up_to_the_end() -> None:
    hours = {**approved(10), START + timedelta(weeks=3): 14 * H}  # one short week
    assert qualifying_weeks_by(TODAY, start=START, today=TODAY, approved_minutes_by_monday=hours,
                               rules=DEFAULT_RULES) == 9
    assert qualifying_weeks_by(START + timedelta(days=20), start=START, today=TODAY, approved_minutes_by_monday=hours,
                               rules=DEFAULT_RULES) == 3  # the weeks of 7, 14 and 21 September


def test_the_outcome_follows_the_programs_own_minimum() -> None:
    assert outcome_for(11, DEFAULT_RULES) is Outcome.ENDED_EARLY
    assert outcome_for(12, DEFAULT_RULES) is Outcome.COMPLETED
    assert outcome_for(8, ProgramRules(min_weeks=8)) is Outcome.COMPLETED


def end(outcome="ended_early", end_date="2026-11-14", reason="Left for a job", weeks=10, rules=DEFAULT_RULES):
    return check_ending(outcome, end_date, reason, rules, start=START, today=TODAY,
                        approved_minutes_by_monday=approved(weeks), last_logged=date(2026, 11, 10))


def test_an_ending_before_the_minimum_needs_a_reason() -> None:
    ending, errors = end()
    assert errors == {} and (ending.outcome, ending.end_date, ending.reason) == (
        Outcome.ENDED_EARLY, date(2026, 11, 14), "Left for a job"
    )
    assert end(reason="  ")[1] == {"reason": "Say why the placement ended before the minimum"}


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"end_date": "2026-09-06"}, "end_date", "The end date cannot be before the start date (7 September 2026)"),
        ({"end_date": "2026-11-19"}, "end_date", "The end date cannot be in the future (today is 18 November 2026)"),
        ({"end_date": "2026-11-09"}, "end_date", "Hours are logged up to 10 November 2026"),
        ({"outcome": "completed"}, "outcome", "Only 10 of the 12 qualifying weeks needed are approved by 14 November"),
        ({"outcome": "done"}, "outcome", "Choose how the placement ended"),
        ({"outcome": "ended_early", "weeks": 12, "end_date": "2026-11-18"}, "outcome",
         "The 12-week minimum was met (11 qualifying weeks"),
    ],
)
def test_a_bad_ending_names_its_field(kwargs, field, message) -> None:
    if kwargs.get("weeks") == 12:
        ending, errors = end(**{**kwargs, "rules": ProgramRules(min_weeks=11)})
        message = message.replace("12-week", "11-week")
    else:
        ending, errors = end(**kwargs)
    assert ending is None and errors[field].startswith(message)


def test_a_completed_ending_needs_no_reason() -> None:
    ending, errors = end(outcome="completed", reason="", rules=ProgramRules(min_weeks=10))
    assert errors == {} and ending.outcome is Outcome.COMPLETED


@pytest.mark.parametrize(
    ("qualifying", "ended", "ended_on", "sentence"),
    [
        (12, False, None, "Completed the 12-week minimum"),
        (12, True, date(2026, 11, 14), "Completed the 12-week minimum and ended on 14 November 2026"),
        (5, True, date(2026, 11, 14), "Ended before the 12-week minimum on 14 November 2026"),
        (5, True, None, "Ended before the 12-week minimum"),
        (5, False, None, "In progress: 5 of the 12 qualifying weeks needed so far"),
    ],
)
def test_one_sentence_says_how_a_placement_stands(qualifying, ended, ended_on, sentence) -> None:
    result = completion(qualifying, DEFAULT_RULES, ended=ended, today=TODAY)
    assert completion_wording(result, DEFAULT_RULES, ended_on) == sentence


def test_the_sentence_uses_the_programs_own_minimum() -> None:
    rules = ProgramRules(min_weeks=8)
    result = completion(3, rules, ended=True, today=TODAY)
    sentence = completion_wording(result, rules, date(2026, 11, 14))
    assert sentence == "Ended before the 8-week minimum on 14 November 2026"
