"""Package validation: every rule reports file, line and reason; a refused import writes nothing."""

import pytest

from app.courses.package import content_hash, load_package, version_key
from tests.courses.helpers import MINI, assert_problem, copy_mini, edit, import_problems, line_of

U1, U2, U3 = "units/1/unit.toml", "units/2/unit.toml", "units/3/unit.toml"


def test_mini_package_loads_with_every_part():
    spec = load_package(MINI)
    assert (spec.code, spec.version, spec.subject, spec.credit, spec.hours) == (
        "MINI1",
        "1.0.0",
        "mathematics",
        0.3,
        30,
    )
    assert spec.title == {"en": "Mini Course", "es": "Minicurso"}
    assert [unit.number for unit in spec.units] == [1, 2, 3]
    assert spec.units[1].title == {"en": "Adding", "es": "Sumar"}
    assert [lesson.slug for lesson in spec.units[1].lessons] == ["2-1-adding", "2-2-word-problems"]
    assert spec.units[0].lessons[0].body["es"].startswith("## Contar hasta diez")
    items = {(i.section, i.key): i for i in spec.units[0].items}
    assert items[("practice", "p1")].answer == {"choice": "b"}
    assert items[("practice", "p2")].points == 1  # the default
    assert items[("test", "t2")].answer == {"value": 8, "tolerance": 0}
    assert items[("test", "t3")].answer["rubric_es"].startswith("2 puntos")
    assert spec.units[1].items[-1].prompt["en"].startswith("Ana has 4 apples")
    assert spec.summary() == "MINI1 1.0.0: 3 units, 4 lessons, 14 items"


def test_content_hash_follows_bytes_and_names(tmp_path):
    package = copy_mini(tmp_path)
    original = content_hash(package)
    assert original == load_package(MINI).content_hash
    lesson = package / "units/1/1-1-counting.en.md"
    lesson.write_text(lesson.read_text() + "\nOne more line.\n")
    assert content_hash(package) != original
    lesson.rename(package / "units/1/renamed.en.md")
    assert content_hash(package) not in (original, content_hash(MINI))


def test_version_key_compares_numbers_not_text():
    assert version_key("1.10.0") > version_key("1.9.0") > version_key("1.0.10")
    assert sorted(["2.0.0", "1.10.0", "1.2.3"], key=version_key) == ["1.2.3", "1.10.0", "2.0.0"]


def test_toml_syntax_error_reports_its_line(tmp_path):
    package = copy_mini(tmp_path)
    edit(package / U2, "answer = 7\n", "answer = 7 +\n")
    problems = import_problems(package)
    assert_problem(problems, U2, line_of(package / U2, "answer = 7 +"), "TOML syntax error")


def test_missing_spanish_text_is_reported(tmp_path):
    package = copy_mini(tmp_path)
    edit(package / U1, 'prompt.es = "¿Qué número es el mayor?"\n', "")
    edit(package / "course.toml", 'es = "Minicurso"', 'es = "  "')
    problems = import_problems(package)
    prompt_line = line_of(package / U1, 'prompt.en = "Which number is largest?"')
    assert_problem(problems, U1, prompt_line, "test item 't1'", "prompt has no es text")
    assert_problem(
        problems, "course.toml", line_of(package / "course.toml", 'es = "  "'), "title.es is empty"
    )


def test_answer_not_among_choices(tmp_path):
    package = copy_mini(tmp_path)
    edit(package / U1, 'answer = "b"\n\n[[practice]]', 'answer = "e"\n\n[[practice]]')
    edit(
        package / U1,
        '  { id = "d", en = "2", es = "2" },\n]\nanswer = "b"',
        '  { id = "d", en = "2", es = "2" },\n]\nanswer = "z"',
    )
    problems = import_problems(package)
    assert_problem(
        problems,
        U1,
        line_of(package / U1, 'answer = "z"'),
        "test item 't1': answer 'z' is not one of the choices a, b, c, d",
    )
    assert_problem(problems, U1, line_of(package / U1, 'answer = "e"'), "practice item 'p1'")


