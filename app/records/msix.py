"""MSIX's own codes beside Puente's labels, and the name and section fields MSIX keeps apart.

Kept as data in one place (README: "MSIX mapping") so a state can correct a code without touching
the export. The values are MSIX's course-history element values as Puente reads the MSIX data
dictionary; a receiving state's MSIX data administrator should confirm them before a bulk load.
"""

import re

# Puente course_type -> MSIX Course Type
COURSE_TYPE = {
    "pass_semester_course": "Regular",
    "pass_year_course": "Regular",
    "pass_semester_course_partial": "Partial Credit",
    "pass_year_course_partial": "Partial Credit",
}
# Puente term (the season a record falls in) -> MSIX Term Type. PASS courses are semester courses.
TERM_TYPE = {"fall": "Semester", "spring": "Semester", "summer": "Summer"}
# Puente completion_status -> MSIX Course Completion Status
COMPLETION_STATUS = {
    "completed": "Completed",
    "partial": "Partial",
    "in_progress": "In Progress",
    "withdrawn": "Withdrawn",
}
SEX = {"F": "F", "M": "M", "X": "X"}  # MSIX Sex; X where a state records a non-binary sex
STATE_ID_TYPE = "State Student ID"  # MSIX: the state-assigned identifier's type

_HALF = re.compile(r"\d([AB])$")


def course_section(code: str) -> str:
    """The half of a year course a code names, PASS style: ALG1A -> A, ENG2B -> B, else ""."""
    found = _HALF.search(code.upper())
    return found.group(1) if found else ""


def state_id_type(state_student_id: str | None, state_code: str) -> str:
    """The type of the state student ID, with the state that issued it: "State Student ID (US-TX)"."""
    return f"{STATE_ID_TYPE} ({state_code})" if state_student_id else ""
