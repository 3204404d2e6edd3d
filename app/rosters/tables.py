"""OneRoster CSV column orders (1.2 CSV Binding, 1.1 CSV Tables) for the files Puente writes."""

COMMON = ("sourcedId", "status", "dateLastModified")

ORGS = COMMON + ("name", "type", "identifier", "parentSourcedId")
ACADEMIC_SESSIONS = COMMON + (
    "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear",
)  # fmt: skip
COURSES = COMMON + (
    "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects",
    "subjectCodes",
)  # fmt: skip
CLASSES = COMMON + (
    "title", "grades", "courseSourcedId", "classCode", "classType", "location",
    "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods",
)  # fmt: skip
ENROLLMENTS = COMMON + (
    "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
    "endDate",
)  # fmt: skip
DEMOGRAPHICS = COMMON + (
    "birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth",
    "publicSchoolResidenceStatus",
)  # fmt: skip

VERSIONS = {
    "1.2": {
        "orgs.csv": ORGS,
        "academicSessions.csv": ACADEMIC_SESSIONS,
        "courses.csv": COURSES,
        "classes.csv": CLASSES,
        "users.csv": COMMON + (
            "enabledUser", "username", "userIds", "givenName", "familyName", "middleName",
            "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
            "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName",
            "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
        ),
        "roles.csv": COMMON + (
            "userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId",
            "userProfileSourcedId",
        ),
        "enrollments.csv": ENROLLMENTS,
        "demographics.csv": DEMOGRAPHICS,
        "categories.csv": COMMON + ("title", "weight"),
        "lineItems.csv": COMMON + (
            "title", "description", "assignDate", "dueDate", "classSourcedId",
            "categorySourcedId", "gradingPeriodSourcedId", "academicSessionSourcedId",
            "resultValueMin", "resultValueMax", "schoolSourcedId",
        ),
        "results.csv": COMMON + (
            "lineItemSourcedId", "studentSourcedId", "classSourcedId", "scoreScaleSourcedId",
            "scoreStatus", "score", "textScore", "scoreDate", "comment", "inProgress",
            "incomplete", "late", "missing",
        ),
    },
    "1.1": {
        "orgs.csv": ORGS,
        "academicSessions.csv": ACADEMIC_SESSIONS,
        "courses.csv": COURSES,
        "classes.csv": CLASSES,
        "users.csv": COMMON + (
            "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName",
            "familyName", "middleName", "identifier", "email", "sms", "phone",
            "agentSourcedIds", "grades", "password",
        ),
        "enrollments.csv": ENROLLMENTS,
        "demographics.csv": DEMOGRAPHICS,
        "categories.csv": COMMON + ("title",),
        "lineItems.csv": COMMON + (
            "title", "description", "assignDate", "dueDate", "classSourcedId",
            "categorySourcedId", "gradingPeriodSourcedId", "resultValueMin", "resultValueMax",
        ),
        "results.csv": COMMON + (
            "lineItemSourcedId", "studentSourcedId", "scoreStatus", "score", "scoreDate",
            "comment",
        ),
    },
}  # fmt: skip

# Every file a manifest names, so it can say "absent" for the ones not written.
MANIFEST_FILES = {
    "1.2": (
        "academicSessions", "categories", "classes", "classResources", "courses",
        "courseResources", "demographics", "enrollments", "lineItemLearningObjectiveIds",
        "lineItems", "lineItemScoreScales", "orgs", "resources", "resultLearningObjectiveIds",
        "results", "resultScoreScales", "roles", "scoreScales", "userProfiles", "userResources",
        "users",
    ),
    "1.1": (
        "academicSessions", "categories", "classes", "classResources", "courses",
        "courseResources", "demographics", "enrollments", "lineItems", "orgs", "resources",
        "results", "users",
    ),
}  # fmt: skip

# Puente's own columns, after the standard ones (the binding allows metadata.* extensions).
EXTRA = {
    "users.csv": ("metadata.secondFamilyName", "metadata.studentKind"),
    "results.csv": ("metadata.creditsGranted", "metadata.creditSystem", "metadata.partial"),
}
