"""Extreme sandbox input: every case exits 2 naming the field, in Vietnamese, never a traceback."""

import json

import pytest

from scoring import ScoringInputError
from scoring.sandbox import main, run

ITEM = '{"code": "T1", "assigned": %s, "coefficient": 1, "completed": 1}'
PERIOD = '{"items": [%s], "general": [10, 10, 10]}'


def _main_error(tmp_path, capsys, content: bytes | str) -> dict:
    """Run main() on a file holding ``content``; assert exit 2 and return the error object."""
    path = tmp_path / "input.json"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    assert main([str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    error = json.loads(captured.err)["error"]
    assert error["message"]
    return error


@pytest.mark.parametrize("number", ["1e30", "1e400", "1e999999999", "-1e999999999"])
def test_sandbox_huge_exponent_is_refused(tmp_path, capsys, number):
    """assigned 1e30, 1e400 or ±1e999999999 exits 2 naming items[0].assigned."""
    error = _main_error(tmp_path, capsys, PERIOD % (ITEM % number))
    assert error["field"] == "items[0].assigned"


@pytest.mark.parametrize("field", ["assigned", "completed"])
def test_sandbox_tiny_exponent_is_refused(tmp_path, capsys, field):
    """1e-999999999 is refused naming its field, never taken as 0 (completed of 10 → 0 done)."""
    item = {"code": "T1", "assigned": "10", "coefficient": 1, "completed": "10"}
    text = json.dumps({"items": [item], "general": [10, 10, 10]})
    text = text.replace(f'"{field}": "10"', f'"{field}": 1e-999999999')
    assert _main_error(tmp_path, capsys, text)["field"] == f"items[0].{field}"


def test_sandbox_5000_digit_integer_is_refused(tmp_path, capsys):
    """A 5,000-digit integer (beyond Python's int-from-string limit) names its field."""
    error = _main_error(tmp_path, capsys, PERIOD % (ITEM % ("9" * 5000)))
    assert error["field"] == "items[0].assigned"
    assert "5000 ký tự" in error["message"]


def test_sandbox_5000_digit_decimal_is_refused(tmp_path, capsys):
    """A number with 5,000 decimals is refused as out of range, not parsed at length."""
    error = _main_error(tmp_path, capsys, PERIOD % (ITEM % ("0." + "1" * 5000)))
    assert error["field"] == "items[0].assigned"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_sandbox_non_finite_constants_are_refused(tmp_path, capsys, constant):
    """NaN and ±Infinity are refused, naming the field."""
    error = _main_error(tmp_path, capsys, PERIOD % (ITEM % constant))
    assert error["field"] == "items[0].assigned"


def test_sandbox_deeply_nested_json_is_refused(tmp_path, capsys):
    """100,000 nested arrays (a RecursionError for json) exit 2 with field "json"."""
    error = _main_error(tmp_path, capsys, "[" * 100_000 + "]" * 100_000)
    assert error["field"] == "json"


def test_sandbox_nesting_just_over_the_limit_is_refused(tmp_path, capsys):
    """21 levels inside a valid document are refused; brackets inside strings do not count."""
    deep = "[" * 20 + "1" + "]" * 20
    error = _main_error(tmp_path, capsys, f'{{"params": {deep}}}')
    assert error["field"] == "json"
    shallow = '{"items": "[[[[[[[[[[[[[[[[[[[[[[[[[", "general": []}'
    assert _main_error(tmp_path, capsys, shallow)["field"] == "items"


@pytest.mark.parametrize("document", ["[]", "1", '"text"', "null", "true"])
def test_sandbox_non_object_top_level_is_refused(tmp_path, capsys, document):
    """A top level that is not an object is refused with field "$"."""
    assert _main_error(tmp_path, capsys, document)["field"] == "$"


def test_sandbox_body_over_one_megabyte_is_refused(tmp_path, capsys):
    """A file over 1 MB is refused with field "json" without being parsed."""
    padding = " " * 1_000_001
    assert _main_error(tmp_path, capsys, "{}" + padding)["field"] == "json"


def test_sandbox_non_utf8_bytes_are_refused(tmp_path, capsys):
    """Bytes that are not UTF-8 are refused with field "json"."""
    content = (PERIOD % (ITEM % "1")).encode("utf-8").replace(b"T1", b"T\xff")
    assert _main_error(tmp_path, capsys, content)["field"] == "json"


def test_sandbox_lone_surrogate_is_refused(tmp_path, capsys):
    """A code holding half a UTF-16 surrogate pair is refused (it could not be printed)."""
    content = (PERIOD % (ITEM % "1")).replace("T1", "\\ud800")
    assert _main_error(tmp_path, capsys, content)["field"] == "items[0].code"


def test_sandbox_more_than_500_items_is_refused(tmp_path, capsys):
    """501 items are refused with field "items" before any is built."""
    items = ", ".join(ITEM % "1" for _ in range(501))
    assert _main_error(tmp_path, capsys, PERIOD % items)["field"] == "items"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": "T1"}, "items"),
        ({"items": [1]}, "items[0]"),
        ({"general": {"a": 1}}, "general"),
        ({"general": [True, 10, 10]}, "general[0]"),
        ({"leader": "yes"}, "leader"),
        ({"rule_set": []}, "rule_set"),
        ({"params": []}, "params"),
        ({"params": {"quota_ratio": {"x": 1}}}, "params.quota_ratio"),
        ({"kind": 3}, "kind"),
        ({"forced_fail": 5}, "forced_fail"),
        (
            {"items": [{"code": 5, "assigned": 1, "coefficient": 1, "completed": 1}]},
            "items[0].code",
        ),
        ({"items": [{"code": "T", "assigned": [], "coefficient": 1, "completed": 1}]}, None),
    ],
)
def test_sandbox_wrong_types_are_refused(change, field):
    """A value of the wrong type anywhere is a ScoringInputError naming its field."""
    document = {**json.loads(PERIOD % (ITEM % "1")), **change}
    with pytest.raises(ScoringInputError) as info:
        run(document)
    assert info.value.field == (field or "items[0].assigned")


def test_sandbox_more_than_24_periods_is_refused():
    """kind annual: more than 24 periods are refused with field "periods"."""
    periods = [{"code": f"k{i}", "total": 80} for i in range(25)]
    with pytest.raises(ScoringInputError) as info:
        run({"kind": "annual", "periods": periods})
    assert info.value.field == "periods"


def test_sandbox_more_than_100000_people_is_refused():
    """kind quota: more than 100,000 people are refused with field "people"."""
    people = [{"id": str(i), "grade": "HTT"} for i in range(100_001)]
    with pytest.raises(ScoringInputError) as info:
        run({"kind": "quota", "people": people})
    assert info.value.field == "people"


def test_sandbox_annual_huge_ratio_total_is_refused():
    """kind annual: an exact total with an 80-digit numerator is out of range."""
    with pytest.raises(ScoringInputError) as info:
        run({"kind": "annual", "periods": [{"code": "k", "total": "9" * 80 + "/7"}]})
    assert info.value.field == "periods[0].total"
