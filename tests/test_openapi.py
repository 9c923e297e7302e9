"""The OpenAPI document describes every API route, and every API route answers JSON errors."""

from __future__ import annotations

import re


def _api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json":
            yield rule


def _openapi_path(rule) -> str:
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
    return path.rstrip("/") or "/"


def test_openapi_describes_every_api_route(app, client):
    """Each /api/v1 route and method appears in /api/v1/openapi.json."""
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = {p.rstrip("/"): ops for p, ops in spec["paths"].items()}
    missing = []
    for rule in _api_rules(app):
        path = _openapi_path(rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in paths.get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []


def test_openapi_declares_bearer_security(client):
    """The document declares the bearer scheme the API uses."""
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert spec["info"]["title"] == "KPI Công vụ"


def test_openapi_unknown_api_path_is_json_404(client):
    """An unknown API path answers the JSON error envelope, not an HTML page."""
    response = client.get("/api/v1/khong-co")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_openapi_document_is_valid(client):
    """openapi-spec-validator accepts the document (decimal bounds once came out as strings)."""
    from openapi_spec_validator import validate

    validate(client.get("/api/v1/openapi.json").get_json())


def _walk(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def test_openapi_numeric_bounds_are_numbers(client):
    """Every minimum and maximum is a JSON number, never a string such as "1000000"."""
    spec = client.get("/api/v1/openapi.json").get_json()
    wrong = [
        (path, key, node[key])
        for path, node in _walk(spec)
        for key in ("minimum", "maximum")
        if key in node and (isinstance(node[key], bool) or not isinstance(node[key], int | float))
    ]
    assert wrong == []


def _resolve(spec, item):
    if "$ref" in item:
        return spec["components"]["responses"][item["$ref"].rsplit("/", 1)[-1]]
    return item


def test_openapi_errors_carry_the_real_envelope(client):
    """Every error an operation declares has the envelope the API really sends."""
    spec = client.get("/api/v1/openapi.json").get_json()
    envelope = "#/components/schemas/ApiError"
    wrong = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation["responses"]
            if "default" not in responses:
                wrong.append(f"{method} {path}: no default")
            for status, response in responses.items():
                if status != "default" and int(status) < 400:
                    continue
                schema = _resolve(spec, response)["content"]["application/json"]["schema"]
                if schema.get("$ref") != envelope:
                    wrong.append(f"{method} {path} {status}: {schema}")
            if operation.get("security") and not {"401", "403"} <= set(responses):
                wrong.append(f"{method} {path}: 401/403 not declared")
    assert wrong == []


def test_openapi_links_walk_from_a_create_to_the_object(client):
    """A created user's id feeds reading, changing and deleting that user (stateful testing)."""
    spec = client.get("/api/v1/openapi.json").get_json()
    created = spec["paths"]["/api/v1/t/{tenant_slug}/users"]["post"]["responses"]["201"]
    targets = {link["operationId"] for link in created["links"].values()}
    by_id = spec["paths"]["/api/v1/t/{tenant_slug}/users/{user_id}"]
    assert {by_id[m]["operationId"] for m in ("get", "patch")} <= targets
    link = next(iter(created["links"].values()))
    assert link["parameters"]["tenant_slug"] == "$request.path.tenant_slug"
