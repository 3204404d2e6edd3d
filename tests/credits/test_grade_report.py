"""The unofficial grade report: progress page and bilingual PDF, marked unofficial, unsigned,
for the student and the staff who may see the record (tests/test_access.py has every role)."""

import io

from pypdf import PdfReader

from tests import factories
from tests.certificates.helpers import pdf_text
from tests.query_counter import count_queries


def _student_with_progress(world, courses: int = 1):
    student = factories.make_student(world["tx1"], given_name="Rosa", family_name="Campos")
    for n in range(courses):
        version = world["course"] if n == 0 else factories.make_course_version()
        enrollment = factories.make_enrollment(student, version)
        for progress in enrollment.units[:2]:
            factories.pass_unit(progress, open_points=1.0)  # 75 %
    return student


def test_the_student_sees_their_progress_marked_unofficial(world, auth, client):
    student = _student_with_progress(world)
    auth.login(student.user)
    page = client.get("/credits/my-grade-report", follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "UNOFFICIAL grade report" in html and "data-unofficial" in html
    assert "not a transcript" in html
    assert "Rosa Campos" in html and world["course"].title_en in html
    assert "2 of 5 units passed" in html and "75" in html
    assert "Passed" in html and "Not started" in html


def test_the_teacher_sees_it_in_spanish(world, auth, client):
    student = _student_with_progress(world)
    auth.login(world["teacher_tx1"])
    html = client.get(
        f"/credits/students/{student.id}/grade-report", headers={"Accept-Language": "es"}
    ).get_data(as_text=True)
    assert "Boleta de calificaciones NO OFICIAL" in html
    assert world["course"].title_es in html


def test_the_pdf_is_bilingual_unofficial_and_unsigned(world, auth, client):
    student = _student_with_progress(world)
    auth.login(world["teacher_tx1"])
    response = client.get(f"/credits/students/{student.id}/grade-report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "unofficial" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    assert "UNOFFICIAL grade report" in text
    assert "Boleta de calificaciones NO OFICIAL" in text
    assert world["course"].title_en in text and world["course"].title_es in text
    assert "2 of 5 units passed" in text and "2 de 5 unidades acreditadas" in text
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2
    assert not reader.attachments  # no signed credential: it is not a record


def test_another_sites_teacher_and_another_student_are_refused(world, auth, client):
    student = _student_with_progress(world)
    for user in (world["teacher_tx2"], world["student_tx2"].user):
        auth.login(user)
        assert client.get(f"/credits/students/{student.id}/grade-report").status_code == 403
        assert client.get(f"/credits/students/{student.id}/grade-report.pdf").status_code == 403
        auth.logout()


def test_the_page_does_not_query_per_course(world, auth, client):
    one, three = _student_with_progress(world, 1), _student_with_progress(world, 3)
    auth.login(world["teacher_tx1"])
    counts = []
    for student in (one, three):
        client.get(f"/credits/students/{student.id}/grade-report")  # warm
        with count_queries() as statements:
            assert client.get(f"/credits/students/{student.id}/grade-report").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
