"""The teacher's gradebook (students × units) and the queue of approval requests."""

from flask import render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from app.common import paginate, paginate_keys
from app.courses.models import Course
from app.extensions import db
from app.grading.gradebook import gradebook_rows, gradebook_students
from app.grading.views import bp
from app.learning.access import can_approve_test
from app.learning.approvals import approval_queue, approval_states
from app.learning.student_list import load_students
from app.page_cache.pages import cached_page
from app.permissions import scope_site_ids, staff_required, visible_sites
from app.users.models import Role


def _filters():
    courses = db.session.scalars(select(Course).order_by(Course.code)).all()
    sites = visible_sites(current_user) if current_user.role != Role.TEACHER else []
    return courses, sites


@bp.route("/gradebook")
@staff_required
def gradebook():
    return cached_page(scope_site_ids(current_user), _gradebook)


def _gradebook():
    pagination = paginate_keys(gradebook_students(current_user, request.args), load_students)
    rows, width = gradebook_rows(list(pagination.items), request.args)
    courses, sites = _filters()
    return render_template(
        "grading/gradebook.html",
        pagination=pagination,
        rows=rows,
        width=width,
        courses=courses,
        sites=sites,
        approvable={
            cell.progress.id
            for row in rows
            for cell in row.cells
            # the button shows only where a student asks
            if cell.approval
            and cell.approval.kind == "requested"
            and can_approve_test(current_user, cell.progress)
        },
        action_form=FlaskForm(),
    )


@bp.route("/approvals")
@staff_required
def approvals():
    pagination = paginate(approval_queue(current_user))
    progresses = [r.unit_progress for r in pagination.items]
    return render_template(
        "grading/approvals.html",
        pagination=pagination,
        states=approval_states(progresses),
        approvable={p.id for p in progresses if can_approve_test(current_user, p)},
        action_form=FlaskForm(),
    )
