"""The Binational Transfer Document: a bilingual PDF of the record, read back with pdftotext."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.common import utcnow
from app.credits.models import PriorCourse
from app.credits.services import award_credit
from app.extensions import db
from app.records.transfer_document import document_labels
from app.sites.models import Site
from app.students.models import Student
from tests import factories
from tests.certificates.helpers import pdf_text
from tests.query_counter import count_queries

URL = "/records/students/{}/transfer-document.pdf"


def titled(code: str, en: str, es: str, subject: str = "mathematics"):
    version = factories.make_course_version(code=code)
    version.title_en, version.title_es, version.subject = en, es, subject
    return version


@pytest.fixture
def record(world):
    """A grade-10 student at TX site 1: Algebra completed (87.5 %) with full credit, English
    in progress (3 of 5 units, two at a North Dakota site of another installation), and two
    courses from Mexican schools."""
    student = factories.make_student(
        world["tx1"],
        given_name="Rosa María",
        family_name="Campos Díaz",
        birth_date=date(2009, 3, 14),
        msix_id="123456789012",
        state_student_id="TX-998877",
        curp="CADR090314MMNMZSA1",
        grade_level=10,
    )
    algebra = factories.make_enrollment(student, titled("ALG1A", "Algebra I A", "Álgebra I A"))
    for progress in algebra.units:
        factories.pass_unit(progress, open_points=1.5)  # 3.5 of 4 points: 87.5 %
    award_credit(algebra, world["coord_tx"])
    english = factories.make_enrollment(
        student, titled("ENG9A", "English 9 A", "Inglés 9 A", "english")
    )
    elsewhere = Site(
        code="ND-RRV@nd.example",
        name="Red River Valley Summer Program",
        state_code="US-ND",
        is_external=True,
    )
    db.session.add(elsewhere)
    for progress, points in zip(english.units[:3], (2.0, 1.0, 1.0), strict=True):
        factories.pass_unit(progress, open_points=points)  # 100 %, 75 %, 75 %: 83.3 %
    for progress in english.units[:2]:
        progress.completed_site = elsewhere
    award_credit(english, world["coord_tx"])  # partial: 0.3
    db.session.add_all(
        [
            PriorCourse(
                student_id=student.id,
                subject="Matemáticas II",
                level="secundaria",
                year=2,
                sep_grade=8.5,
                school="Secundaria Técnica 12",
                state_code="MX-MIC",
                school_year="2023-2024",
                entered_by_id=world["teacher_tx1"].id,
            ),
            PriorCourse(
                student_id=student.id,
                subject="Química I",
                level="bachillerato",
                year=1,
                sep_grade=9.2,
                school="Preparatoria Federal",
                state_code="MX-JAL",
                school_year="2024-2025",
                entered_by_id=world["teacher_tx1"].id,
            ),
        ]
    )
    db.session.flush()
    return student


def download(client, auth, user, student) -> bytes:
    auth.login(user)
    response = client.get(URL.format(student.id))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return response.data


def reading(pdf: bytes) -> str:
    """The text in reading order (a table cell's lines together), whitespace collapsed."""
    return " ".join(pdf_text(pdf, layout=False).split())


def line_with(text: str, needle: str) -> str:
    return next(line for line in text.splitlines() if needle in line)


def test_the_document_states_the_record_in_both_languages(client, auth, world, record):
    pdf = download(client, auth, world["teacher_tx1"], record)
    layout, text = pdf_text(pdf), reading(pdf)
    for expected in (
        "Binational Migrant Student Transfer Document",
        "Date of birth",
        "Fecha de nacimiento",
        "MSIX ID",
        "ID de MSIX",
        "Units passed",
        "Unidades aprobadas",
        "US percent",
        "Porcentaje de EE. UU.",
        "Units done at",
        "Unidades acreditadas en",
        "Site / Sede",
        "Rosa María",
        "Campos Díaz",
        "2009-03-14",
        "123456789012",
        "TX-998877",
        "CADR090314MMNMZSA1",
        "Secondary student / Estudiante de secundaria/preparatoria",
        "grade 10 (United States)",
        "bachillerato (upper secondary school), semesters 1–2",
        "Algebra I A",
        "Álgebra I A",
        "English 9 A",
        "Inglés 9 A",
        "ALG1A v1.0.0",
        "0.5 Carnegie units",
        "0.5 unidades Carnegie",
        "full / completo · US-TX",
        "0.3 Carnegie units",
        "partial / parcial · US-TX",
        world["tx1"].name,
        "US-TX",
        "Matemáticas II",
        "secundaria 2",
        "Química I",
        "bachillerato 1",
        "Secundaria Técnica 12 (MX-MIC)",
        "2023-2024",
        world["teacher_tx1"].full_name,
    ):
        assert expected in text, expected
    # Each course's figures on its own row: units, US percent and letter, SEP 0-10.
    algebra, english = line_with(layout, "Algebra I A"), line_with(layout, "English 9 A")
    assert algebra.split()[3:10] == ["5", "/", "5", "87.5", "%", "B", "8.7"]
    assert english.split()[3:10] == ["3", "/", "5", "83.3", "%", "B", "8.3"]
    assert "English language arts / Lengua y literatura en inglés" in text
    assert "1–2: Red River Valley Summer Program (US-ND); 3: " + world["tx1"].name in text
    # Prior Mexican courses with their US equivalents: percent, letter, US grade.
    assert line_with(layout, "Matemáticas II").split()[-5:] == ["8.5", "85.0", "%", "B", "8"]
    assert line_with(layout, "Química I").split()[-5:] == ["9.2", "92.0", "%", "A", "10"]


def test_every_label_is_printed_in_english_and_in_spanish(client, auth, world, record):
    text = reading(download(client, auth, world["teacher_tx1"], record))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "transfer.document"))
    for language in ("en", "es"):
        labels = document_labels(language, record, f"TD-{event.id}", utcnow().date())
        for key, label in labels.items():
            if isinstance(label, str) and key not in (
                "none_yet",
                "no_courses",
                "no_prior",
                "note",
                "scale_note",
                "purpose",
            ):
                assert label in text, (language, key, label)
        for sentence in ("note", "scale_note", "purpose"):
            assert " ".join(labels[sentence].split()[:6]) in text, (language, sentence)


