"""Schemathesis walks the whole API as each kind of user and finds nothing to report.

The app is called in-process (WSGI), on the fixture ward, with every phase Schemathesis has:
the schema's examples, coverage (boundary and negative values), fuzzing, and stateful runs
that follow the document's links. Example counts are small so the four runs fit in CI.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.engine import Status, events, from_schema

SEED = 20260512
TENANT_PATHS = r"^/api/v1/(t/\{tenant_slug\}/|auth/|scoring/)"
PROVINCE_PATHS = r"^/api/v1/(province/|auth/|scoring/)"

_ACCEPTED = ["2xx", "400", "401", "403", "404", "409", "429"]

# Checks run on every response. Left out, with the reason:
# - use_after_free / ensure_resource_availability: need DELETE links, which the stateful phase
#   walks anyway; a 404 after delete is checked by the API tests of each resource.
# - ignored_auth: covered below by test_every_secured_operation_refuses_no_token (one request
#   per operation is enough; Schemathesis repeats it for every example).
# - max_response_time: timing in CI is not a contract (off unless given a limit).
CHECKS = {
    "not_a_server_error": {"enabled": True},
    "status_code_conformance": {"enabled": True},
    "content_type_conformance": {"enabled": True},
    "response_schema_conformance": {"enabled": True},
    "response_headers_conformance": {"enabled": True},
    "negative_data_rejection": {"enabled": True},
    # Schema-valid data may still break a rule no schema states (an id naming no row, an
    # indicator without a direction, a weak password): such answers are 400/404/409 with a
    # stable code. A 422 stays a failure: it means the parser is stricter than the document.
    "positive_data_acceptance": {"enabled": True, "expected-statuses": _ACCEPTED},
    "missing_required_header": {"enabled": True},
    "unsupported_method": {"enabled": True},
    "use_after_free": {"enabled": False},
    "ensure_resource_availability": {"enabled": False},
    "ignored_auth": {"enabled": False},
}

# Checks switched off for one operation, with the reason:
OPERATION_CHECKS = [
    {
        # The sandbox's body is declared a free JSON object (three contracts chosen by "kind",
        # in docs/scoring.md); its own property tests check what it accepts
        # (tests/blueprints/test_api_scoring_fuzz.py), so "valid" here means only "an object".
        "include-path": "/api/v1/scoring/simulate",
        "checks": {"positive_data_acceptance": {"enabled": False}},
    },
    {
        # Rules across fields that OpenAPI 3.0 cannot say of these bodies: a rollout names its
        # units by one of tenants/kind/current_version; a version comes from exactly one of
        # payload/from_tenant. Both answer 422 with the field at fault.
        "include-path-regex": r"^/api/v1/province/(rollouts|templates/\{template_id\}/versions)$",
        "include-method": "POST",
        "checks": {"positive_data_acceptance": {"expected-statuses": _ACCEPTED + ["422"]}},
    },
    {
        # The comparison's ?tenants= takes slugs; one naming no unit answers 422 unknown_tenant.
        "include-path-regex": r"^/api/v1/province/comparison",
        "checks": {"positive_data_acceptance": {"expected-statuses": _ACCEPTED + ["422"]}},
    },
]

# Operations a run must not call with its own token. Left out, with the reason:
EXCLUDED = [
    # Revokes the very token the run is using; every later request would be a 401.
    ("DELETE", "/api/v1/auth/token"),
]


def _config(token: str, slug: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Bearer {token}"},
            "parameters": {"tenant_slug": slug},
            "checks": CHECKS,
            "generation": {"max-examples": 8, "no-shrink": True, "database": "none"},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True, "unexpected-methods": ["TRACE"]},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True, "max-steps": 12},
            },
            "operations": OPERATION_CHECKS,
            "suppress-health-check": ["all"],
            "warnings": False,
        }
    )


def _run(app, token: str, paths: str) -> list[str]:
    """Run every phase; return one line per failure or error (empty when the API keeps its word)."""
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, config=_config(token, "phuong-a")
    ).include(path_regex=paths)
    for method, path in EXCLUDED:
        schema = schema.exclude(method=method, path=path)
    problems = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.status == Status.FAILURE:
            problems.extend(_failures(event))
        elif isinstance(event, events.NonFatalError | events.FatalError):
            problems.append(f"error: {getattr(event, 'label', '')} {event}")
    return problems


def _failures(event) -> list[str]:
    lines = []
    for case_id, checks in event.recorder.checks.items():
        for check in checks:
            if check.status != Status.FAILURE:
                continue
            case = event.recorder.cases[case_id].value
            info = check.failure_info
            detail = f"{info.failure.title}: {info.failure.message}"[:300] if info else ""
            lines.append(
                f"{case.method} {case.formatted_path} {check.name} ({event.phase}): {detail}"
                f"\n    sent query={case.query} body={str(case.body)[:300]}"
                f"\n    got {_answer(event.recorder.interactions.get(case_id))}"
            )
    return lines


def _answer(interaction) -> str:
    response = getattr(interaction, "response", None)
    if response is None:
        return "no response"
    return f"{response.status_code} {response.content[:300].decode(errors='replace')}"


@pytest.mark.parametrize("role", ["unit_admin", "manager", "staff", "province_admin"])
def test_schemathesis_finds_no_failure(app, role_tokens, role):
    """Every phase, every check, as this role: no server error, no answer off the document."""
    paths = PROVINCE_PATHS if role == "province_admin" else TENANT_PATHS
    problems = _run(app, role_tokens[role], paths)
    assert problems == [], "\n".join(sorted(set(problems)))


def _sample(parameter: dict, slug: str) -> str:
    """A value for a path parameter of the document (the unit's slug, a well-formed id)."""
    if parameter["name"] == "tenant_slug":
        return slug
    schema = parameter.get("schema", {})
    if schema.get("type") == "integer":
        return "1"
    if schema.get("format") == "uuid":
        return "00000000-0000-4000-8000-000000000001"
    return "x"


def test_every_secured_operation_refuses_no_token(app, client, tenant_a):
    """Every operation the document marks as secured answers 401 with the error envelope and a
    bearer challenge when called without a token (the ``ignored_auth`` check, once each)."""
    spec = client.get("/api/v1/openapi.json").get_json()
    wrong, seen = [], 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if not operation.get("security"):
                continue
            url = path
            for parameter in operation.get("parameters", []) + operations.get("parameters", []):
                if parameter.get("in") == "path":
                    url = url.replace(f"{{{parameter['name']}}}", _sample(parameter, "phuong-a"))
            response = client.open(url, method=method.upper(), json={})
            seen += 1
            body = response.get_json(silent=True) or {}
            if response.status_code != 401 or body.get("error", {}).get("code") != "unauthorized":
                wrong.append(f"{method.upper()} {url}: {response.status_code} {body}")
            elif "Bearer" not in response.headers.get("WWW-Authenticate", ""):
                wrong.append(f"{method.upper()} {url}: no bearer challenge")
    assert seen > 50
    assert wrong == []
