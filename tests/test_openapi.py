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
