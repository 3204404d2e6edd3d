"""The OneRoster CSV column rules, written from the specification (1EdTech OneRoster 1.2 CSV
Binding, section "CSV Files"; OneRoster 1.1 CSV Tables, section 3): for each file Puente
writes, its columns in order, `*` marking the ones that must hold a value. These tables are the
test's own reading of the standard, kept apart from app/rosters/tables.py on purpose."""

SPEC_12 = {
    "orgs.csv": "sourcedId* status dateLastModified name* type* identifier parentSourcedId",
    "academicSessions.csv": "sourcedId* status dateLastModified title* type* startDate* endDate* "
    "parentSourcedId schoolYear*",
    "courses.csv": "sourcedId* status dateLastModified schoolYearSourcedId title* courseCode "
    "grades orgSourcedId* subjects subjectCodes",
    "classes.csv": "sourcedId* status dateLastModified title* grades courseSourcedId* classCode "
    "classType* location schoolSourcedId* termSourcedIds* subjects subjectCodes periods",
    "users.csv": "sourcedId* status dateLastModified enabledUser* username userIds givenName* "
    "familyName* middleName identifier email sms phone agentSourcedIds grades password "
    "userMasterIdentifier resourceSourcedIds preferredGivenName preferredMiddleName "
    "preferredFamilyName primaryOrgSourcedId pronouns",
    "roles.csv": "sourcedId* status dateLastModified userSourcedId* roleType* role* beginDate "
    "endDate orgSourcedId* userProfileSourcedId",
    "enrollments.csv": "sourcedId* status dateLastModified classSourcedId* schoolSourcedId* "
    "userSourcedId* role* primary beginDate endDate",
    "demographics.csv": "sourcedId* status dateLastModified birthDate sex "
    "americanIndianOrAlaskaNative asian blackOrAfricanAmerican "
    "nativeHawaiianOrOtherPacificIslander white demographicRaceTwoOrMoreRaces "
    "hispanicOrLatinoEthnicity countryOfBirthCode stateOfBirthAbbreviation cityOfBirth "
    "publicSchoolResidenceStatus",
    "categories.csv": "sourcedId* status dateLastModified title* weight",
    "lineItems.csv": "sourcedId* status dateLastModified title* description assignDate* dueDate* "
    "classSourcedId* categorySourcedId* gradingPeriodSourcedId academicSessionSourcedId "
    "resultValueMin resultValueMax schoolSourcedId",
    "results.csv": "sourcedId* status dateLastModified lineItemSourcedId* studentSourcedId* "
    "classSourcedId scoreScaleSourcedId scoreStatus* score textScore scoreDate comment "
    "inProgress incomplete late missing",
}

SPEC_11 = {
    **{
        name: SPEC_12[name]
        for name in (
            "orgs.csv",
            "academicSessions.csv",
            "courses.csv",
            "classes.csv",
            "enrollments.csv",
            "demographics.csv",
        )
    },
    "users.csv": "sourcedId* status dateLastModified enabledUser* orgSourcedIds* role* username* "
    "userIds givenName* familyName* middleName identifier email sms phone agentSourcedIds grades "
    "password",
    "categories.csv": "sourcedId* status dateLastModified title*",
    "lineItems.csv": "sourcedId* status dateLastModified title* description assignDate* dueDate* "
    "classSourcedId* categorySourcedId* gradingPeriodSourcedId* resultValueMin* resultValueMax*",
    "results.csv": "sourcedId* status dateLastModified lineItemSourcedId* studentSourcedId* "
    "scoreStatus* score* scoreDate* comment",
}

# manifest.csv: the file.* properties each version names.
MANIFEST_12 = [
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItems",
    "lineItemScoreScales",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "results",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
]
MANIFEST_11 = [
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItems",
    "orgs",
    "resources",
    "results",
    "users",
]

ENUMS = {
    ("orgs.csv", "type"): {"department", "school", "district", "local", "state", "national"},
    ("academicSessions.csv", "type"): {"gradingPeriod", "semester", "schoolYear", "term"},
    ("classes.csv", "classType"): {"homeroom", "scheduled"},
    ("enrollments.csv", "role"): {"administrator", "proctor", "student", "teacher"},
    ("roles.csv", "roleType"): {"primary", "secondary"},
    ("users.csv", "enabledUser"): {"true", "false"},
    ("results.csv", "scoreStatus"): {
        "exempt",
        "fully graded",
        "not submitted",
        "partially graded",
        "submitted",
    },
}


def columns(spec: dict, name: str) -> tuple[list[str], set[str]]:
    """(every column in order, the required ones)."""
    words = spec[name].split()
    return [w.rstrip("*") for w in words], {w.rstrip("*") for w in words if w.endswith("*")}
