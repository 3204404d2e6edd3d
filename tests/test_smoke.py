"""Smoke: the app boots, health answers, sign-in works."""

from tests import factories


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_student_signs_in_and_lands_on_dashboard(client, auth, world):
    response = auth.login(world["student_tx1"].user)
    assert response.headers["Location"].endswith("/")
    assert client.get("/").headers["Location"].endswith("/learn/")


def test_wrong_password_is_refused_in_spanish(client, world):
    response = client.post(
        "/login",
        data={"email": world["teacher_tx1"].email, "password": "nope"},
        headers={"Accept-Language": "es"},
    )
    assert response.status_code == 401
    assert factories.PASSWORD not in response.get_data(as_text=True)
