"""Staff pages: the student list, a student's record, adding and editing a student, and the
student's own sign-in (emailed link, printed sheet)."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from app.errors import on_refusal
from app.pdf import DocumentError
from app.permissions import (
    get_student_or_404,
    staff_required,
    visible_sites,
)
from app.students.forms import EditStudentForm, StudentForm
from app.students.services import (
    add_student,
    update_student_identity,
)
from app.students.sign_in_sheet import sign_in_sheet

bp = Blueprint("students", __name__, url_prefix="/students")


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    form = StudentForm()
    form.site_id.choices = [SelectChoice(s.id, s.name) for s in visible_sites(current_user)]
    on_refusal(lambda _error: render_template("students/new.html", form=form))
    if form.validate_on_submit():
        data = dict(form.data)
        if data.get("email") and not data.get("password"):
            form.password.errors.append(_("A sign-in needs a password of at least 8 characters."))
        else:
            student = add_student(current_user, data)
            flash(_("%(name)s was added.", name=student.full_name), "success")
            return redirect(url_for("students.detail", student_id=student.id))
    status = 400 if request.method == "POST" else 200
    return render_template("students/new.html", form=form), status


@bp.route("/<int:student_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(student_id: int):
    student = get_student_or_404(student_id, manage=True)
    form = EditStudentForm(obj=student)
    on_refusal(lambda _error: render_template("students/edit.html", form=form, student=student))
    if form.validate_on_submit():
        changes = update_student_identity(student, current_user, dict(form.data))
        if changes:
            flash(
                _("The changes to %(name)s's record are saved.", name=student.full_name),
                "success",
            )
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for("students.detail", student_id=student.id))
    status = 400 if request.method == "POST" else 200
    return render_template("students/edit.html", form=form, student=student), status


@bp.route("/<int:student_id>/sign-in-sheet", methods=["POST"])
@staff_required
def sign_in_sheet_pdf(student_id: int):
    student = get_student_or_404(student_id, manage=True)
    if not FlaskForm().validate_on_submit():
        abort(400)
    on_refusal(redirect_to=url_for("students.detail", student_id=student.id))
    try:
        pdf = sign_in_sheet(student, current_user)
    except DocumentError:
        abort(503)  # the PDF renderer failed; the request's writes are rolled back
    name = f"sign-in-sheet-{student.id}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
