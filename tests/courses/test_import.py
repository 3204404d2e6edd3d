"""Importing packages: all-or-nothing, immutable versions, the newest version is current."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.courses.models import CourseVersion, ItemKind, Section
from app.courses.package import PackageError
from app.courses.services import (
    current_versions,
    get_current_version,
    import_package,
    import_packages,
)
from app.extensions import db
from app.sites.models import Site  # noqa: F401  (factories need the model registry)
from tests.courses.helpers import (
    MINI,
    assert_problem,
    bump_version,
    copy_mini,
    edit,
    line_of,
    row_counts,
)
from tests.factories import make_enrollment, make_site, make_student


def test_import_writes_the_whole_package():
    version = import_package(MINI)
    db.session.expire_all()
    version = db.session.get(CourseVersion, version.id)
    assert (version.code, version.version, version.is_current) == ("MINI1", "1.0.0", True)
    assert (version.title_es, version.unit_count, version.credit, version.hours) == (
        "Minicurso",
        3,
        Decimal("0.3"),
        30,
    )
    assert [unit.number for unit in version.units] == [1, 2, 3]
    unit2 = version.units[1]
    assert [lesson.slug for lesson in unit2.lessons] == ["2-1-adding", "2-2-word-problems"]
    assert unit2.lessons[0].body_es.startswith("## Sumar números pequeños")
    test_items = unit2.items_in(Section.TEST)
    assert [(i.key, i.kind, i.points) for i in test_items] == [
        ("t1", ItemKind.NUMERIC, 1),
        ("t2", ItemKind.CHOICE, 1),
        ("t3", ItemKind.OPEN, 3),
    ]
    assert test_items[0].answer == {"value": 5.0, "tolerance": 0.01}
    assert test_items[1].choices[0] == {"id": "a", "en": "5 + 5", "es": "5 + 5"}
    assert [i.key for i in unit2.items_in(Section.PRACTICE)] == ["p1"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "course.imported"))
    assert event.object_id == version.id and event.data["version"] == "1.0.0"


def test_importing_the_same_package_twice_changes_nothing(tmp_path):
    first = import_package(MINI)
    counts = row_counts()
    again = import_package(copy_mini(tmp_path))  # same bytes, another folder
    assert again.id == first.id
    assert row_counts() == counts


def test_same_version_with_changed_content_is_refused(tmp_path):
    import_package(MINI)
    package = copy_mini(tmp_path)
    edit(package / "units/1/1-1-counting.en.md", "Say each number", "Say every number")
    counts = row_counts()
    with pytest.raises(PackageError) as caught:
        import_package(package)
    assert_problem(
        caught.value.problems,
        "course.toml",
        line_of(package / "course.toml", "version"),
        "version 1.0.0 of MINI1 is already imported with different content; raise the version",
    )
    assert row_counts() == counts


def test_newer_version_becomes_current_and_enrollments_keep_theirs(tmp_path):
    old = import_package(MINI)
    enrollment = make_enrollment(make_student(make_site()), old)
    package = copy_mini(tmp_path)
    bump_version(package, "1.1.0")
    edit(package / "course.toml", 'en = "Mini Course"', 'en = "Mini Course, revised"')
    new = import_package(package)
    db.session.expire_all()
    assert new.id != old.id and new.course_id == old.course_id
    assert db.session.get(CourseVersion, old.id).is_current is False
    assert db.session.get(CourseVersion, new.id).is_current is True
    assert enrollment.course_version_id == old.id
    assert get_current_version("MINI1").id == new.id
    assert db.session.scalars(current_versions()).all() == [db.session.get(CourseVersion, new.id)]


def test_importing_an_older_version_later_leaves_the_newest_current(tmp_path):
    newer = copy_mini(tmp_path, "newer")
    bump_version(newer, "1.10.0")
    older = copy_mini(tmp_path, "older")
    bump_version(older, "1.9.0")
    v110 = import_package(newer)
    v190 = import_package(older)
    v100 = import_package(MINI)
    db.session.expire_all()
    assert [db.session.get(CourseVersion, v.id).is_current for v in (v110, v190, v100)] == [
        True,
        False,
        False,
    ]
    assert get_current_version("MINI1").version == "1.10.0"


def test_get_current_version_of_unknown_course_is_none():
    assert get_current_version("NOPE") is None


def test_import_packages_is_all_or_nothing(tmp_path):
    other = copy_mini(tmp_path, "other")
    edit(other / "course.toml", 'code = "MINI1"', 'code = "MINI2"')
    broken = copy_mini(tmp_path, "broken")
    edit(broken / "course.toml", 'code = "MINI1"', 'code = "MINI3"')
    edit(broken / "units/2/unit.toml", "answer = 7", 'answer = "7"')
    counts = row_counts()
    with pytest.raises(PackageError) as caught:
        import_packages([MINI, other, broken])
    unit2 = (broken / "units/2/unit.toml").as_posix()
    assert_problem(
        caught.value.problems,
        unit2,
        line_of(broken / "units/2/unit.toml", 'answer = "7"'),
        "answer must be a number",
    )
    assert row_counts() == counts
    results = import_packages([MINI, other])
    assert [(r.version.code, r.created) for r in results] == [("MINI1", True), ("MINI2", True)]
    assert [r.created for r in import_packages([MINI])] == [False]


def test_two_folders_with_one_version_but_different_content_are_refused(tmp_path):
    changed = copy_mini(tmp_path)
    edit(changed / "units/3/3-1-subtracting.es.md", "Quitar", "Quitar y restar")
    counts = row_counts()
    with pytest.raises(PackageError) as caught:
        import_packages([MINI, changed])
    assert_problem(
        caught.value.problems,
        (changed / "course.toml").as_posix(),
        line_of(changed / "course.toml", "version"),
        "also MINI1 1.0.0",
    )
    assert row_counts() == counts
