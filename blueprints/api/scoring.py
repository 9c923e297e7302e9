"""``/api/v1/scoring/simulate``: the scoring sandbox over HTTP (a period, a year, or a quota).

The sandbox for managers, integrators and auditors: nothing is read from or written to the
database; any valid bearer token (a unit's or the province's) may use it. The body is read with
the sandbox's own bounds (size, nesting, number length), so no input can make it answer 500.
"""

from __future__ import annotations

from flask import abort, request
from flask_smorest import Blueprint

from scoring import ScoringInputError
from scoring.sandbox import run
from scoring.sandbox_input import MAX_BYTES, load_json, too_large
from tenant_app.auth import _bearer
from tenant_app.errors import accepts_nul, json_error
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.services.workspace import tokens

blp = Blueprint(
    "api_scoring",
    __name__,
    url_prefix="/api/v1/scoring",
    description="Mô phỏng chấm điểm theo Nghị định 335 (không lưu dữ liệu)",
)

PERIOD_EXAMPLE = {
    "kind": "period",
    "rule_set": "nd335_2025",
    "params": {},
    "leader": False,
    "items": [
        {
            "code": "T1",
            "assigned": 10,
            "coefficient": "1.0",
            "completed": 10,
            "major_errors": 1,
            "delays": 2,
            "exempt_errors": 0,
            "exempt_delays": 0,
        },
        {"code": "T2", "assigned": 2, "coefficient": "2.5", "completed": 2},
        {"code": "T3", "assigned": 1, "coefficient": "5.0", "completed": 0},
    ],
    "general": [9, 9, 9],
    "leader_criteria": None,
    "forced_fail": None,
}
ANNUAL_EXAMPLE = {
    "kind": "annual",
    "periods": [
        {"code": "2026-01", "total": "490/7"},
        {"code": "2026-02", "total": "70"},
        {"code": "2026-03", "total": "78.625", "forced_fail": None},
    ],
    "forced_fail": None,
    "leader": False,
}
QUOTA_EXAMPLE = {
    "kind": "quota",
    "outstanding": False,
    "people": [
        {"id": "cc-01", "grade": "HTXS", "quota_group": "mot-cua"},
        {"id": "cc-02", "grade": "HTXS", "quota_group": "mot-cua"},
        {"id": "cc-03", "grade": "HTT", "quota_group": "mot-cua"},
        {"id": "cc-04", "grade": "HTT", "quota_group": "mot-cua"},
        {"id": "cc-05", "grade": "HTT", "quota_group": "mot-cua"},
        {"id": "cc-06", "grade": "HTT", "quota_group": "mot-cua"},
        {"id": "cc-07", "grade": "HTT", "quota_group": "mot-cua"},
        {"id": "cc-08", "grade": "HTNV", "quota_group": None},
    ],
}


_ERROR = {"application/json": {"schema": ApiErrorSchema}}


@blp.post("/simulate")
@blp.doc(
    security=[{"bearer": []}],
    requestBody={
        "required": True,
        "description": '"kind" chooses the contract: "period" (default), "annual" or "quota". '
        "At most 1 MB, nesting 20 levels, numbers of 40 characters; ranges in docs/scoring.md.",
        "content": {
            "application/json": {
                "schema": {"type": "object"},
                "examples": {
                    "period": {"summary": "One period (DOMAIN.md)", "value": PERIOD_EXAMPLE},
                    "annual": {"summary": "A year from period totals", "value": ANNUAL_EXAMPLE},
                    "quota": {"summary": "HTXS quota of one agency", "value": QUOTA_EXAMPLE},
                },
            }
        },
    },
    responses={
        "200": {
            "description": "period: a, b, c, task_score, task_points, general_points, total "
            '(6 places, floored), total_exact ("490/7"), total_display, grade, engine_version, '
            "explanation. annual: average, average_exact, average_display, grade, explanation. "
            "quota: allowed, htxs, htt, must_lower, allowed_after, groups, explanation."
        },
        "401": {"description": "missing or invalid bearer token", "content": _ERROR},
        "413": {"description": "body over 1 MB", "content": _ERROR},
        "422": {
            "description": "invalid input (malformed JSON included), with the field and a "
            "Vietnamese message",
            "content": _ERROR,
        },
    },
)
@accepts_nul  # computed in memory: its contract (200 or 422) covers any string
def simulate():
    """Run the sandbox on the JSON body (docs/scoring.md describes the three contracts)."""
    token = _bearer()
    if not token or tokens.resolve_any_token(token) is None:
        abort(401)
    if (request.content_length or 0) > MAX_BYTES:
        return _too_large()
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BYTES:
        return _too_large()
    try:
        return run(load_json(raw))
    except ScoringInputError as error:
        return json_error(
            422, "invalid_scoring_input", error.message, {error.field: [error.message]}
        )


def _too_large():
    error = too_large()
    return json_error(413, "payload_too_large", error.message, {error.field: [error.message]})
