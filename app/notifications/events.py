"""What each kind of notification says, who may receive it, and how it may be delivered."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from app.notifications.models import Delivery, Event
from app.places import place_name
from app.users.models import Role

ROLE_EVENTS = {
    Role.STUDENT: [
        Event.TEST_APPROVED,
        Event.TEST_GRADED,
        Event.TEST_RETURNED,
        Event.CERTIFICATE_ISSUED,
    ],
    Role.TEACHER: [Event.WORK_HANDED_IN, Event.APPROVAL_REQUESTED],
    Role.COORDINATOR: [Event.STUDENT_INCOMING, Event.CREDIT_READY],
}
# A daily digest suits what can pile up in a day: the teacher's queue.
DIGEST_EVENTS = {Event.WORK_HANDED_IN, Event.APPROVAL_REQUESTED}

LABELS = {
    Event.TEST_APPROVED: lazy_gettext("My unit test is approved"),
    Event.TEST_GRADED: lazy_gettext("My unit test is graded"),
    Event.TEST_RETURNED: lazy_gettext("My unit test is returned for revision"),
    Event.CERTIFICATE_ISSUED: lazy_gettext("A certificate is issued to me"),
    Event.WORK_HANDED_IN: lazy_gettext("A student hands in a test to grade"),
    Event.APPROVAL_REQUESTED: lazy_gettext("A student asks for approval to take a test"),
    Event.STUDENT_INCOMING: lazy_gettext("A student is moving to my site or state"),
    Event.CREDIT_READY: lazy_gettext("A student completed a course: credit is ready"),
}

DELIVERY_LABELS = {
    Delivery.EMAIL: lazy_gettext("Email and this page"),
    Delivery.DIGEST: lazy_gettext("A daily email digest and this page"),
    Delivery.PAGE: lazy_gettext("This page only"),
    Delivery.OFF: lazy_gettext("Nothing"),
}


def events_for(role: Role) -> list[Event]:
    return ROLE_EVENTS.get(role, [])


def deliveries_for(event: Event) -> list[Delivery]:
    if event in DIGEST_EVENTS:
        return [Delivery.EMAIL, Delivery.DIGEST, Delivery.PAGE, Delivery.OFF]
    return [Delivery.EMAIL, Delivery.PAGE, Delivery.OFF]


def _course(params: dict, locale: str) -> str:
    return params.get(f"course_{locale}") or params.get("course_en") or ""


def message(event: Event, params: dict, locale: str) -> str:
    """The sentence for one notification, in the current (forced) language `locale`."""
    values = {
        "course": _course(params, locale),
        "unit": params.get("unit", ""),
        "student": params.get("student_name", ""),
    }
    if event == Event.TEST_APPROVED:
        return _("Your test for %(course)s, unit %(unit)s is approved: you may start it.", **values)
    if event == Event.TEST_GRADED:
        return _(
            "Your test for %(course)s, unit %(unit)s was graded: %(score)s.",
            score=f"{params.get('percent', 0):.1f} %",
            **values,
        )
    if event == Event.TEST_RETURNED:
        return _("Your test for %(course)s, unit %(unit)s was returned for revision.", **values)
    if event == Event.CERTIFICATE_ISSUED:
        return _("Your certificate for %(course)s was issued.", **values)
    if event == Event.WORK_HANDED_IN:
        return _("%(student)s handed in the test for %(course)s, unit %(unit)s.", **values)
    if event == Event.APPROVAL_REQUESTED:
        return _(
            "%(student)s asks for approval to take the test for %(course)s, unit %(unit)s.",
            **values,
        )
    if event == Event.STUDENT_INCOMING:
        return _(
            "%(student)s is moving to %(place)s.",
            place=place_name(params.get("place", ""), locale),
            **values,
        )
    return _("%(student)s completed %(course)s: the credit is ready to award.", **values)
