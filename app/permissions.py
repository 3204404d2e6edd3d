"""Access rules in one place: role decorators, object checks and query scopes."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, false, select, true

from app.extensions import db
from app.guardians.models import GuardianLink
from app.page_cache.pages import request_cache
from app.sites.models import Site
from app.students.models import Student
from app.users.models import Role, User


def role_required(*roles: Role):
    """Require a signed-in user with one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(Role.TEACHER, Role.COORDINATOR, Role.ADMIN)
coordinator_required = role_required(Role.COORDINATOR, Role.ADMIN)
admin_required = role_required(Role.ADMIN)
student_required = role_required(Role.STUDENT)
guardian_required = role_required(Role.GUARDIAN)


def student_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause limiting Student rows to those `user` may see."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.STUDENT:
        return Student.user_id == user.id
    if user.role == Role.TEACHER or (user.role == Role.COORDINATOR and user.site_id):
        return Student.site_id == user.site_id if user.site_id else false()
    if user.role == Role.COORDINATOR and user.state_code:
        return Student.site_id.in_(select(Site.id).where(Site.state_code == user.state_code))
    return false()


def scope_sites(user: User) -> list[Site] | None:
    """The sites whose students staff `user` may see, by name (None: every site), loaded once a
    request: a list filters on their ids and its site menu shows them."""
    if user.role == Role.ADMIN:
        return None
    if user.role not in (Role.TEACHER, Role.COORDINATOR):
        return []
    if user.site_id:
        where = Site.id == user.site_id
    elif user.role == Role.COORDINATOR and user.state_code:
        where = Site.state_code == user.state_code
    else:
        return []
    cache = request_cache("scope_sites")
    key = (user.site_id, user.state_code)
    if key not in cache:
        cache[key] = list(db.session.scalars(select(Site).where(where).order_by(Site.name)))
    return cache[key]


def scope_site_ids(user: User) -> list[int] | None:
    """The ids of the sites whose students staff `user` may see (None: every site), the same
    sites as `scope_sites`. A list filters on them as plain values, which PostgreSQL plans in
    microseconds and checks while it walks an index in the list's order, where a subquery on
    the sites becomes a join. Read on their own, once a request (a kept page needs no more)."""
    if user.role == Role.ADMIN:
        return None
    if user.role not in (Role.TEACHER, Role.COORDINATOR):
        return []
    if user.site_id:
        return [user.site_id]  # no query
    if user.role != Role.COORDINATOR or not user.state_code:
        return []
    sites = request_cache("scope_sites").get((user.site_id, user.state_code))
    if sites is not None:  # loaded already by `scope_sites`
        return sorted(site.id for site in sites)
    cache = request_cache("scope_site_ids")
    if user.state_code not in cache:
        cache[user.state_code] = list(
            db.session.scalars(
                select(Site.id).where(Site.state_code == user.state_code).order_by(Site.id)
            )
        )
    return cache[user.state_code]


def site_ids_scope(user: User, column) -> ColumnElement[bool]:
    """A WHERE clause limiting a site-id `column` to the sites of staff `user`'s scope (the
    same sites as `student_scope`, as values: see `scope_site_ids`)."""
    site_ids = scope_site_ids(user)
    if site_ids is None:
        return true()
    if len(site_ids) == 1:
        return column == site_ids[0]
    return column.in_(site_ids) if site_ids else false()


def site_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause limiting Site rows to those where `user` works."""
    if user.role == Role.ADMIN:
        return true()
    if user.site_id:
        return Site.id == user.site_id
    if user.role == Role.COORDINATOR and user.state_code:
        return Site.state_code == user.state_code
    return false()


def can_view_student(user: User, student: Student) -> bool:
    """Whether `user` may see `student`'s record."""
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.STUDENT:
        return student.user_id == user.id
    if user.site_id:
        return student.site_id == user.site_id
    if user.role == Role.COORDINATOR and user.state_code:
        return student.site.state_code == user.state_code
    return False


def can_follow_student(user: User, student: Student) -> bool:
    """Whether guardian `user` is linked to `student` (read-only family pages)."""
    if user.role != Role.GUARDIAN:
        return False
    stmt = select(GuardianLink.id).where(
        GuardianLink.guardian_id == user.id, GuardianLink.student_id == student.id
    )
    return db.session.scalar(stmt) is not None


def can_manage_guardians(user: User, student: Student) -> bool:
    """Whether `user` may invite or unlink the student's guardians: staff of the student's
    site (its teachers and coordinators, the state's coordinators), and admins."""
    return can_manage_student(user, student)


def can_manage_site(user: User, site: Site) -> bool:
    """Whether staff `user` works at `site` (their site, or a site in their state)."""
    if user.role == Role.ADMIN:
        return True
    if not user.is_staff:
        return False
    if user.site_id:
        return site.id == user.site_id
    return user.role == Role.COORDINATOR and site.state_code == user.state_code


def can_manage_student(user: User, student: Student) -> bool:
    """Whether `user` may assign, grade and enter scores for `student` (staff in scope)."""
    return user.is_staff and can_view_student(user, student)


def can_view_grade_report(user: User, student: Student) -> bool:
    """Whether `user` may see `student`'s unofficial grade report: the student, staff who may
    see the record, and the student's linked guardians."""
    return can_view_student(user, student) or can_follow_student(user, student)


def can_award_credit(user: User, student: Student) -> bool:
    """Whether `user` may award credit for `student` (coordinators and admins in scope)."""
    return user.role in (Role.COORDINATOR, Role.ADMIN) and can_view_student(user, student)


def can_open_job(user: User, job) -> bool:
    """Whether `user` may follow a background job and take what it made: who started it, or an
    admin (certificate runs, roster imports)."""
    return user.role == Role.ADMIN or job.created_by_id == user.id


def started_by_scope(user: User, column) -> ColumnElement[bool]:
    """A WHERE clause for rows someone started (`column` holds their user id): an admin sees
    everyone's, anyone else their own."""
    return true() if user.role == Role.ADMIN else column == user.id


def can_map_courses(user: User) -> bool:
    """Whether `user` may edit the roster course map (which roster course is which Puente
    course, installation-wide): admins."""
    return user.role == Role.ADMIN


def get_student_or_404(student_id: int, *, manage: bool = False) -> Student:
    """Load a student visible to the current user: 404 if missing, 403 if out of scope."""
    student = db.session.get(Student, student_id) or abort(404)
    check = can_manage_student if manage else can_view_student
    if not check(current_user, student):
        abort(403)
    return student


def visible_sites(user: User) -> list[Site]:
    """Sites in the user's scope, by name."""
    if user.role in (Role.TEACHER, Role.COORDINATOR):
        return [site for site in scope_sites(user) if not site.is_external]
    stmt = select(Site).where(site_scope(user), Site.is_external.is_(False)).order_by(Site.name)
    return list(db.session.scalars(stmt))


def can_edit_contract(user: User, student: Student) -> bool:
    """Whether `user` may write `student`'s contract of study: staff of the student's site or
    state (and admins)."""
    return can_manage_student(user, student)


def can_acknowledge_contract(user: User, student: Student, role: str) -> bool:
    """Whether `user` may acknowledge `student`'s contract as `role` ("student", "guardian"):
    the student themselves; a guardian's signature on paper, recorded by staff in scope."""
    if role == "student":
        return user.role == Role.STUDENT and student.user_id == user.id
    if role == "guardian":
        return can_manage_student(user, student)
    return False
