"""The printable, bilingual sign-in sheet: address, sign-in name, one-time code and QR code."""

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.auth.mail import sign_in_link
from app.auth.tokens import format_code
from app.pdf import qr_image, render_pdf
from app.students.accounts import issue_sheet_code
from app.students.models import Student
from app.users.models import User

LANGUAGES = ("en", "es")
PDF_OPTIONS = {
    "page-size": "Letter",
    "orientation": "Portrait",
    "margin-top": "15mm",
    "margin-bottom": "15mm",
    "margin-left": "15mm",
    "margin-right": "15mm",
    "no-outline": None,
}


def sheet_labels(language: str, address: str, expires: str) -> dict:
    """Every sentence of the sheet in one language."""
    with force_locale(language):
        return {
            "title": _("Your sign-in to Puente"),
            "student": _("Student"),
            "address": _("Address"),
            "sign_in_name": _("Sign-in name"),
            "code": _("One-time code"),
            "steps": _("How to start"),
            "step_1": _(
                "Scan the QR code with a phone, or open %(address)s and type the code.",
                address=address,
            ),
            "step_2": _(
                "Choose your password: at least 8 characters; a few words you can "
                "remember are good."
            ),
            "step_3": _("From then on, sign in with your sign-in name and your password."),
            "expires": _(
                "The code works once, until %(date)s. Keep this sheet private.", date=expires
            ),
            "help": _("Lost it, or the code does not work? Ask your teacher for a new sheet."),
        }


def sign_in_sheet(student: Student, by: User) -> bytes:
    """A new one-time code for the student (older ones stop working) on a bilingual PDF page."""
    user, token, code = issue_sheet_code(student, by)
    base = current_app.config["PUBLIC_BASE_URL"]
    address = f"{base}{url_for('auth.enter_code')}"
    link = sign_in_link(code)
    expires = token.expires_at.date().isoformat()
    html = render_template(
        "students/sign_in_sheet.html",
        student=student,
        user=user,
        code=format_code(code),
        address=address,
        qr=qr_image(link),
        installation=current_app.config["INSTALLATION_NAME"],
        t={language: sheet_labels(language, address, expires) for language in LANGUAGES},
    )
    return render_pdf(html, PDF_OPTIONS)
