"""The printable contract of study: bilingual (English and Spanish), with signature lines."""

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.contracts.models import StudyContract
from app.contracts.services import contract_progress
from app.enrollments.models import UnitStatus
from app.labels import status_label
from app.pdf import render_pdf

LANGUAGES = ("en", "es")
PDF_OPTIONS = {
    "page-size": "Letter",
    "orientation": "Portrait",
    "margin-top": "12mm",
    "margin-bottom": "12mm",
    "margin-left": "12mm",
    "margin-right": "12mm",
    "no-outline": None,
}


def contract_labels(language: str) -> dict:
    """Every label of the printed contract in one language."""
    with force_locale(language):
        return {
            "title": _("Contract of study"),
            "intro": _(
                "The student, the parent or guardian and the teacher agree on the courses "
                "below, the target dates and the hours of study. This page is also the record "
                "of the units passed so far."
            ),
            "student": _("Student"),
            "site": _("Site"),
            "mentor": _("Mentor (teacher of record)"),
            "hours": _("Hours of study a week"),
            "meeting": _("Meeting time with the mentor"),
            "starts": _("Starts on"),
            "revision": _("Revision"),
            "course": _("Course"),
            "unit": _("Unit"),
            "target": _("Target date"),
            "status": _("Status"),
            "passed_on": _("Passed on"),
            "late": _("Late"),
            "units_passed": _("Units passed"),
            "signatures": _("Signatures"),
            "sign_student": _("Student"),
            "sign_guardian": _("Parent or guardian"),
            "sign_teacher": _("Teacher / mentor"),
            "date": _("Date"),
            "statuses": {status.value: status_label(status) for status in UnitStatus},
        }


def contract_pdf(contract: StudyContract) -> bytes:
    """The contract's PDF: facts, courses with their targets and progress, signature lines."""
    html = render_template(
        "contracts/contract_pdf.html",
        contract=contract,
        student=contract.student,
        lines=contract_progress(contract),
        installation=current_app.config["INSTALLATION_NAME"],
        t={language: contract_labels(language) for language in LANGUAGES},
    )
    return render_pdf(html, PDF_OPTIONS)
