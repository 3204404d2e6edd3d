"""What a certificate states, gathered once when it is issued (so it never changes afterwards)."""

from datetime import datetime

from app.credits.models import CreditAward
from app.credits.rules import earned_hours


def term_of(day: datetime) -> dict[str, str]:
    """The school term an award falls in, e.g. {'season': 'fall', 'year': '2026'}."""
    season = "spring" if day.month <= 5 else "summer" if day.month <= 7 else "fall"
    return {"season": season, "year": str(day.year)}


def unit_sites(enrollment) -> list[dict]:
    """Where the passed units were done: [{"units": "1–3", "site": name, "state_code"}] in order."""
    groups: list[dict] = []
    for progress in sorted(enrollment.units, key=lambda u: u.unit_number):
        site = progress.completed_site
        if progress.status.value != "passed" or site is None:
            continue
        if (
            groups
            and groups[-1]["site"] == site.name
            and groups[-1]["last"] == progress.unit_number - 1
        ):
            groups[-1]["last"] = progress.unit_number
        else:
            groups.append(
                {
                    "first": progress.unit_number,
                    "last": progress.unit_number,
                    "site": site.name,
                    "state_code": site.state_code,
                }
            )
    return [
        {
            "units": f"{g['first']}–{g['last']}" if g["last"] != g["first"] else str(g["first"]),
            "site": g["site"],
            "state_code": g["state_code"],
        }
        for g in groups
    ]


def certificate_facts(award: CreditAward, coordinator_name: str) -> dict:
    """The facts shown on the certificate, the verification page and in the credential."""
    enrollment = award.enrollment
    student, version, site = enrollment.student, enrollment.course_version, award.site
    started = enrollment.started_at or enrollment.assigned_at
    return {
        "student": {
            "given_name": student.given_name,
            "family_name": student.family_name,
            "birth_date": student.birth_date.isoformat() if student.birth_date else None,
            "msix_id": student.msix_id,
            "curp": student.curp,
        },
        "course": {
            "code": version.course.code,
            "version": version.version,
            "title_en": version.title_en,
            "title_es": version.title_es,
            "subject": version.subject,
            "hours": version.hours,
            "unit_count": version.unit_count,
            "credit_available": float(version.credit),
        },
        "result": {
            "units_passed": award.units_passed,
            "unit_count": award.unit_count,
            "grade_percent": award.grade_percent,
            "letter": award.letter,
            "sep_grade": award.sep_grade,
            "credit": float(award.credit),  # a JSON number
            "credit_system": award.credit_system,
            "is_partial": award.is_partial,
            "hours": earned_hours(version.hours, award.units_passed, award.unit_count),
        },
        "term": term_of(award.awarded_at),
        "dates": {
            "started": started.date().isoformat(),
            "awarded": award.awarded_at.date().isoformat(),
        },
        "site": {
            "code": site.code,
            "name": site.name,
            "city": site.city,
            "state_code": site.state_code,
        },
        "unit_sites": unit_sites(enrollment),
        "coordinator": coordinator_name,
    }
