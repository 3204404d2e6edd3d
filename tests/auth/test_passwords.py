"""The password policy (NIST SP 800-63B): length, the shipped common-password list, no own name."""

import pytest
from flask_babel import force_locale

from app.auth.passwords import (
    MAX_LENGTH,
    PasswordError,
    check_password,
    check_user_password,
    common_passwords,
)
from app.users.models import Role
from app.users.services import UserError, create_user
from tests import factories


def test_the_common_password_list_ships_with_the_app():
    assert len(common_passwords()) >= 9_990
    assert {"password", "123456", "qwertyuiop", "sunshine"} <= common_passwords()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short7!", "at least 8 characters"),
        ("x" * (MAX_LENGTH + 1), "at most 200 characters"),
        ("password1", "most common passwords"),
        ("QwertyUIOP", "most common passwords"),  # the list is checked without regard to case
        ("ññññññññññ", "one character repeated"),
        ("rosa.campos@example.org", "your email address or your name"),
        ("rosa.campos", "your email address or your name"),  # the email's name part
        ("Rosa Campos", "your email address or your name"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(app, password, reason):
    with app.test_request_context(), pytest.raises(PasswordError, match=reason):
        check_password(password, email="rosa.campos@example.org", names=("Rosa", "Campos"))


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",  # a passphrase, no digits or symbols needed
        "b" * 7 + "a",
        "é" * 4 + "ñandú",  # any characters
        "a long passphrase with many words " * 5,  # 170 characters: long ones are welcome
    ],
)
def test_good_passwords_pass_without_composition_rules(app, password):
    with app.test_request_context():
        check_password(password, email="rosa.campos@example.org", names=("Rosa", "Campos"))


def test_reasons_are_translated_to_spanish(app):
    with app.test_request_context(), force_locale("es"):
        with pytest.raises(PasswordError, match="al menos 8 caracteres"):
            check_password("corta")
        with pytest.raises(PasswordError, match="más comunes"):
            check_password("iloveyou")


def test_the_users_sign_in_name_is_refused_too(app, world):
    user = world["student_tx1"].user
    user.username = "rosa.campos.4821"
    with app.test_request_context(), pytest.raises(PasswordError):
        check_user_password(user, "rosa.campos.4821")


def test_create_user_applies_the_policy(app, world):
    with app.test_request_context():
        with pytest.raises(UserError, match="most common"):
            create_user(
                "new@example.org",
                "password1",
                Role.TEACHER,
                "New",
                "Teacher",
                site_id=world["tx1"].id,
            )
        user = create_user(
            "new@example.org",
            factories.PASSWORD,
            Role.TEACHER,
            "New",
            "Teacher",
            site_id=world["tx1"].id,
        )
    assert user.check_password(factories.PASSWORD)


def test_the_cli_applies_the_policy(runner, world):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "cli@example.org",
            "--role",
            "teacher",
            "--given-name",
            "Cli",
            "--family-name",
            "User",
            "--site",
            world["tx1"].code,
            "--password",
            "12345678",
        ],
    )
    assert result.exit_code != 0
    assert "most common passwords" in result.output
