"""Move pages, which combine moves and transfers: report, cancel and send a move from a student's
record, the incoming list (this installation's notices and other installations'), receiving."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice

from app.common import paginate, to_int
from app.errors import on_refusal
from app.extensions import db
from app.moves.forms import CancelMoveForm, MoveForm, ReceiveForm
from app.moves.models import InboundTransfer, MoveStatus, StudentMove
from app.moves.services import (
    cancel_move,
    inbound_moves,
    inbound_receiving_sites,
    inbound_scope,
    incoming_moves,
    is_incoming_for,
    receive_move,
    receiving_sites,
    report_move,
    served_here,
    student_moves,
)
from app.permissions import (
    can_manage_student,
    can_view_student,
    get_student_or_404,
    staff_required,
    visible_sites,
)
from app.places import place_name
from app.sites.models import Site
from app.students.models import Student
from app.transfers import exchange
from app.transfers.peers import PeerError
from app.transfers.trust import peer_for
from app.transfers.views import bp as transfers_bp

bp = Blueprint("moves", __name__, url_prefix="/moves")


def student_moves_panel(student: Student) -> dict:
    """What the record's move section shows: the notices and whether the user may act on them."""
    notices = student_moves(student)
    current = next((m for m in notices if m.status == MoveStatus.MOVING), None)
    here = current is not None and served_here(current.destination_code)
    peer = None
    if current is not None and not here and current.destination_site_id is None:
        peer = peer_for(current.destination_code)
    return {
        "notices": notices,
        "open": current,
        "served_here": here,
        "peer": peer,
        "can_manage": can_manage_student(current_user, student),
        "cancel_form": CancelMoveForm(),
        "send_form": FlaskForm(),
    }


def _internal_sites() -> list[Site]:
    return list(
        db.session.scalars(
            select(Site).where(Site.is_external.is_(False)).order_by(Site.state_code, Site.name)
        )
    )


def render_student_moves(
    student: Student, form: MoveForm, error: str | None = None, status: int = 200
):
    form.set_choices([s for s in _internal_sites() if s.id != student.site_id])
    return render_template(
        "moves/student.html",
        student=student,
        form=form,
        error=error,
        panel=student_moves_panel(student),
    ), status


@bp.route("/students/<int:student_id>")
@staff_required
def student(student_id: int):
    return render_student_moves(get_student_or_404(student_id, manage=True), MoveForm())


@bp.post("/students/<int:student_id>")
@staff_required
def report(student_id: int):
    student = get_student_or_404(student_id, manage=True)
    form = MoveForm()
    if not form.validate_on_submit():
        errors = [e for f in form for e in f.errors] or [
            _("The form has expired; please try again.")
        ]
        return render_student_moves(student, form, errors[0], 400)
    on_refusal(lambda _error: render_student_moves(student, form))
    move = report_move(
        student,
        current_user,
        form.destination_code.data,
        to_int(form.destination_site_id.data),
        form.move_date.data,
        form.note.data,
    )
    flash(
        _(
            "%(name)s is marked as moving to %(place)s.",
            name=student.full_name,
            place=place_name(move.destination_code),
        ),
        "success",
    )
    return redirect(url_for("students.detail", student_id=student.id, _anchor="moves"))


def _move_or_404(move_id: int) -> StudentMove:
    return db.session.get(StudentMove, move_id) or abort(404)


@bp.post("/<int:move_id>/cancel")
@staff_required
def cancel(move_id: int):
    move = _move_or_404(move_id)
    if not can_manage_student(current_user, move.student):
        abort(403)
    form = CancelMoveForm()
    if not form.validate_on_submit():
        abort(400)
    on_refusal(lambda _error: render_student_moves(move.student, MoveForm()))
    cancel_move(move, current_user, (form.reason.data or "").strip())
    flash(_("The move notice was cancelled."), "success")
    return redirect(url_for("students.detail", student_id=move.student_id, _anchor="moves"))


