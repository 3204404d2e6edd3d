"""Hostile roster ZIPs: a bomb, lying headers, too much to unpack, NUL bytes; each refused with a
clear 400 before anything is unpacked or written."""

import io
import struct
import zipfile

import pytest
from sqlalchemy import func, select

from app.rosters.files import MAX_MEMBERS, read_zip
from app.rosters.models import RosterImport
from app.students.models import Student
from tests.rosters.helpers import csv_text, zip_of

HEADER = "sourcedId,givenName,familyName\n"


def bomb(unpacked_mb: int = 100) -> bytes:
    """A ZIP whose users.csv unpacks to `unpacked_mb` MB of one repeated row (about 0.1 MB)."""
    row = ("u-1,Ana,García" + " " * 50 + "\n").encode()
    block = row * (1_000_000 // len(row))
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("users.csv", "w", force_zip64=True) as member,
    ):
        member.write(HEADER.encode())
        for _ in range(unpacked_mb):
            member.write(block)
    return buffer.getvalue()


def lying_zip(real: bytes, declared: int) -> bytes:
    """A one-member ZIP whose headers say the member unpacks to `declared` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.csv", real)
    data = bytearray(buffer.getvalue())
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared)  # local header: uncompressed size
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)  # central directory: the same
    return bytes(data)


def upload(client, data: bytes):
    return client.post(
        "/rosters/",
        data={"roster": (io.BytesIO(data), "roster.zip")},
        content_type="multipart/form-data",
    )


def count(model) -> int:
    from app.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


def test_a_zip_bomb_is_refused_on_the_page_and_nothing_is_written(client, auth, world):
    data = bomb()
    assert len(data) < 500_000
    auth.login(world["coord_tx"])
    response = upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "times its packed size" in page and "users.csv" in page
    assert count(RosterImport) == 0 and count(Student) == len(
        [k for k in world if k.startswith("student_")]
    )


def test_the_bomb_is_refused_in_spanish(client, auth, world):
    world["coord_tx"].locale = "es"
    auth.login(world["coord_tx"])
    response = upload(client, bomb(20))
    assert response.status_code == 400
    assert "veces su tamaño comprimido" in response.get_data(as_text=True)


def test_the_ratio_is_checked_from_the_headers_before_unpacking():
    (problem,) = read_zip(bomb(), max_unpacked=10**12).problems
    assert "times its packed size" in problem.message


def test_more_than_the_page_may_unpack_is_refused(
    app, client, auth, world, roster_set, monkeypatch
):
    monkeypatch.setitem(app.config, "ROSTER_MAX_UNPACKED_BYTES", 500)
    auth.login(world["coord_tx"])
    response = upload(client, zip_of(roster_set))
    assert response.status_code == 400
    assert "flask rosters import" in response.get_data(as_text=True)
    assert count(RosterImport) == 0


@pytest.mark.parametrize("declared", [10, 1000])
def test_headers_that_understate_the_size_are_caught_while_unpacking(declared):
    real = (HEADER + "u-1,Ana,García\n" * 50_000).encode()
    (problem,) = read_zip(lying_zip(real, declared)).problems
    assert problem.file == "" and "damaged" in problem.message


def test_the_byte_count_while_unpacking_holds_to_the_budget():
    real = (HEADER + "u-1,Ana,García\n" * 50_000).encode()
    data = zip_of({"users.csv": real.decode()})
    # The headers are honest here, so the budget itself is what stops the reading.
    (problem,) = read_zip(data, max_unpacked=len(real) - 1).problems
    assert "unpacks to more than" in problem.message


def test_a_zip_of_too_many_files_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(MAX_MEMBERS + 1):
            archive.writestr(f"f{n}.csv", "")
    (problem,) = read_zip(buffer.getvalue()).problems
    assert "too many files" in problem.message


def test_a_nul_byte_in_a_roster_cell_is_a_problem_with_its_line(client, auth, world, roster_set):
    users = csv_text(roster_set["users.csv"]).replace("Luis", "Lu\x00is")
    auth.login(world["coord_tx"])
    before = count(Student)
    response = upload(client, zip_of(roster_set | {"users.csv": users}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<td>users.csv</td><td>3</td><td></td><td>The file contains a NUL character." in page
    assert count(Student) == before and count(RosterImport) == 0
