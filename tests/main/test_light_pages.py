"""Pages, styles and scripts go compressed; the manifest and service worker are served at /."""

import gzip

from tests import factories


def test_a_student_page_is_compressed(client, auth, world):
    student = world["student_tx1"]
    factories.make_enrollment(student, world["course"], by=world["teacher_tx1"])
    auth.login(student.user)
    response = client.get("/learn/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"</html>" in gzip.decompress(response.data)
    assert response.headers["Cache-Control"] == "no-store"  # records stay out of HTTP caches


def test_styles_and_scripts_are_compressed_and_kept_a_year_under_their_version(app, client):
    with app.test_request_context():
        from flask import url_for

        paths = [url_for("static", filename=name) for name in ("puente.css", "offline.js")]
    for path in paths:
        assert "?v=" in path
        response = client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert response.headers["Content-Encoding"] == "br", path
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_service_worker_is_served_at_the_root(client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert b'addEventListener("fetch"' in response.data
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_manifest_names_the_app_in_the_users_language(client):
    client.post("/language", data={"locale": "es", "next": "/"})
    body = client.get("/manifest.webmanifest").json
    assert body["name"] == "Puente" and body["start_url"] == "/"
    assert "migrantes" in body["description"]
