"""The package downloads under a name every browser keeps (accents and spaces too)."""

from tests import factories


def test_the_package_file_name_survives_accents_and_spaces(world, auth, client):
    student = factories.make_student(world["tx1"], given_name="Ana", family_name="García López")
    auth.login(world["teacher_tx1"])
    response = client.get(f"/transfers/students/{student.id}/package.json")
    disposition = response.headers["Content-Disposition"]
    assert response.status_code == 200 and disposition.startswith("attachment;")
    assert "filename=transfer-Garcia-Lopez-Ana-" in disposition  # an ASCII fallback
    assert "filename*=UTF-8''transfer-Garc%C3%ADa-L%C3%B3pez-Ana-" in disposition
    assert response.mimetype == "application/json"
