"""The OpenAPI document: generated from the code, public, 3.1.0, every path secured by bearer."""

import json

API_PATHS = {
    "/api/v1/me",
    "/api/v1/students",
    "/api/v1/students/{student_id}",
    "/api/v1/courses",
    "/api/v1/courses/{version_id}",
    "/api/v1/enrollments",
    "/api/v1/enrollments/{enrollment_id}",
    "/api/v1/enrollments/{enrollment_id}/attempts",
    "/api/v1/enrollments/{enrollment_id}/result",
}


def openapi(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def test_document_is_openapi_3_1_with_every_path(client):
    doc = openapi(client)
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] == "Puente API" and doc["info"]["version"] == "v1"
    assert set(doc["paths"]) >= API_PATHS


def test_bearer_scheme_is_declared_and_required_on_every_operation(client):
    doc = openapi(client)
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for path in API_PATHS:
        operation = doc["paths"][path]["get"]
        assert operation["security"] == [{"bearerAuth": []}], path
        assert "401" in operation["responses"], path


def test_list_operations_document_pagination(client):
    doc = openapi(client)
    for path in ("/api/v1/students", "/api/v1/courses", "/api/v1/enrollments"):
        operation = doc["paths"][path]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"page", "page_size"} <= names, path
        assert "X-Pagination" in operation["responses"]["200"]["headers"], path


def test_every_reference_resolves(client):
    doc = openapi(client)

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(doc))
    assert found
    for ref in found:
        target = doc
        for part in ref.removeprefix("#/").split("/"):
            assert part in target, ref
            target = target[part]


def test_attempt_schema_exposes_no_answers(client):
    properties = openapi(client)["components"]["schemas"]["Attempt"]["properties"]
    assert {"mode", "status", "percent", "submitted_at", "graded_at"} <= set(properties)
    assert not {"answers", "answer", "response", "choices"} & set(properties)
