"""Pure tests of Puente's grade and credit rules (app/credits/rules.py and rules.toml)."""

from decimal import Decimal

import pytest

from app.credits.rules import (
    course_result,
    letter_for,
    round_percent,
    rules_for,
    sep_for,
    unit_passed,
)

DEFAULT = rules_for(None)
CALIFORNIA = rules_for("US-CA")


@pytest.mark.parametrize(
    ("percent", "passed"),
    [
        (None, False),
        (0, False),
        (59.9, False),
        (59.94, False),
        (59.95, True),
        (60, True),
        (60.0, True),
        (100, True),
    ],
)
def test_unit_pass_mark_is_60(percent, passed):
    assert unit_passed(percent, DEFAULT) is passed


@pytest.mark.parametrize(
    ("percent", "sep"),
    [
        (100, 10.0),
        (95, 9.5),
        (90, 9.0),
        (89.9, 8.9),
        (89.95, 9.0),
        (80, 8.0),
        (75.55, 7.5),
        (60, 6.0),
        (59.9, 5),
        (59, 5),
        (0, 5),
    ],
)
def test_sep_grade(percent, sep):
    # SEP is the (one-decimal) percent / 10, truncated: 89.9 is 8.9, never rounded up to 9.
    assert sep_for(percent) == sep


@pytest.mark.parametrize(
    ("percent", "letter"),
    [
        (100, "A"),
        (90, "A"),
        (89.95, "A"),
        (89.9, "B"),
        (80, "B"),
        (79.9, "C"),
        (70, "C"),
        (69.9, "D"),
        (60, "D"),
        (59.9, "F"),
        (0, "F"),
    ],
)
def test_letter_bands(percent, letter):
    assert letter_for(percent) == letter


def test_percent_rounds_half_up_to_one_decimal():
    assert [round_percent(v) for v in (70.05, 70.04, 59.95, 2 / 3 * 100)] == [
        70.1,
        70.0,
        60.0,
        66.7,
    ]


def test_partial_credit_is_rounded_to_hundredths():
    result = course_result([(80, None), (75, None), (None, None)], 0.5, DEFAULT)
    assert (result.units_passed, result.credit, result.is_partial) == (2, Decimal("0.33"), True)
    assert course_result([(80, None), (75, None), (10, None)], 0.5, DEFAULT).credit == Decimal(
        "0.33"
    )


def test_full_credit_for_all_units_passed():
    result = course_result([(80, None)] * 5, 0.5, DEFAULT)
    assert result.is_passed and not result.is_partial and result.credit == 0.5
    assert (result.grade_percent, result.letter, result.sep_grade) == (80.0, "B", 8.0)


def test_three_of_five_passed_with_two_unfinished_is_partial():
    result = course_result(
        [(90, None), (70, None), (60, None), (None, None), (None, None)], 0.5, DEFAULT
    )
    assert (result.units_passed, result.units_scored, result.credit) == (3, 3, Decimal("0.3"))
    assert result.is_partial and not result.is_complete
    assert result.grade_percent == 73.3  # the mean of the scored units


def test_four_of_five_with_mean_at_least_60_is_full_credit():
    result = course_result([(80, None)] * 4 + [(50, None)], 0.5, DEFAULT)
    assert result.is_passed and result.credit == 0.5 and result.grade_percent == 74.0


def test_four_of_five_with_mean_below_60_is_partial():
    result = course_result([(60, None)] * 4 + [(10, None)], 0.5, DEFAULT)
    assert result.grade_percent == 50.0 and not result.is_passed
    assert result.credit == Decimal("0.4") and result.is_partial


def test_three_of_five_passed_all_scored_is_partial():
    result = course_result([(80, None)] * 3 + [(50, None)] * 2, 0.5, DEFAULT)
    assert result.is_complete and not result.is_passed and result.credit == Decimal("0.3")


def test_california_counts_five_credits_one_a_unit():
    assert CALIFORNIA.credit_system == "california"
    assert course_result([(80, None)] * 5, 0.5, CALIFORNIA).credit == 5.0
    assert course_result([(80, None)] * 3 + [(None, None)] * 2, 0.5, CALIFORNIA).credit == 3.0


def test_failing_the_first_three_units_asks_for_reassessment():
    failed = course_result(
        [(40, None), (50, None), (59.9, None), (None, None), (None, None)], 0.5, DEFAULT
    )
    assert failed.needs_reassessment
    one_passed = course_result(
        [(40, None), (60, None), (30, None)] + [(None, None)] * 2, 0.5, DEFAULT
    )
    assert not one_passed.needs_reassessment
    unfinished = course_result([(40, None), (50, None)] + [(None, None)] * 3, 0.5, DEFAULT)
    assert not unfinished.needs_reassessment


def test_unit_work_counts_only_when_weighted():
    scores = [(70, 100)] * 5
    assert course_result(scores, 0.5, DEFAULT).grade_percent == 70.0
    assert course_result(scores, 0.5, DEFAULT, work_weight=0.2).grade_percent == 76.0
