"""Property-based API testing (schemathesis): every operation, four roles' tokens, valid and
invalid inputs; no server error, every response as the OpenAPI document declares it."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests import factories
from tests.api.helpers import bearer, token_for

ROLES = ("student_tx1", "teacher_tx1", "coord_tx", "admin")
MAX_EXAMPLES = 50  # per operation and mode; each case is sent with the four roles' tokens
CASES = {"run": 0, "by_status": {}}
RECORD_PATHS = (
    ("/api/v1/me", {}),
    ("/api/v1/students", {}),
    ("/api/v1/students/{student_id}", {"student_id": "student"}),
    ("/api/v1/courses", {}),
    ("/api/v1/courses/{version_id}", {"version_id": "course"}),
    ("/api/v1/enrollments", {}),
    ("/api/v1/enrollments/{enrollment_id}", {"enrollment_id": "enrollment"}),
    ("/api/v1/enrollments/{enrollment_id}/attempts", {"enrollment_id": "enrollment"}),
    ("/api/v1/enrollments/{enrollment_id}/result", {"enrollment_id": "enrollment"}),
)
OPERATIONS = [path for path, _parameters in RECORD_PATHS]
NO_PARAMETERS = {"/api/v1/me"}  # nothing to make invalid
# Schemathesis's WSGI transport asks for requests' default encodings (gzip, br) but reads the
# body without decoding it; the API compresses like every page, so the cases ask for it plain.
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def api_schema(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Tokens are real (each role's); unknown query parameters are ignored, by design.
    schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)
    return schema


@pytest.fixture(scope="module", autouse=True)
def report_cases(request):
    yield
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(CASES["by_status"].items()))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"schemathesis: {CASES['run']} requests ({statuses})")


@pytest.fixture
def tokens(world):
    """A token per role, and real records (a graded unit test) for small generated ids to hit."""
    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    factories.pass_unit(enrollment.units[0])
    world["enrollment"] = enrollment
    users = {role: world[role] for role in ROLES} | {"student_tx1": world["student_tx1"].user}
    return {role: token_for(user) for role, user in users.items()}


# schemathesis's own pytest loader (from_fixture) needs pytest < 9, so each operation and mode is
# a plain test drawing schemathesis's cases through Hypothesis.
@pytest.mark.parametrize(
    ("path", "mode"),
    [(path, GenerationMode.POSITIVE) for path in OPERATIONS]
    + [(path, GenerationMode.NEGATIVE) for path in OPERATIONS if path not in NO_PARAMETERS],
)
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_api_matches_its_document(api_schema, tokens, path, mode, data):
    """Each generated case is sent once with each role's token."""
    case = data.draw(api_schema[path]["GET"].as_strategy(generation_mode=mode))
    for role in ROLES:
        headers = dict(case.headers or {}) | bearer(tokens[role]) | PLAIN
        response = case.call_and_validate(headers=headers)
        CASES["run"] += 1
        by_status = CASES["by_status"]
        by_status[response.status_code] = by_status.get(response.status_code, 0) + 1
        assert response.status_code < 500, (role, response.text[:300])
        assert response.status_code != 401, (role, case.headers, response.text[:300])


@pytest.mark.parametrize("role", ROLES)
def test_real_records_match_the_document(api_schema, world, role, tokens):
    """Generated ids rarely name a record: these cases read real ones, in every role's scope."""
    enrollment = world["enrollment"]
    ids = {
        "student": world["student_tx1"].id,
        "course": world["course"].id,
        "enrollment": enrollment.id,
    }
    for path, parameters in RECORD_PATHS:
        case = api_schema[path]["GET"].Case(
            path_parameters={name: ids[kind] for name, kind in parameters.items()},
            headers=bearer(tokens[role]) | PLAIN,
        )
        response = case.call_and_validate()
        assert response.status_code == 200, (role, path, response.text[:300])
        assert response.headers["cache-control"] == ["no-store"]
