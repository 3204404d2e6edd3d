"""The export page and command, the course map page, and the import page's state option."""

import io
import zipfile

from sqlalchemy import select

from app.extensions import db
from app.rosters.models import RosterCourseMap, RosterJob
from app.rosters.tasks import upload_path
from app.sites.models import Site
from tests.rosters.helpers import zip_of


def test_a_coordinator_downloads_a_states_oneroster_zip(client, auth, world):
    auth.login(world["coord_tx"])
    page = client.get("/rosters/export").get_data(as_text=True)
    assert "state:US-TX" in page and f"site:{world['nd'].id}" not in page
    response = client.get("/rosters/export?scope=state:US-TX&version=1.1")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "manifest.csv" in names and "roles.csv" not in names  # 1.1: roles in users.csv
    orgs = zipfile.ZipFile(io.BytesIO(response.data)).read("orgs.csv").decode()
    assert world["tx1"].code in orgs and world["nd"].code not in orgs


def test_another_states_site_is_refused_in_spanish(client, auth, world):
    auth.login(world["coord_tx"])
    client.post("/language", data={"locale": "es"})
    response = client.get(f"/rosters/export?scope=site:{world['nd'].id}&version=1.2")
    assert response.status_code == 400 and "Opción inválida" in response.get_data(as_text=True)


def test_the_command_exports_a_state(runner, world, tmp_path):
    target = tmp_path / "tx.zip"
    result = runner.invoke(
        args=["rosters", "export", str(target), "--as", world["admin"].email, "--state", "US-TX"]
    )
    assert result.exit_code == 0, result.output
    assert "users.csv" in zipfile.ZipFile(target).namelist()


def test_an_admin_maps_a_course_code_and_an_unknown_course_is_refused(client, auth, world):
    auth.login(world["admin"])
    response = client.post("/rosters/courses", data={"key": "sis-alg-1", "course_code": "NOPE"})
    assert response.status_code == 400 and "NOPE" in response.get_data(as_text=True)
    code = world["course"].course.code
    client.post("/rosters/courses", data={"key": "sis-alg-1", "course_code": code.lower()})
    entry = db.session.scalar(select(RosterCourseMap))
    assert (entry.key, entry.course.code) == ("SIS-ALG-1", code)
    client.post(f"/rosters/courses/{entry.id}/delete")
    assert db.session.scalar(select(RosterCourseMap)) is None


def test_the_import_page_places_schools_in_the_chosen_state(client, auth, world, roster_set):
    del roster_set["orgs.csv"][:2]  # no state org, no district
    roster_set["orgs.csv"][0].update(sourcedId="org-new", identifier="NEW-1", parentSourcedId="")
    for row in roster_set["users.csv"]:
        row["primaryOrgSourcedId"] = "org-new"
    roster_set["classes.csv"][0]["schoolSourcedId"] = "org-new"
    auth.login(world["admin"])
    data = {"roster": (io.BytesIO(zip_of(roster_set)), "x.zip"), "state": "MX-MIC"}
    response = client.post("/rosters/", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(Site.state_code).where(Site.code == "NEW-1")) == "MX-MIC"


def test_a_big_set_through_the_page_runs_as_a_job_with_its_progress_page(
    app, client, auth, world, roster_set, monkeypatch
):
    monkeypatch.setitem(app.config, "ROSTER_MAX_BYTES", 100)  # this set is "big"
    auth.login(world["coord_tx"])
    response = client.post(
        "/rosters/",
        data={"roster": (io.BytesIO(zip_of(roster_set)), "tx.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and "/rosters/jobs/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="done"' in page and "Students added" in page
    job = db.session.scalar(select(RosterJob))
    assert (job.status, job.phase, job.roster_import.counts["students_created"]) == (
        "done",
        "done",
        2,
    )
    assert not upload_path(job.id).exists()


def test_a_jobs_problems_are_listed_and_nothing_is_written(
    app, client, auth, world, roster_set, monkeypatch
):
    monkeypatch.setitem(app.config, "ROSTER_MAX_BYTES", 100)
    roster_set["users.csv"][0]["userIds"] = "{MSIX:12}"
    auth.login(world["coord_tx"])
    client.post("/language", data={"locale": "es"})
    response = client.post(
        "/rosters/",
        data={"roster": (io.BytesIO(zip_of(roster_set)), "tx.zip")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert 'data-status="failed"' in page and "<td>users.csv</td><td>2</td><td>userIds</td>" in page
    assert "12 dígitos" in page
    assert db.session.scalar(select(Site).where(Site.roster_id == "org-tx1")) is None