def test_missing_lesson_file_points_at_its_file_line(tmp_path):
    package = copy_mini(tmp_path)
    (package / "units/2/2-2-word-problems.es.md").unlink()
    problems = import_problems(package)
    problem = assert_problem(
        problems,
        U2,
        line_of(package / U2, 'file = "2-2-word-problems"'),
        "units/2/2-2-word-problems.es.md is missing",
    )
    assert problem.message.startswith("lesson '2-2-word-problems'")
    assert len(problems) == 1


def test_empty_and_non_utf8_lessons(tmp_path):
    package = copy_mini(tmp_path)
    (package / "units/3/3-1-subtracting.es.md").write_text("  \n")
    (package / "units/1/1-1-counting.en.md").write_bytes(b"## Caf\xe9\n")
    problems = import_problems(package)
    assert_problem(problems, U3, line_of(package / U3, "file ="), "3-1-subtracting.es.md is empty")
    assert_problem(problems, U1, line_of(package / U1, "file ="), "is not UTF-8")


def test_duplicate_item_id(tmp_path):
    package = copy_mini(tmp_path)
    edit(package / U3, 'id = "t2"', 'id = "t1"')
    problems = import_problems(package)
    first, second = line_of(package / U3, 'id = "t1"'), line_of(package / U3, 'id = "t1"', 2)
    assert_problem(problems, U3, second, "test item 't1'", f"already used at line {first}")


def test_same_id_in_practice_and_test_is_allowed():
    spec = load_package(MINI)  # p1/t1 in every unit; ids are unique per section only
    assert {item.key for item in spec.units[0].items} == {"p1", "p2", "t1", "t2", "t3"}


def test_unit_numbers_out_of_order(tmp_path):
    package = copy_mini(tmp_path)
    edit(package / "course.toml", 'units = ["1", "2", "3"]', 'units = ["1", "3", "2"]')
    problems = import_problems(package)
    assert_problem(problems, U3, 1, "unit number must be 2", "not 3")
    assert_problem(problems, U2, 1, "unit number must be 3", "not 2")


def test_too_few_units(tmp_path):
    package = copy_mini(tmp_path)
    edit(package / "course.toml", 'units = ["1", "2", "3"]', 'units = ["1", "2"]')
    problems = import_problems(package)
    assert_problem(
        problems,
        "course.toml",
        line_of(package / "course.toml", "units ="),
        "3 to 10 units",
        "lists 2",
    )


def test_missing_unit_folder_and_repeated_folder(tmp_path):
    package = copy_mini(tmp_path)
    edit(package / "course.toml", 'units = ["1", "2", "3"]', 'units = ["1", "2", "3", "3", "4"]')
    problems = import_problems(package)
    units_line = line_of(package / "course.toml", "units =")
    assert_problem(problems, "course.toml", units_line, "unit folder '3' is listed twice")
    assert_problem(problems, "course.toml", units_line, "units/4/unit.toml is missing")


def test_unit_test_without_an_open_item(tmp_path):
    package = copy_mini(tmp_path)
    edit(package / U1, 'id = "t3"\ntype = "open"', 'id = "t3"\ntype = "numeric"\nanswer = 10')
    problems = import_problems(package)
    first_test = line_of(package / U1, "[[test]]")
    assert_problem(problems, U1, first_test, "the unit test needs at least one open item")


def test_unit_test_needs_three_items_and_an_automatic_one(tmp_path):
    package = copy_mini(tmp_path)
    text = (package / U3).read_text()
    start = text.index("[[test]]")
    (package / U3).write_text(text[:start] + text[text.index('[[test]]\nid = "t3"') :])
    problems = import_problems(package)
    test_line = line_of(package / U3, "[[test]]")
    assert_problem(problems, U3, test_line, "has 1 items; it needs at least 3")
    assert_problem(problems, U3, test_line, "at least one choice or numeric item")


def test_numeric_answer_not_a_number(tmp_path):
    package = copy_mini(tmp_path)
    edit(package / U2, "answer = 5.0", 'answer = "five"')
    edit(package / U2, "tolerance = 0.01", "tolerance = -0.5")
    problems = import_problems(package)
    assert_problem(
        problems,
        U2,
        line_of(package / U2, 'answer = "five"'),
        "test item 't1': answer must be a number, not 'five'",
    )
    assert_problem(
        problems, U2, line_of(package / U2, "tolerance = -0.5"), "tolerance must be 0 or more"
    )


