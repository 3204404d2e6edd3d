"""Sign-in mail: invitations and password resets, written in the recipient's language."""

import smtplib

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMessage

from app.auth.models import TokenPurpose
from app.users.models import User


class MailError(RuntimeError):
    """The mail server refused or could not be reached."""


def mail_locale(user: User) -> str:
    """The user's language, else Spanish at a Mexican site, else English."""
    if user.locale in current_app.config["LANGUAGES"]:
        return user.locale
    if user.site is not None and user.site.country == "MX":
        return "es"
    return "en"


def sign_in_link(code: str) -> str:
    """The public address that opens the set-password page with `code`."""
    path = url_for("auth.set_password", sign_in_code=code)
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}"


def send_sign_in_mail(user: User, code: str, purpose: TokenPurpose, hours: float) -> None:
    """Mail `user` a one-time link to set a password (invitation) or reset it.

    :raises MailError: when the message could not be handed to the mail server.
    """
    template = "reset" if purpose == TokenPurpose.RESET else "invite"
    with force_locale(mail_locale(user)):
        if purpose == TokenPurpose.RESET:
            subject = _("Reset your Puente password")
        else:
            subject = _("You are invited to sign in to Puente")
        body = render_template(
            f"auth/mail/{template}.txt",
            user=user,
            link=sign_in_link(code),
            hours=int(hours),
            days=int(hours // 24),
            installation=current_app.config["INSTALLATION_NAME"],
        )
    message = EmailMessage(subject=subject, body=body, to=[user.email])
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("Sign-in mail to user %s not sent: %s", user.id, error)
        raise MailError(str(error)) from error
