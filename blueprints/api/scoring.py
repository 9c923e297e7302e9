"""``/api/v1/scoring/simulate``: score one person's period from JSON, with its explanation.

The sandbox for managers, integrators and auditors: nothing is read from or written to the
database; any valid bearer token (a unit's or the province's) may use it.
"""

from __future__ import annotations

import json
from decimal import Decimal

from flask import abort, request
from flask_smorest import Blueprint

from scoring import ScoringInputError
from scoring.sandbox import run
from tenant_app.auth import _bearer
from tenant_app.errors import json_error
from tenant_app.services import accounts

blp = Blueprint(
    "api_scoring",
    __name__,
    url_prefix="/api/v1/scoring",
    description="Mô phỏng chấm điểm theo Nghị định 335 (không lưu dữ liệu)",
)

EXAMPLE = {
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


@blp.post("/simulate")
@blp.doc(
    security=[{"bearer": []}],
    requestBody={
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}, "example": EXAMPLE}},
    },
    responses={
        "200": {
            "description": "a, b, c, task_score, task_points, general_points, total, "
            "total_display, grade and the explanation steps"
        },
        "401": {"description": "missing or invalid bearer token"},
        "422": {"description": "invalid scoring input, with the field and a Vietnamese message"},
    },
)
def simulate():
    """Score one period (docs/scoring.md describes input, output and the worked examples)."""
    token = _bearer()
    if not token or accounts.resolve_any_token(token) is None:
        abort(401)
    try:
        data = json.loads(request.get_data(as_text=True) or "null", parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return json_error(400, "invalid_json", "Nội dung JSON không hợp lệ.")
    try:
        return run(data)
    except ScoringInputError as error:
        return json_error(
            422, "invalid_scoring_input", error.message, {error.field: [error.message]}
        )
