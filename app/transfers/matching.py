"""Which local record a transfer package may attach to: decided here, on the server, never by the page.

A package may continue a record the importer already manages, or one whose family announced a
move to the importer's site or state. Any other match becomes a new record flagged as a possible
duplicate, so that an import never widens anyone's access.
"""

import enum
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.moves.models import MoveStatus, StudentMove
from app.moves.services import is_incoming_for
from app.permissions import can_manage_student
from app.students.models import Student
from app.students.names import same_surnames
from app.users.models import User

NEW = "new"


class MatchKind(enum.StrEnum):
    MSIX = "msix"
    CURP = "curp"
    NAME_AND_BIRTH = "name_and_birth"
    UNCERTAIN = "uncertain"  # same name, but the date of birth is missing or differs
    NEW = "new"


STRONG = (MatchKind.MSIX, MatchKind.CURP, MatchKind.NAME_AND_BIRTH)


@dataclass
class Match:
    kind: MatchKind
    student: Student | None
    candidates: list[Student]


@dataclass
class Resolution:
    """What the importer may do with a package: attach it to one of `choices`, or create a new
    record (`allow_new`), flagged as a possible duplicate of `duplicate_of` when that record
    exists but is out of the importer's reach."""

    kind: MatchKind
    choices: list[Student] = field(default_factory=list)
    moves: dict[int, StudentMove] = field(default_factory=dict)  # student id → open move
    allow_new: bool = True
    duplicate_of: Student | None = None

    @property
    def default(self) -> str:
        # Only a strong match is proposed; a name alone never merges by itself.
        if self.kind in STRONG and self.choices:
            return str(self.choices[0].id)
        return NEW

    @property
    def allowed(self) -> set[str]:
        return {str(s.id) for s in self.choices} | ({NEW} if self.allow_new else set())


def match_student(identity: dict) -> Match:
    """Find the local record of the package's student: MSIX ID, then CURP, then name + birth."""
    if identity.get("msix_id"):
        found = db.session.scalar(select(Student).where(Student.msix_id == identity["msix_id"]))
        if found:
            return Match(MatchKind.MSIX, found, [found])
    if identity.get("curp"):
        found = db.session.scalar(select(Student).where(Student.curp == identity["curp"]))
        if found:
            return Match(MatchKind.CURP, found, [found])
    same_name = list(
        db.session.scalars(
            select(Student)
            .where(
                func.lower(Student.given_name) == identity["given_name"].lower(),
                same_surnames(identity["family_name"], identity.get("second_family_name")),
            )
            .options(selectinload(Student.site))
            .order_by(Student.id)
            .limit(10)
        )
    )
    birth = date.fromisoformat(identity["birth_date"]) if identity.get("birth_date") else None
    exact = [s for s in same_name if birth and s.birth_date == birth]
    if len(exact) == 1:
        return Match(MatchKind.NAME_AND_BIRTH, exact[0], exact)
    if same_name:
        return Match(MatchKind.UNCERTAIN, None, same_name)
    return Match(MatchKind.NEW, None, [])


def incoming_move(user: User, student: Student) -> StudentMove | None:
    """The open move notice that brings `student` to `user`'s site or state, if any."""
    move = db.session.scalar(
        select(StudentMove).where(
            StudentMove.student_id == student.id, StudentMove.status == MoveStatus.MOVING
        )
    )
    return move if move is not None and is_incoming_for(user, move) else None


def resolve_target(identity: dict, user: User) -> Resolution:
    """The records `user` may attach a package with this identity to, and whether a new one
    may (or must) be created instead."""
    match = match_student(identity)
    resolution = Resolution(kind=match.kind)
    for candidate in match.candidates:
        if can_manage_student(user, candidate):
            resolution.choices.append(candidate)
            continue
        move = incoming_move(user, candidate)
        if move is not None:
            resolution.choices.append(candidate)
            resolution.moves[candidate.id] = move
    if match.kind in STRONG and not resolution.choices:
        resolution.duplicate_of = match.student
    # The same MSIX ID or CURP cannot be on two records the importer manages.
    if match.kind in (MatchKind.MSIX, MatchKind.CURP) and resolution.choices:
        resolution.allow_new = False
    return resolution
