"""One error contract: a refused action is rolled back and shown as a page for a browser (with
the view's own page and the error's status) and as JSON for a JSON client; never a 500."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.credits.models import CreditAward
from app.extensions import db
from tests import factories
from tests.grading.helpers import unit_scores


def _twice_awarded(world, client, auth):
    enrollment = factories.make_enrollment(factories.make_student(world["tx1"]), world["course"])
    unit_scores(enrollment, world["teacher_tx1"], (80,))
    auth.login(world["coord_tx"])
    path = f"/credits/enrollments/{enrollment.id}/award"
    assert client.post(path).status_code == 302
    return enrollment, path


def test_a_refusal_is_the_views_page_for_a_browser_with_its_status(world, client, auth):
    enrollment, path = _twice_awarded(world, client, auth)
    refused = client.post(path, headers={"Accept": "*/*"})
    assert refused.status_code == 409 and refused.mimetype == "text/html"
    page = refused.get_data(as_text=True)
    assert "This credit is already awarded" in page and "Course result" in page
    awards = db.session.scalars(
        select(CreditAward).where(CreditAward.enrollment_id == enrollment.id)
    )
    assert len(awards.all()) == 1
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "credit.awarded"))
    assert len(events.all()) == 1  # the refused request wrote nothing


def test_a_refusal_is_json_for_a_client_that_asks_for_json(world, client, auth):
    _enrollment, path = _twice_awarded(world, client, auth)
    refused = client.post(path, headers={"Accept": "application/json"})
    assert refused.status_code == 409
    assert refused.get_json() == {"code": 409, "error": refused.get_json()["error"]}
    assert "already awarded" in refused.get_json()["error"]


def test_a_refusal_speaks_the_users_language(world, client, auth):
    world["coord_tx"].locale = "es"
    _enrollment, path = _twice_awarded(world, client, auth)
    refused = client.post(path)
    assert refused.status_code == 409
    assert "Este crédito ya se otorgó" in refused.get_data(as_text=True)
