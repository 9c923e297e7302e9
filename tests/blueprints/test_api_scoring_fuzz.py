"""Fuzzing the simulate API's JSON contract: 200 with a result, or 422 with a field and a message.

The same documents as ``kpi score``'s fuzz tests (tests/scoring/sandbox_documents.py), posted as
raw bodies; never a 500.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import bearer, token_for
from tests.scoring.sandbox_documents import assert_result_or_error, json_values, mutated_documents

URL = "/api/v1/scoring/simulate"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def sandbox_headers(client, tenant_a, staff_a):
    """Bearer headers and JSON content type for a unit's staff member."""
    headers = bearer(token_for(client, "phuong-a", "staff.a"))
    return {**headers, "Content-Type": "application/json"}


def _assert_contract(client, headers, raw: bytes) -> None:
    response = client.post(URL, data=raw, headers=headers)
    assert response.status_code in (200, 422), (response.status_code, response.get_data())
    body = response.get_json()
    if response.status_code == 200:
        assert_result_or_error(0, body, None)
    else:
        error = body["error"]
        (field,) = error["fields"]
        assert error["fields"][field] == [error["message"]]
        assert_result_or_error(2, None, {"field": field, "message": error["message"]})


@FUZZ
@given(raw=mutated_documents())
def test_api_fuzz_mutated_documents_keep_the_contract(client, sandbox_headers, raw):
    """A valid document changed at one place answers 200 with a grade or 422, never 500."""
    _assert_contract(client, sandbox_headers, raw)


@FUZZ
@given(value=json_values)
def test_api_fuzz_arbitrary_json_values_keep_the_contract(client, sandbox_headers, value):
    """Any JSON value answers 200 or 422 with a field and a Vietnamese message."""
    _assert_contract(client, sandbox_headers, json.dumps(value).encode("utf-8"))


@FUZZ
@given(raw=st.binary(max_size=200))
def test_api_fuzz_arbitrary_bytes_keep_the_contract(client, sandbox_headers, raw):
    """Arbitrary bytes answer 200 or 422, never 400 or 500."""
    _assert_contract(client, sandbox_headers, raw)
