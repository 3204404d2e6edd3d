"""Grade conversion, unit and course results, and credit: Puente's rules in one module.

The numbers come from rules.toml (per-state overrides); this module only applies them.
"""

import tomllib
from dataclasses import dataclass, fields
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).with_name("rules.toml")


@dataclass(frozen=True)
class Rules:
    unit_pass_percent: float
    course_pass_percent: float
    units_may_fail: int
    test_attempts: int
    test_approval_required: bool
    approval_minutes: int
    credit_system: str
    credits_per_carnegie_unit: float
    credit_decimals: int
    reassess_after_failed_units: int


@dataclass(frozen=True)
class GradeBand:
    min_percent: float
    letter: str
    sep_fixed: float | None = None


@cache
def _load(path: Path = RULES_FILE) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def rules_for(state_code: str | None = None) -> Rules:
    """The rules in force in a state (ISO 3166-2), defaults overridden by the state's table."""
    data = _load()
    merged = dict(data["default"])
    merged.update(data.get("states", {}).get(state_code or "", {}))
    names = {f.name for f in fields(Rules)}
    return Rules(**{k: v for k, v in merged.items() if k in names})


def states_with_rules() -> list[str]:
    """The states whose rules.toml table overrides a default."""
    return sorted(_load().get("states", {}))


def grade_scale() -> list[GradeBand]:
    """The US percent → letter → SEP table, highest band first."""
    return [GradeBand(**row) for row in _load()["grade_scale"]]


def round_percent(value: float) -> float:
    """Percent grades are kept to one decimal, rounded half-up."""
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def letter_for(percent: float) -> str:
    """The US letter grade for a percent."""
    return _band(percent).letter


def sep_for(percent: float) -> float:
    """The SEP 0–10 grade for a US percent (failing grades are reported as 5)."""
    band = _band(percent)
    if band.sep_fixed is not None:
        return float(band.sep_fixed)
    tenth = Decimal(str(round_percent(percent))) / 10
    return float(min(tenth.quantize(Decimal("0.1"), rounding=ROUND_DOWN), Decimal(10)))


def percent_from_sep(sep: float) -> float:
    """The US percent a SEP grade stands for (the lowest percent that converts to it)."""
    return float(Decimal(str(sep)) * 10)


def _band(percent: float) -> GradeBand:
    rounded = round_percent(percent)
    for band in grade_scale():
        if rounded >= band.min_percent:
            return band
    return grade_scale()[-1]


def unit_passed(best_percent: float | None, rules: Rules) -> bool:
    """A unit is passed when its best test score reaches the pass mark."""
    return best_percent is not None and round_percent(best_percent) >= rules.unit_pass_percent


def unit_grade(test_percent: float, work_percent: float | None, work_weight: float) -> float:
    """A unit's contribution to the course grade: the test, optionally weighted with unit work."""
    if not work_weight or work_percent is None:
        return test_percent
    return (1 - work_weight) * test_percent + work_weight * work_percent


@dataclass(frozen=True)
class CourseResult:
    unit_count: int
    units_scored: int
    units_passed: int
    grade_percent: float | None
    letter: str | None
    sep_grade: float | None
    is_complete: bool  # every unit has a test score
    is_passed: bool
    credit: Decimal  # full credit when passed, else partial credit for the passed units
    is_partial: bool
    needs_reassessment: bool


def course_result(
    unit_scores: list[tuple[float | None, float | None]],
    course_credit: Decimal | float,
    rules: Rules,
    work_weight: float = 0.0,
) -> CourseResult:
    """Apply the course rules to each unit's (best test percent, unit work percent).

    :param unit_scores: one pair per unit in unit order; None where there is no score yet.
    :param course_credit: the course's credit in Carnegie units (e.g. 0.5).
    """
    unit_count = len(unit_scores)
    scored = [(test, work) for test, work in unit_scores if test is not None]
    passed = sum(1 for test, _work in scored if unit_passed(test, rules))
    grade = None
    if scored:
        grade = round_percent(sum(unit_grade(t, w, work_weight) for t, w in scored) / len(scored))
    is_complete = unit_count > 0 and len(scored) == unit_count
    is_passed = (
        is_complete
        and grade is not None
        and grade >= rules.course_pass_percent
        and passed >= unit_count - rules.units_may_fail
    )
    credit = state_credit(
        course_credit, rules, 1 if is_passed else passed, 1 if is_passed else unit_count
    )
    first = unit_scores[: rules.reassess_after_failed_units]
    needs_reassessment = len(first) == rules.reassess_after_failed_units and all(
        test is not None and not unit_passed(test, rules) for test, _work in first
    )
    return CourseResult(
        unit_count=unit_count,
        units_scored=len(scored),
        units_passed=passed,
        grade_percent=grade,
        letter=letter_for(grade) if grade is not None else None,
        sep_grade=sep_for(grade) if grade is not None else None,
        is_complete=is_complete,
        is_passed=is_passed,
        credit=credit,
        is_partial=not is_passed,
        needs_reassessment=needs_reassessment,
    )


def state_credit(
    carnegie_units: Decimal | float, rules: Rules, passed: int = 1, units: int = 1
) -> Decimal:
    """Carnegie units (or the share `passed` of `units`) in the state's credit system, rounded
    half-up to the rules' decimals: 0.5 is 0.5 in most states and 5 in California."""
    full = Decimal(str(carnegie_units)) * Decimal(str(rules.credits_per_carnegie_unit))
    earned = full * passed / max(units, 1)
    step = Decimal(1).scaleb(-rules.credit_decimals)
    return earned.quantize(step, rounding=ROUND_HALF_UP)


def credit_text(credit: Decimal | float) -> str:
    """A credit as people write it: 0.5, 5, 0.33 (no trailing zeros, never an exponent)."""
    text = format(Decimal(str(credit)).normalize(), "f")
    return "0" if text in {"-0", ""} else text


def earned_hours(course_hours: int, passed: int, units: int) -> int:
    """The instruction hours of the units passed (a course's hours spread evenly over its units)."""
    return round(course_hours * passed / max(units, 1))


def us_grade_for(level: str, year: int) -> int | None:
    """The US grade for a Mexican level and year (or semester), from the rules' table."""
    for row in _load().get("grade_levels", []):
        if row["level"] == level and year in row["years"]:
            return row["us_grades"][row["years"].index(year)]
    return None


def grade_levels() -> list[dict]:
    return list(_load().get("grade_levels", []))


def mexican_level_for(us_grade: int) -> tuple[str, list[int]] | None:
    """The Mexican level and its years (or semesters) matching a US grade, from the rules' table:
    e.g. 8 -> ("secundaria", [2]), 10 -> ("bachillerato", [1, 2])."""
    for row in _load().get("grade_levels", []):
        years = [y for y, g in zip(row["years"], row["us_grades"], strict=True) if g == us_grade]
        if years:
            return row["level"], years
    return None
