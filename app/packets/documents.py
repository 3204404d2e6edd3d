"""The printed packet of one unit for one student, English and Spanish, as PDF.

Lessons, practice and its answer key (a page for the mentor), the unit test, and an answer
sheet whose QR code opens the paper-score page of exactly this student, unit and test try.
Everything is black and grey, so it prints the same on a black-and-white printer.
"""

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.courses.models import Section
from app.enrollments.models import UnitProgress
from app.pdf import qr_image, render_pdf

LANGUAGES = ("en", "es")
PAGE_SIZES = {"letter": "Letter", "a4": "A4"}


def pdf_options(page_size: str) -> dict:
    return {
        "page-size": PAGE_SIZES[page_size],
        "orientation": "Portrait",
        "margin-top": "14mm",
        "margin-bottom": "14mm",
        "margin-left": "14mm",
        "margin-right": "14mm",
        "grayscale": None,
        "no-outline": None,
    }


def packet_labels(language: str) -> dict[str, str]:
    """Every heading and instruction of a packet in one language."""
    with force_locale(language):
        return {
            "packet": _("Unit packet"),
            "student": _("Student"),
            "course": _("Course"),
            "unit": _("Unit"),
            "try": _("Unit-test try"),
            "lessons": _("Lessons"),
            "practice": _("Practice"),
            "practice_help": _(
                "Do the practice on your own, then your mentor checks it with the answer key."
            ),
            "key": _("Practice answer key, for the mentor"),
            "key_help": _("Take this page out before the packet goes to the student."),
            "answer": _("Answer"),
            "rubric": _("How to score it"),
            "tolerance": _("accepted within"),
            "test": _("Unit test"),
            "test_help": _(
                "Take the test when your teacher says you are ready. Write every answer on the "
                "answer sheet."
            ),
            "points": _("points"),
            "sheet": _("Answer sheet"),
            "sheet_help": _("Circle one letter, or write your answer in the box."),
            "teacher": _("For the teacher"),
            "teacher_help": _(
                "Scan the QR code with your phone and sign in: it opens the page where you "
                "record this test's score."
            ),
            "score": _("Score"),
            "signature": _("Teacher's signature"),
        }


def sheet_url(progress: UnitProgress, number: int) -> str:
    """The paper-score page of this student, unit and test try, at the public address."""
    values = {
        "student_id": progress.enrollment.student_id,
        "unit_progress_id": progress.id,
        "number": number,
    }
    if has_request_context():
        path = url_for("grading.paper_sheet", **values)
    else:
        with current_app.test_request_context():
            path = url_for("grading.paper_sheet", **values)
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}"


def packet_html(progress: UnitProgress, number: int, labels: dict | None = None) -> str:
    """One student's packet of `progress`'s unit, its answer sheet for test try `number`."""
    unit = progress.unit
    url = sheet_url(progress, number)
    return render_template(
        "packets/packet.html",
        student=progress.enrollment.student,
        course=progress.enrollment.course_version,
        unit=unit,
        number=number,
        practice=unit.items_in(Section.PRACTICE),
        test=unit.items_in(Section.TEST),
        url=url,
        qr=qr_image(url),
        t=labels or {language: packet_labels(language) for language in LANGUAGES},
    )


def packet_pdf(progress: UnitProgress, number: int, page_size: str, configuration=None) -> bytes:
    return render_pdf(packet_html(progress, number), pdf_options(page_size), configuration)
