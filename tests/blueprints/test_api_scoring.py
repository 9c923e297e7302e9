"""The scoring sandbox over HTTP and on the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.helpers import bearer, token_for

URL = "/api/v1/scoring/simulate"

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


@pytest.fixture
def sandbox_headers(client, tenant_a, staff_a):
    """Bearer headers of a unit's staff member, for the sandbox."""
    return bearer(token_for(client, "phuong-a", "staff.a"))


def _error(response, status=422):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["message"]
    (field,) = error["fields"]
    return field


def test_api_scoring_simulate_exact_total_and_engine_version(client, sandbox_headers):
    """4 of 7 done with 30 general points: total_exact "70", HTT, and the engine version."""
    document = {
        "items": [{"code": "T1", "assigned": 7, "coefficient": 1, "completed": 4}],
        "general": [10, 10, 10],
    }
    body = client.post(URL, json=document, headers=sandbox_headers).get_json()
    assert (body["total"], body["total_exact"], body["grade"]) == ("70", "70", "HTT")
    assert body["engine_version"]


def test_api_scoring_simulate_annual(client, sandbox_headers):
    """kind annual: "490/7" and 70 average exactly 70 → HTT."""
    document = {
        "kind": "annual",
        "periods": [{"code": "1", "total": "490/7"}, {"code": "2", "total": 70}],
    }
    body = client.post(URL, json=document, headers=sandbox_headers).get_json()
    assert (body["kind"], body["average_exact"], body["grade"]) == ("annual", "70", "HTT")


def test_api_scoring_simulate_quota(client, sandbox_headers):
    """kind quota: 10 HTXS + 20 HTT → must_lower 5, allowed_after 5."""
    people = [{"id": str(i), "grade": "HTXS" if i < 10 else "HTT"} for i in range(30)]
    body = client.post(
        URL, json={"kind": "quota", "people": people}, headers=sandbox_headers
    ).get_json()
    assert (body["allowed"], body["must_lower"], body["allowed_after"]) == (4, 5, 5)


def _period_text(assigned: str) -> str:
    item = {"code": "T1", "assigned": "ASSIGNED", "coefficient": 1, "completed": 1}
    text = json.dumps({"items": [item], "general": [10, 10, 10]})
    return text.replace('"ASSIGNED"', assigned)


def _post_raw(client, headers, data):
    return client.post(URL, data=data, headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize("number", ["1e30", "1e400", "1e999999999", "9" * 5000, "NaN", "-Infinity"])
def test_api_scoring_simulate_extreme_numbers_are_422(client, sandbox_headers, number):
    """assigned 1e30, 1e400, 1e999999999, a 5,000-digit integer, NaN: 422 naming the field."""
    response = _post_raw(client, sandbox_headers, _period_text(number))
    assert _error(response) == "items[0].assigned"


def test_api_scoring_simulate_deep_nesting_is_422(client, sandbox_headers):
    """100,000 nested arrays answer 422 with field "json", not 500."""
    response = _post_raw(client, sandbox_headers, "[" * 100_000 + "]" * 100_000)
    assert _error(response) == "json"


def test_api_scoring_simulate_malformed_json_is_422(client, sandbox_headers):
    """Malformed JSON answers 422 with field "json"."""
    assert _error(_post_raw(client, sandbox_headers, "{")) == "json"


def test_api_scoring_simulate_non_utf8_is_422(client, sandbox_headers):
    """A body that is not UTF-8 answers 422 with field "json"."""
    response = _post_raw(client, sandbox_headers, b'{"items": "\xff"}')
    assert _error(response) == "json"


@pytest.mark.parametrize("document", ["[]", "1", '"x"', "null"])
def test_api_scoring_simulate_non_object_is_422(client, sandbox_headers, document):
    """A top level that is not an object answers 422 with field "$"."""
    assert _error(_post_raw(client, sandbox_headers, document)) == "$"


def test_api_scoring_simulate_too_many_items_is_422(client, sandbox_headers):
    """501 items answer 422 with field "items"."""
    item = {"code": "T", "assigned": 1, "coefficient": 1, "completed": 1}
    document = {"items": [item] * 501, "general": [10, 10, 10]}
    response = client.post(URL, json=document, headers=sandbox_headers)
    assert _error(response) == "items"


def test_api_scoring_simulate_body_over_1mb_is_413(client, sandbox_headers):
    """A body over 1 MB answers 413 with a Vietnamese message."""
    response = _post_raw(client, sandbox_headers, "{}" + " " * 1_000_001)
    assert _error(response, 413) == "json"


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


def test_api_scoring_simulate_keeps_its_contract_for_a_nul(client, sandbox_headers):
    """The sandbox writes nothing: a NUL in a string gets its own answer (200 or 422 with a
    field), not the body guard's 400 that protects the endpoints that store."""
    response = _post_raw(client, sandbox_headers, '{"kind": "period", "items": "\\u0000"}')
    assert response.status_code in (200, 422), response.get_data(as_text=True)
