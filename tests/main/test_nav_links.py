"""The menu's links, rendered once per role and language, are each role's own and read as a
fresh render; the user's own parts of the menu stay theirs."""

import pytest
from flask import render_template
from flask_babel import force_locale

from app.template_helpers import nav_links
from app.users.models import Role
from tests import factories

LINKS = {
    "student": ["/learn/", "/certificates/mine"],
    "teacher": ["/students/", "/grading/"],
    "coordinator": ["/credits/", "/reports/"],
    "admin": ["/admin/users"],
}


@pytest.mark.parametrize("role", sorted(LINKS))
def test_each_role_sees_its_links_and_its_own_name(client, auth, world, role):
    users = [factories.make_user(Role(role), world["tx1"]) for _ in range(2)]
    for user in users:
        auth.login(user)
        page = client.get("/notifications/").get_data(as_text=True)
        for link in LINKS[role]:
            assert f'href="{link}"' in page, (role, link)
        assert f">{user.given_name}</a>" in page
        auth.logout()
    if role != "admin":
        assert 'href="/admin/users"' not in page


def test_the_kept_links_equal_a_fresh_render(app):
    with app.test_request_context():
        for role in [None, *LINKS, "guardian"]:
            for language in ("en", "es"):
                with force_locale(language):
                    kept = nav_links(role)
                    assert nav_links(role) is kept
                    assert kept == render_template("_nav_links.html", role=role)
        with force_locale("es"):
            assert "Mis cursos" in nav_links("student")