def test_the_issue_is_in_the_audit_trail(client, auth, world, record):
    download(client, auth, world["coord_tx"], record)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "transfer.document"))
    assert (event.student_id, event.actor_id) == (record.id, world["coord_tx"].id)
    assert event.data == {"courses": 2, "prior_courses": 2}


def test_html_in_a_name_is_printed_as_text(client, auth, world):
    student = factories.make_student(world["tx1"], given_name="<b>Ana</b>", family_name="<i>X")
    text = " ".join(pdf_text(download(client, auth, world["teacher_tx1"], student)).split())
    assert "<b>Ana</b>" in text and "<i>X" in text
    assert "No Puente course." in text and "No prior course recorded." in text


def test_an_unknown_grade_level_has_no_mexican_equivalent(client, auth, world):
    student = factories.make_student(world["tx1"], grade_level=None)
    layout = pdf_text(download(client, auth, world["teacher_tx1"], student))
    assert line_with(layout, "Grade level").split()[-1] == "—"
    assert line_with(layout, "Mexican equivalent").split()[-1] == "—"


@pytest.mark.parametrize("who", ["teacher_tx2", "teacher_nd", "coord_nd", "student"])
def test_only_staff_in_scope_get_the_document(client, auth, world, record, who):
    user = record.user if who == "student" else world[who]
    auth.login(user)
    assert client.get(URL.format(record.id)).status_code == 403
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "transfer.document"))
        is None
    )


def test_anonymous_is_sent_to_sign_in(client, record):
    response = client.get(URL.format(record.id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_missing_student_is_not_found(client, auth, world):
    auth.login(world["admin"])
    assert client.get(URL.format(10**9)).status_code == 404


def test_queries_do_not_grow_with_the_courses(client, auth, world, record):
    auth.login(world["teacher_tx1"])
    url, student_id = URL.format(record.id), record.id
    db.session.expunge_all()  # each request starts from an empty session, as in production
    with count_queries() as two_courses:
        assert client.get(url).status_code == 200
    student = db.session.get(Student, student_id)
    for code in ("SCI1", "SCI2", "SCI3"):  # each course done at a site of its own
        enrollment = factories.make_enrollment(student, factories.make_course_version(code=code))
        factories.pass_unit(enrollment.units[0])
        enrollment.units[0].completed_site = factories.make_site("US-ND")
    db.session.commit()  # the test's rows, not the page's work: a commit counts their sites
    db.session.expunge_all()
    with count_queries() as five_courses:
        assert client.get(url).status_code == 200
    assert len(five_courses) == len(two_courses)


def test_a_long_record_runs_over_pages_without_splitting_a_course(client, auth, world, record):
    for n in range(14):
        version = titled(f"X{n}", f"Elective {n}", f"Optativa {n}")
        factories.pass_unit(factories.make_enrollment(record, version).units[0])
    pdf = download(client, auth, world["teacher_tx1"], record)
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2
    for n in range(14):  # a course's title and its code line are on the same page
        assert [f"Elective {n} " in page for page in pages] == [
            f"X{n} v1.0.0" in page for page in pages
        ], n
    assert "Issuing coordinator" in pages[-1] and "Verification" in pages[-1]
