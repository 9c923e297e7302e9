"""Sandbox documents for fuzzing: valid examples of each kind and their one-place mutations.

Shared by the sandbox's command-line fuzz tests (tests/scoring) and the API's (tests/blueprints).
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

from scoring import Grade

GRADES = {g.value for g in Grade}

VALID = {
    "period": {
        "items": [
            {"code": "T1", "assigned": 10, "coefficient": "1.0", "completed": 10,
             "major_errors": 1, "delays": 2},
            {"code": "T2", "assigned": 2, "coefficient": 2.5, "completed": 2},
            {"code": "T3", "assigned": 1, "coefficient": "5.0", "completed": 0},
        ],
        "general": [9, 9, 9],
    },
    "leader": {
        "items": [{"code": "T1", "assigned": 7, "coefficient": 1, "completed": 4}],
        "general": [10, 10, 10],
        "leader": True,
        "leader_criteria": {"unit_results": 100, "organising": 80},
        "params": {"display_places": 3},
    },
    "annual": {
        "kind": "annual",
        "periods": [
            {"code": "2026-01", "total": "490/7"},
            {"code": "2026-02", "total": 70, "forced_fail": None},
        ],
        "forced_fail": None,
    },
    "quota": {
        "kind": "quota",
        "outstanding": False,
        "people": [
            {"id": "a", "grade": "HTXS", "quota_group": "g"},
            {"id": "b", "grade": "HTXS", "quota_group": "g"},
            {"id": "c", "grade": "HTT", "quota_group": "g"},
            {"id": 4, "grade": "HTT"},
        ],
    },
}  # fmt: skip

RAW = "\u0000RAW\u0000"
EXTREME_TOKENS = [
    "1e30", "1e400", "1e999999999", "-1e999999999", "1e-999999999", "9" * 5000, "0." + "1" * 5000,
    "NaN", "Infinity", "-Infinity", "-0", "0.0000001", "1000000.000001", "1E+15",
    "[" * 50 + "]" * 50, '"490/7"', '"1/0"', '"\\ud800"',
]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["HTXS", "HTT", "annual", "quota", "period", "discipline", "1/3", "-5"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)


def _paths(value, prefix=()):
    """Every path into ``value`` (keys and indexes), the root included."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


def _replace(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    return [_replace(item, rest, new) if i == head else item for i, item in enumerate(value)]


@st.composite
def mutated_documents(draw) -> bytes:
    """A valid document with one change, serialised (possibly with a raw extreme token)."""
    document = VALID[draw(st.sampled_from(sorted(VALID)))]
    path = draw(st.sampled_from(list(_paths(document))))
    action = draw(st.sampled_from(["value", "raw", "drop", "add"]))
    if action == "value":
        document = _replace(document, path, draw(json_values))
    elif action == "raw":
        document = _replace(document, path, RAW)
    elif action == "drop" and path:
        parent = path[:-1]
        container = document
        for step in parent:
            container = container[step]
        if isinstance(container, dict):
            smaller = {k: v for k, v in container.items() if k != path[-1]}
        else:
            smaller = [v for i, v in enumerate(container) if i != path[-1]]
        document = _replace(document, parent, smaller)
    elif action == "add":
        document = {**document, draw(st.text(max_size=10)): draw(json_values)}
    text = json.dumps(document)
    if action == "raw":
        text = text.replace(json.dumps(RAW), draw(st.sampled_from(EXTREME_TOKENS)))
    return text.encode("utf-8")


def assert_result_or_error(status: int, result: dict | None, error: dict | None) -> None:
    """Assert the contract: success with a grade (or a quota count), or a field and a message."""
    if status == 0:
        if result["kind"] == "quota":
            assert isinstance(result["must_lower"], int) and result["must_lower"] >= 0
        else:
            assert result["grade"] in GRADES
    else:
        assert isinstance(error["field"], str) and error["field"]
        assert isinstance(error["message"], str) and error["message"]
