"""Fuzzing ``kpi score``'s JSON contract: exit 0 with a result, or 2 with a field and a message.

Documents are arbitrary JSON values, raw bytes, and valid documents of the three kinds mutated
at one place (tests/scoring/sandbox_documents.py).
"""

from __future__ import annotations

import contextlib
import io
import json
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.sandbox import main
from tests.scoring.sandbox_documents import (
    VALID,
    assert_result_or_error,
    json_values,
    mutated_documents,
)


def _run_main(raw: bytes) -> tuple[int, str, str]:
    """Run ``main(["-"])`` with ``raw`` on stdin; return the exit code, stdout and stderr."""
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch("sys.stdin", stdin),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main(["-"])
    return code, out.getvalue(), err.getvalue()


def _assert_contract(raw: bytes) -> None:
    code, out, err = _run_main(raw)
    assert code in (0, 2), (code, out, err)
    if code == 0:
        assert err == ""
        assert_result_or_error(0, json.loads(out), None)
    else:
        assert out == ""
        assert_result_or_error(2, None, json.loads(err)["error"])


def test_fuzz_valid_documents_score():
    """Each unmutated example document exits 0 (so the mutations start from valid input)."""
    for document in VALID.values():
        assert _run_main(json.dumps(document).encode())[0] == 0


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=mutated_documents())
def test_fuzz_mutated_documents_keep_the_contract(raw):
    """A valid document changed at one place exits 0 with a grade or 2 with field and message."""
    _assert_contract(raw)


@settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_fuzz_arbitrary_json_values_keep_the_contract(value):
    """Any JSON value exits 0 or 2 with field and message, never a traceback."""
    _assert_contract(json.dumps(value).encode("utf-8"))


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_fuzz_arbitrary_bytes_keep_the_contract(raw):
    """Arbitrary bytes (mostly malformed JSON) exit 2 with field and message, or 0."""
    _assert_contract(raw)
