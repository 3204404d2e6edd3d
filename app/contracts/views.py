"""Contract of study pages: read it, write it (staff in scope), print it, acknowledge it."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from app.contracts.documents import contract_pdf
from app.contracts.forms import AcknowledgeForm, ContractForm, contract_data
from app.contracts.services import (
    acknowledge_contract,
    contract_enrollments,
    contract_progress,
    current_acknowledgement,
    find_contract,
    mentor_choices,
    save_contract,
)
from app.errors import on_refusal
from app.extensions import db
from app.pdf import DocumentError
from app.permissions import (
    can_acknowledge_contract,
    can_edit_contract,
    get_student_or_404,
    student_required,
)
from app.students.models import Student

bp = Blueprint("contracts", __name__, url_prefix="/contracts")


@bp.route("/mine")
@student_required
def mine():
    student = db.session.scalar(select(Student).where(Student.user_id == current_user.id))
    if student is None:
        abort(404)
    return redirect(url_for(".student", student_id=student.id))


@bp.route("/students/<int:student_id>")
@login_required
def student(student_id: int):
    student = get_student_or_404(student_id)
    contract = find_contract(student)
    return render_template(
        "contracts/student.html",
        student=student,
        contract=contract,
        lines=contract_progress(contract) if contract else [],
        acks={role: current_acknowledgement(contract, role) for role in ("student", "guardian")}
        if contract
        else {},
        can_edit=can_edit_contract(current_user, student),
        can_ack={
            role: can_acknowledge_contract(current_user, student, role)
            for role in ("student", "guardian")
        },
        ack_form=AcknowledgeForm(),
    )


@bp.route("/students/<int:student_id>/edit", methods=["GET", "POST"])
@login_required
def edit(student_id: int):
    student = get_student_or_404(student_id)
    if not can_edit_contract(current_user, student):
        abort(403)
    contract = find_contract(student)
    enrollments = contract_enrollments(student)
    form = ContractForm(obj=contract)
    form.mentor_id.choices = [
        SelectChoice(user.id, user.full_name) for user in mentor_choices(student)
    ]
    if contract is not None and request.method == "GET":
        form.revision.data = str(contract.revision)

    def page(_error=None):
        return render_template(
            "contracts/edit.html",
            form=form,
            student=student,
            contract=contract,
            enrollments=enrollments,
            chosen=_chosen(contract),
            values=request.form,
        )

    on_refusal(page)
    if form.validate_on_submit():
        save_contract(student, current_user, contract_data(form, request.form, enrollments))
        flash(_("The contract of study is saved."), "success")
        return redirect(url_for(".student", student_id=student.id))
    return page(), 400 if request.method == "POST" else 200


def _chosen(contract) -> dict:
    """The saved targets, as the edit page's fields show them."""
    if contract is None:
        return {}
    return {
        course.enrollment_id: {
            "target": course.target_date,
            "units": {t.unit_number: t.target_date for t in course.unit_targets},
        }
        for course in contract.courses
    }


@bp.route("/students/<int:student_id>/contract.pdf")
@login_required
def pdf(student_id: int):
    student = get_student_or_404(student_id)
    contract = find_contract(student) or abort(404)
    try:
        document = contract_pdf(contract)
    except DocumentError:
        abort(503)
    return Response(
        document,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="contract-of-study-{student.id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/students/<int:student_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(student_id: int):
    student = get_student_or_404(student_id)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        abort(400)
    role = form.role.data if form.role.data in ("student", "guardian") else None
    if role is None or not can_acknowledge_contract(current_user, student, role):
        abort(403)
    contract = find_contract(student) or abort(404)
    acknowledge_contract(contract, current_user, role)
    if role == "student":
        flash(_("Thank you: your acknowledgement of the contract is recorded."), "success")
    else:
        flash(_("The guardian's signature on paper is recorded."), "success")
    return redirect(url_for(".student", student_id=student.id))
