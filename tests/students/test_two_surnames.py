"""Names with two surnames: found in search and matched on a transfer however they are split."""

from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.learning.student_list import filter_students
from app.transfers.matching import MatchKind, match_student
from tests import factories


def found(world, q) -> set[int]:
    return {s.id for s in db.session.scalars(filter_students(world["admin"], MultiDict({"q": q})))}


def test_search_finds_both_surnames_typed_together_or_alone(world):
    split = factories.make_student(
        world["tx1"], given_name="Ana", family_name="García", second_family_name="López"
    )
    together = factories.make_student(world["tx1"], given_name="Eva", family_name="García López")
    other = factories.make_student(world["tx1"], given_name="Ana", family_name="García")
    assert found(world, "garcía lópez") >= {split.id, together.id}
    assert other.id not in found(world, "García López")
    assert split.id in found(world, "López") and split.id in found(world, "Ana García López")


def identity(world, given, family, second=None, birth="2009-03-14"):
    return {
        "given_name": given,
        "family_name": family,
        "second_family_name": second,
        "birth_date": birth,
    }


def test_a_transfer_matches_surnames_written_together_or_apart(world):
    from datetime import date

    split = factories.make_student(
        world["tx1"],
        given_name="Rosa",
        family_name="Campos",
        second_family_name="Díaz",
        birth_date=date(2009, 3, 14),
    )
    for family, second in (("Campos Díaz", None), ("Campos", "Díaz"), ("Campos", None)):
        match = match_student(identity(world, "Rosa", family, second))
        assert (match.kind, match.student) == (MatchKind.NAME_AND_BIRTH, split), (family, second)
    together = factories.make_student(
        world["tx2"], given_name="Luis", family_name="Ruiz Soto", birth_date=date(2009, 3, 14)
    )
    match = match_student(identity(world, "Luis", "Ruiz", "Soto"))
    assert (match.kind, match.student) == (MatchKind.NAME_AND_BIRTH, together)
    assert match_student(identity(world, "Rosa", "Campos", "Pérez")).kind == MatchKind.NEW
