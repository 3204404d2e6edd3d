"""Admins upload a course package ZIP: checked, imported all-or-nothing, every problem listed."""

import io
import zipfile

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from tests.courses.helpers import bump_version, copy_mini, edit, line_of, row_counts, zip_packages
from tests.query_counter import count_queries


def _upload(client, data: bytes, name: str = "package.zip"):
    return client.post(
        "/admin/courses",
        data={"package": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def admin(client, auth, world):
    auth.login(world["admin"])
    return world["admin"]


def test_a_valid_package_is_imported_and_every_version_is_listed(client, admin, tmp_path):
    package = copy_mini(tmp_path)
    response = _upload(client, zip_packages(package, nested=False))
    assert response.status_code == 302, response.get_data(True)[:3000]
    bump_version(package, "1.1.0")
    assert _upload(client, zip_packages(package)).status_code == 302
    page = client.get("/admin/courses").get_data(True)
    assert "1.0.0" in page and "1.1.0" in page
    uploaded = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "course.uploaded")
    ).all()
    assert {e.data["version"] for e in uploaded} == {"1.0.0", "1.1.0"}
    assert all(e.actor_id == admin.id for e in uploaded)


def test_one_broken_package_of_two_imports_neither_and_names_file_and_line(client, admin, tmp_path):
    good = copy_mini(tmp_path, "good")
    bad = copy_mini(tmp_path, "bad")
    edit(bad / "course.toml", 'version = "1.0.0"', 'version = "one"')
    edit(bad / "course.toml", 'code = "', 'code = "X')
    before = row_counts()
    response = _upload(client, zip_packages(good, bad))
    assert response.status_code == 400
    page = response.get_data(True)
    assert "bad/course.toml" in page and "MAJOR.MINOR.PATCH" in page
    assert f"<td>{line_of(bad / 'course.toml', 'version =')}</td>" in page
    assert row_counts() == before


def test_problems_are_listed_in_spanish(client, admin, tmp_path):
    client.post("/language", data={"locale": "es"})
    bad = copy_mini(tmp_path)
    edit(bad / "course.toml", 'version = "1.0.0"', 'version = "one"')
    page = _upload(client, zip_packages(bad, nested=False)).get_data(True)
    assert "nada se importó" in page
    assert "MAYOR.MENOR.PARCHE" in page


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all", "not a ZIP archive"),
        (_zip({"readme.txt": b"hello"}), "no course.toml"),
        (_zip({"../evil/course.toml": b"x"}), "points outside it"),
        (_zip({"course.toml": b"\0" * 20_000_000}), "times its packed size"),
    ],
    ids=["not-zip", "no-package", "escape", "bomb"],
)
def test_a_hostile_or_wrong_zip_is_a_clear_400_and_nothing_is_written(client, admin, data, message):
    before = row_counts()
    response = _upload(client, data)
    assert response.status_code == 400
    assert message in response.get_data(True)
    assert row_counts() == before


def test_a_file_above_the_limit_is_refused(app, client, admin, monkeypatch):
    monkeypatch.setitem(app.config, "COURSE_PACKAGE_MAX_BYTES", 100_000)
    response = _upload(client, b"PK" + b"x" * 100_001)
    assert response.status_code == 413
    assert "larger than" in response.get_data(True)


def test_the_versions_page_loads_in_a_fixed_number_of_queries(client, admin, tmp_path):
    package = copy_mini(tmp_path)
    _upload(client, zip_packages(package, nested=False))
    with count_queries() as few:
        client.get("/admin/courses")
    for version in ("1.1.0", "1.2.0"):
        newer = copy_mini(tmp_path, f"mini-{version}")
        bump_version(newer, version)
        assert _upload(client, zip_packages(newer, nested=False)).status_code == 302
    with count_queries() as more:
        client.get("/admin/courses")
    assert len(more) == len(few)
