"""A package whose practice or lesson self-checks repeat unit-test items is refused."""

from pathlib import Path

import pytest

from app.courses.package import PackageError, load_package
from tests.courses.helpers import assert_problem, copy_mini, edit, line_of

SHIPPED = Path(__file__).resolve().parents[2] / "courses"


def problems_of(package: Path):
    with pytest.raises(PackageError) as caught:
        load_package(package)
    return caught.value.problems


def test_a_practice_item_that_repeats_a_test_item_is_named(tmp_path):
    package = copy_mini(tmp_path)
    unit = package / "units" / "1" / "unit.toml"
    edit(
        unit,
        'prompt.en = "How many fingers are on one hand?"',
        'prompt.en = "Count: 1, 2, 3, ... What comes after 7?"',
    )
    problems = problems_of(package)
    line = line_of(unit, 'prompt.en = "Count: 1, 2, 3, ... What comes after 7?"')
    assert_problem(problems, "units/1/unit.toml", line, "practice item 'p2'", "unit-test item 't2'")


def test_a_lesson_self_check_that_repeats_a_test_item_is_named_by_file_and_line(tmp_path):
    package = copy_mini(tmp_path)
    lesson = package / "units" / "1" / "1-1-counting.es.md"
    edit(lesson, "- ¿Tocaste cada objeto una vez?", "- ¿Qué número es el mayor? (Respuesta: 9)")
    problems = problems_of(package)
    line = line_of(lesson, "¿Qué número es el mayor?")
    assert_problem(
        problems, "units/1/1-1-counting.es.md", line, "lesson '1-1-counting' (es)", "'t1'"
    )
    assert len(problems) == 1  # the English lesson is untouched


def test_the_same_expression_in_other_words_is_a_repeat(tmp_path):
    package = copy_mini(tmp_path)
    unit = package / "units" / "1" / "unit.toml"
    edit(unit, "Count: 1, 2, 3, ... What comes after 7?", "Solve 4x − 3 = x + 9.")
    edit(unit, "Cuenta: 1, 2, 3, ... ¿Qué sigue después del 7?", "Resuelve 4x − 3 = x + 9.")
    lesson = package / "units" / "1" / "1-1-counting.en.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text + "\n- Which x makes 4x - 3 = x + 9 true? (4)\n", encoding="utf-8")
    problems = problems_of(package)
    assert_problem(problems, "units/1/1-1-counting.en.md", len(text.splitlines()) + 2, "'t2'")


def test_a_different_item_on_the_same_skill_is_not_a_repeat(tmp_path):
    package = copy_mini(tmp_path)
    unit = package / "units" / "1" / "unit.toml"
    edit(unit, "Count: 1, 2, 3, ... What comes after 7?", "Solve 4x − 3 = x + 9.")
    edit(unit, "Cuenta: 1, 2, 3, ... ¿Qué sigue después del 7?", "Resuelve 4x − 3 = x + 9.")
    edit(
        unit,
        'prompt.en = "How many fingers are on one hand?"',
        'prompt.en = "Solve 6x − 5 = 2x + 7."',
    )
    load_package(package)


@pytest.mark.parametrize("folder", sorted(p.name for p in SHIPPED.iterdir() if p.is_dir()))
def test_every_shipped_course_passes(folder):
    load_package(SHIPPED / folder)


def test_english_9a_choices_are_spanish_on_spanish_pages():
    spec = load_package(SHIPPED / "english-9-a")
    same = [
        (unit.number, item.key, choice["en"])
        for unit in spec.units
        for item in unit.items
        for choice in item.choices
        if choice["es"] == choice["en"] and choice["en"] != "Marisol"  # a name stays a name
    ]
    assert same == []
