"""A small valid OneRoster 1.2 set to start each roster test from."""

import pytest

from tests.rosters.helpers import enrollment, user


@pytest.fixture
def roster_set(world):
    """A US-TX state org, a new school and world's tx1 site, two students, a teacher, one class."""
    tx1 = world["tx1"]
    course = world["course"].course.code
    return {
        "manifest.csv": [
            {"propertyName": "oneroster.version", "value": "1.2"},
            {"propertyName": "file.users", "value": "bulk"},
        ],
        "orgs.csv": [
            {
                "sourcedId": "org-tx",
                "status": "",
                "dateLastModified": "",
                "name": "Texas",
                "type": "state",
                "identifier": "US-TX",
                "parentSourcedId": "",
            },
            {
                "sourcedId": "org-dist",
                "status": "",
                "dateLastModified": "",
                "name": "District",
                "type": "district",
                "identifier": "",
                "parentSourcedId": "org-tx",
            },
            {
                "sourcedId": "org-tx1",
                "status": "",
                "dateLastModified": "",
                "name": tx1.name,
                "type": "school",
                "identifier": tx1.code,
                "parentSourcedId": "org-dist",
            },
        ],
        "users.csv": [
            user(
                "u-ana",
                "Ana",
                "García",
                "org-tx1",
                "{MSIX:123456789012},{CURP:GARA080101MMNRRN09}",
                "09",
                "TX-1001",
            ),
            user("u-luis", "Luis", "Hernández", "org-tx1", grades="11"),
            user(
                "t-1",
                "Teresa",
                "Maestra",
                "org-tx1",
                grades="",
                email=world["teacher_tx1"].email.upper(),
            ),
        ],
        "roles.csv": [
            {
                "sourcedId": "r1",
                "status": "",
                "dateLastModified": "",
                "userSourcedId": "t-1",
                "roleType": "primary",
                "role": "teacher",
                "beginDate": "",
                "endDate": "",
                "orgSourcedId": "org-tx1",
                "userProfileSourcedId": "",
            },
        ],
        "demographics.csv": [{"sourcedId": "u-ana", "birthDate": "2008-01-01"}],
        "classes.csv": [
            {
                "sourcedId": "cls-1",
                "status": "",
                "dateLastModified": "",
                "title": "Algebra",
                "grades": "09",
                "courseSourcedId": course,
                "classCode": "",
                "classType": "scheduled",
                "location": "",
                "schoolSourcedId": "org-tx1",
                "termSourcedIds": "t",
                "subjects": "",
                "subjectCodes": "",
                "periods": "",
            },
        ],
        "enrollments.csv": [
            enrollment("e-1", "cls-1", "u-ana", end="2099-06-01"),
            enrollment("e-2", "cls-1", "u-luis"),
            enrollment("e-3", "cls-1", "t-1", role="teacher"),
        ],
    }
