"""Roster test helpers: CSV text, a zipped OneRoster set, and user and enrollment rows."""

import csv
import io
import zipfile


def csv_text(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def zip_of(files: dict[str, list[dict] | str]) -> bytes:
    """A ZIP of the files (rows, or CSV text as is) in a folder, as SIS exports often are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, rows in files.items():
            archive.writestr(f"export/{name}", rows if isinstance(rows, str) else csv_text(rows))
    return buffer.getvalue()


def user(sourced_id, given, family, school, ids="", grades="10", identifier="", email=""):
    return {
        "sourcedId": sourced_id,
        "status": "",
        "dateLastModified": "",
        "enabledUser": "true",
        "username": sourced_id,
        "userIds": ids,
        "givenName": given,
        "familyName": family,
        "middleName": "",
        "identifier": identifier,
        "email": email,
        "sms": "",
        "phone": "",
        "agentSourcedIds": "",
        "grades": grades,
        "password": "",
        "primaryOrgSourcedId": school,
    }


def enrollment(sourced_id, class_id, user_id, role="student", end=""):
    return {
        "sourcedId": sourced_id,
        "status": "",
        "dateLastModified": "",
        "classSourcedId": class_id,
        "schoolSourcedId": "",
        "userSourcedId": user_id,
        "role": role,
        "primary": "true" if role == "teacher" else "false",
        "beginDate": "",
        "endDate": end,
    }