def _receive_form(move: StudentMove, sites: list[Site]) -> ReceiveForm:
    form = ReceiveForm(prefix=f"m{move.id}")
    form.site_id.choices = [SelectChoice(s.id, s.name) for s in receiving_sites(move, sites)]
    return form


def inbound_receive_form(inbound: InboundTransfer, sites: list[Site]) -> ReceiveForm:
    form = ReceiveForm(prefix=f"i{inbound.id}")
    form.site_id.choices = [
        SelectChoice(s.id, s.name) for s in inbound_receiving_sites(inbound, sites)
    ]
    return form


def render_incoming(error: str | None = None, status: int = 200):
    """The incoming list: notices from this installation's sites, and moves other Puente
    installations sent here."""
    chosen = request.args.get("status") or MoveStatus.MOVING.value
    pagination = paginate(incoming_moves(current_user, chosen))
    inbound = paginate(inbound_moves(current_user, chosen))
    sites = visible_sites(current_user)
    rows = [(move, _receive_form(move, sites)) for move in pagination.items]
    inbound_rows = [(item, inbound_receive_form(item, sites)) for item in inbound.items]
    return render_template(
        "moves/incoming.html",
        pagination=pagination,
        rows=rows,
        inbound=inbound,
        inbound_rows=inbound_rows,
        error=error,
        chosen=chosen,
        statuses=[s.value for s in MoveStatus],
        can_view=can_view_student,
    ), status


@bp.route("/incoming")
@staff_required
def incoming():
    return render_incoming()


@bp.post("/<int:move_id>/receive")
@staff_required
def receive(move_id: int):
    move = _move_or_404(move_id)
    if not is_incoming_for(current_user, move):
        abort(404)  # FERPA: another site's notice is not even confirmed to exist
    form = _receive_form(move, visible_sites(current_user))
    if not form.validate_on_submit():
        return render_incoming(_("Choose the site that takes the student in."), 400)
    site = db.session.get(Site, form.site_id.data)
    on_refusal(lambda _error: render_incoming())
    receive_move(move, site, current_user)
    flash(
        _(
            "%(name)s was received at %(site)s; the record is now yours to continue.",
            name=move.student.full_name,
            site=site.name,
        ),
        "success",
    )
    return redirect(url_for("students.detail", student_id=move.student_id))


@transfers_bp.post("/moves/<int:move_id>/send")
@staff_required
def send_move(move_id: int):
    move = db.session.get(StudentMove, move_id) or abort(404)
    if not can_manage_student(current_user, move.student):
        abort(403)
    on_refusal(lambda _error: render_student_moves(move.student, MoveForm()))
    peer = exchange.send_move(move, current_user)
    flash(_("The notice and the record were sent to %(name)s.", name=peer.name), "success")
    return redirect(url_for("students.detail", student_id=move.student_id, _anchor="moves"))


@transfers_bp.post("/inbound/<int:inbound_id>/receive")
@staff_required
def receive_inbound(inbound_id: int):
    inbound = db.session.scalar(
        select(InboundTransfer).where(InboundTransfer.id == inbound_id, inbound_scope(current_user))
    )
    if inbound is None:
        abort(404)  # FERPA: a notice for another state is not even confirmed to exist
    form = inbound_receive_form(inbound, visible_sites(current_user))
    on_refusal(lambda _error: render_incoming())
    if not form.validate_on_submit():
        raise PeerError(_("Choose the site that takes the student in."))
    site = db.session.get(Site, form.site_id.data)
    if exchange.needs_review(inbound, site, current_user):
        # A record here could continue (at another site, or one of several): choose on review.
        return redirect(url_for("transfers.inbound_review", inbound_id=inbound.id, site=site.id))
    student_id = exchange.receive_inbound(inbound, site, current_user)
    flash(
        _(
            "%(name)s was received at %(site)s; the record is now yours to continue.",
            name=f"{inbound.given_name} {inbound.family_name}",
            site=site.name,
        ),
        "success",
    )
    return redirect(url_for("students.detail", student_id=student_id))
