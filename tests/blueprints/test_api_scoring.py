"""The scoring sandbox over HTTP and on the command line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.helpers import bearer, token_for

GOLDEN = {
    "items": [
        {
            "code": "T1",
            "assigned": 10,
            "coefficient": "1.0",
            "completed": 10,
            "major_errors": 1,
            "delays": 2,
        },
        {"code": "T2", "assigned": 2, "coefficient": "2.5", "completed": 2},
        {"code": "T3", "assigned": 1, "coefficient": "5.0", "completed": 0},
    ],
    "general": [9, 9, 9],
}


def test_api_scoring_simulate_golden_case(client, tenant_a, staff_a):
    """The DOMAIN.md worked example scores 78.625, HTT, with an explanation."""
    headers = bearer(token_for(client, "phuong-a", "staff.a"))
    body = client.post("/api/v1/scoring/simulate", json=GOLDEN, headers=headers).get_json()
    assert (body["a"], body["b"], body["c"]) == ("75", "73.75", "72.5")
    assert body["total"] == "78.625" and body["grade"] == "HTT"
    assert len(body["explanation"]) >= 5


def test_api_scoring_simulate_for_province_token(client, auditor):
    """Auditors (province tokens) may use the sandbox too."""
    headers = bearer(token_for(client, None, "tinh.thanhtra"))
    response = client.post("/api/v1/scoring/simulate", json=GOLDEN, headers=headers)
    assert response.status_code == 200


def test_api_scoring_simulate_needs_a_token(client):
    """No token, no sandbox."""
    assert client.post("/api/v1/scoring/simulate", json=GOLDEN).status_code == 401


def test_api_scoring_simulate_invalid_input_is_422(client, tenant_a, staff_a):
    """General points above their maximum give 422 naming the field in Vietnamese."""
    headers = bearer(token_for(client, "phuong-a", "staff.a"))
    response = client.post(
        "/api/v1/scoring/simulate", json={**GOLDEN, "general": [11, 9, 9]}, headers=headers
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_scoring_input"
    assert list(error["fields"]) == ["general[0]"]


def test_cli_score_prints_result_and_exit_codes(app, tmp_path):
    """`kpi score FILE` prints the result (exit 0) and refuses bad input (exit 2)."""
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOLDEN))
    result = CliRunner().invoke(app.cli, ["score", str(good)])
    assert result.exit_code == 0
    assert json.loads(result.output)["total"] == "78.625"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**GOLDEN, "rule_set": "khong_co"}))
    result = CliRunner().invoke(app.cli, ["score", str(bad)])
    assert result.exit_code == 2
