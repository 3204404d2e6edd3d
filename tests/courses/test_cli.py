"""`flask courses validate` and `flask courses import`: exit codes, file:line: reason messages,
all-or-nothing imports and a re-import that changes nothing."""

from sqlalchemy import select

from app.courses.models import Course, CourseVersion
from app.extensions import db
from tests.courses.helpers import MINI, bump_version, copy_mini, edit, line_of, row_counts

U2 = "units/2/unit.toml"


def broken_copy(tmp_path, name: str = "broken"):
    """A copy of the mini package with a TOML syntax error in unit 2, and where it is."""
    package = copy_mini(tmp_path, name)
    edit(package / U2, "answer = 7\n", "answer = 7 +\n")
    return package, f"{(package / U2).as_posix()}:{line_of(package / U2, 'answer = 7 +')}: "


def versions() -> list[tuple[str, str, bool]]:
    rows = db.session.execute(
        select(Course.code, CourseVersion.version, CourseVersion.is_current)
        .join(CourseVersion.course)
        .order_by(Course.code, CourseVersion.version)
    )
    return [tuple(row) for row in rows]


def test_validate_a_good_package_says_ok_and_exits_0(runner):
    result = runner.invoke(args=["courses", "validate", str(MINI)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "MINI1 1.0.0: 3 units, 4 lessons, 14 items — OK"
    assert result.stderr == ""
    assert row_counts() == (0, 0, 0)  # validating writes nothing


def test_validate_a_bad_package_names_file_line_and_reason_and_exits_1(runner, tmp_path):
    package, where = broken_copy(tmp_path)
    result = runner.invoke(args=["courses", "validate", str(MINI), str(package)])
    assert result.exit_code == 1
    assert "MINI1 1.0.0: 3 units, 4 lessons, 14 items — OK" in result.stdout  # the good one
    problems = [line for line in result.stderr.splitlines() if line.startswith(where)]
    assert len(problems) == 1 and "TOML syntax error" in problems[0], result.stderr
    assert result.stderr.splitlines()[-1] == "1 problem(s) found."


def test_validate_with_no_folder_is_a_usage_error(runner):
    result = runner.invoke(args=["courses", "validate"])
    assert result.exit_code == 2
    assert "Name at least one package folder, or use --all." in result.stderr


def test_import_writes_the_course_and_says_so(runner):
    result = runner.invoke(args=["courses", "import", str(MINI)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "MINI1 1.0.0: imported (current)."
    assert versions() == [("MINI1", "1.0.0", True)]
    assert row_counts() == (1, 1, 14)


def test_import_is_all_or_nothing(runner, tmp_path):
    good = copy_mini(tmp_path, "good")
    bump_version(good, "1.1.0")
    package, where = broken_copy(tmp_path)
    result = runner.invoke(args=["courses", "import", str(good), str(package)])
    assert result.exit_code == 1
    assert where in result.stderr and "TOML syntax error" in result.stderr
    assert result.stderr.splitlines()[-1] == "Nothing was imported."
    assert result.stdout == ""
    assert row_counts() == (0, 0, 0)  # not even the good package


def test_a_re_import_changes_nothing(runner, tmp_path):
    assert runner.invoke(args=["courses", "import", str(MINI)]).exit_code == 0
    before = row_counts()
    again = runner.invoke(args=["courses", "import", str(MINI)])
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == "MINI1 1.0.0: already imported, unchanged (current)."
    assert row_counts() == before and versions() == [("MINI1", "1.0.0", True)]


def test_a_newer_version_becomes_current_and_the_older_one_stays(runner, tmp_path):
    newer = copy_mini(tmp_path, "newer")
    bump_version(newer, "1.1.0")
    result = runner.invoke(args=["courses", "import", str(MINI), str(newer)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "MINI1 1.0.0: imported (not current: a newer version exists).",
        "MINI1 1.1.0: imported (current).",
    ]
    assert versions() == [("MINI1", "1.0.0", False), ("MINI1", "1.1.0", True)]


def test_the_same_version_with_other_content_is_refused(runner, tmp_path):
    assert runner.invoke(args=["courses", "import", str(MINI)]).exit_code == 0
    changed = copy_mini(tmp_path, "changed")
    edit(changed / "course.toml", 'en = "Mini Course"', 'en = "Mini Course, edited"')
    before = row_counts()
    result = runner.invoke(args=["courses", "import", str(changed)])
    assert result.exit_code == 1
    assert f"{(changed / 'course.toml').as_posix()}:" in result.stderr
    assert result.stderr.splitlines()[-1] == "Nothing was imported."
    assert row_counts() == before