@pytest.mark.parametrize(
    ("old", "new", "needle", "reason"),
    [
        ('code = "MINI1"', 'code = "mini 1"', "code =", "code 'mini 1' must be 2 to 32"),
        ('version = "1.0.0"', 'version = "1.0"', "version =", "MAJOR.MINOR.PATCH"),
        ('subject = "mathematics"', 'subject = "maths"', "subject =", "subject 'maths'"),
        ("format = 1", "format = 2", "format =", "format must be 1, not 2"),
        ("credit = 0.3", "credit = 0", "credit =", "credit must be greater than 0"),
        ("credit = 0.3", "credit = 2.5", "credit =", "credit must be at most 2 Carnegie units"),
        ("credit = 0.3", "credit = 0.333", "credit =", "with at most 2 decimals, not 0.333"),
        ("hours = 30", "hours = 30.5", "hours =", "hours must be a whole number"),
        ('grade_levels = "9-12"\n', "", "format =", "grade_levels is missing"),
    ],
)
def test_manifest_fields(tmp_path, old, new, needle, reason):
    package = copy_mini(tmp_path)
    edit(package / "course.toml", old, new)
    problems = import_problems(package)
    assert_problem(problems, "course.toml", line_of(package / "course.toml", needle), reason)


@pytest.mark.parametrize(
    ("old", "new", "needle", "reason"),
    [
        ("points = 2", "points = 0", "points = 0", "test item 't3': points must be greater than 0"),
        ("answer = 8", "answer = nan", "answer = nan", "answer must be a number, not nan"),
        (
            'type = "open"',
            'type = "essay"',
            'type = "essay"',
            "type must be choice, numeric or open",
        ),
        (
            'rubric.es = "2 puntos',
            'rubric.ex = "2 puntos',
            'rubric.en = "2 points',
            "rubric has no es text",
        ),
        (
            '  { id = "b", en = "3", es = "3" },',
            '  { id = "a", en = "3", es = "3" },',
            '{ id = "a", en = "3"',
            "choice id 'a' is used twice",
        ),
        (
            '  { id = "c", en = "7", es = "7" },',
            '  { id = "c", en = "7" },',
            '{ id = "c"',
            "choice 'c' has no es text",
        ),
        ('  { id = "a", en = "1", es = "1" },\n', "", "choices = [", "has 1 choices"),
        ('id = "p2"', 'id = "p 2"', 'id = "p 2"', "id must be 1-40 letters"),
        (
            'file = "1-1-counting"',
            'file = "../1-1-counting"',
            "file =",
            "file must name the lesson",
        ),
        ('title.es = "Contar hasta diez"', 'title.es = ""', 'title.es = ""', "title.es is empty"),
    ],
)
def test_item_and_lesson_fields(tmp_path, old, new, needle, reason):
    package = copy_mini(tmp_path)
    edit(package / U1, old, new)
    problems = import_problems(package)
    assert_problem(problems, U1, line_of(package / U1, needle), reason)


def test_sections_must_be_tables(tmp_path):
    package = copy_mini(tmp_path)
    text = (package / U3).read_text()
    (package / U3).write_text(text.replace("[[practice]]", "[[drill]]"))
    problems = import_problems(package)
    assert_problem(problems, U3, 1, "needs at least one [[practice]] item")


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    package = copy_mini(tmp_path)
    edit(package / "course.toml", 'subject = "mathematics"', 'subject = "maths"')
    edit(package / U1, 'answer = "b"', 'answer = "q"')
    edit(package / U2, "answer = 7", "answer = true")
    (package / "units/3/3-1-subtracting.en.md").unlink()
    problems = import_problems(package)
    assert [p.file for p in problems] == ["course.toml", U1, U2, U3]


def test_missing_manifest_and_missing_folder(tmp_path):
    problems = import_problems(tmp_path)
    assert_problem(problems, "course.toml", 1, "file is missing")
    problems = import_problems(tmp_path / "nowhere")
    assert_problem(problems, "course.toml", 1, "is not a package folder")
