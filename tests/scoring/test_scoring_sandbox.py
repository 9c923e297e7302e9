"""The sandbox: JSON in, JSON out; exit code 0 on success, 2 with an error envelope otherwise."""

import io
import json

import pytest

from scoring import ScoringInputError
from scoring.sandbox import main, run


def test_sandbox_run_golden_month(golden_input_json):
    """run() returns the golden values as decimal strings."""
    out = run(golden_input_json)
    assert {k: out[k] for k in ("a", "b", "c", "task_score", "task_points", "total")} == {
        "a": "75",
        "b": "73.75",
        "c": "72.5",
        "task_score": "73.75",
        "task_points": "51.625",
        "total": "78.625",
    }
    assert (out["general_points"], out["total_display"], out["grade"]) == ("27", "78.63", "HTT")
    assert out["explanation"][-1]["result"] == "HTT"


def test_sandbox_run_applies_param_overrides(golden_input_json):
    """params overrides reach the score (thresholds 95/80/60 make 78.625 an HTNV)."""
    golden_input_json["params"] = {"threshold_htxs": 95, "threshold_htt": 80, "threshold_htnv": 60}
    assert run(golden_input_json)["grade"] == "HTNV"


def test_sandbox_run_leader(golden_input_json):
    """A leader's output includes the leader criteria."""
    golden_input_json["leader"] = True
    golden_input_json["leader_criteria"] = {"unit_results": 100, "organising": 80}
    out = run(golden_input_json)
    assert (out["task_score"], out["unit_results"]) == ("80.25", "100")


def test_sandbox_run_unknown_key_is_refused(golden_input_json):
    """An unknown top-level key is refused, naming it."""
    golden_input_json["bonus"] = 1
    with pytest.raises(ScoringInputError) as info:
        run(golden_input_json)
    assert info.value.field == "bonus"


def test_sandbox_run_unknown_item_key_is_refused(golden_input_json):
    """An unknown item key is refused, naming the row."""
    golden_input_json["items"][1]["weight"] = 2
    with pytest.raises(ScoringInputError) as info:
        run(golden_input_json)
    assert info.value.field == "items[1].weight"


def test_sandbox_run_item_errors_name_the_row(golden_input_json):
    """A bad quantity in row 2 names items[2], not the item code."""
    golden_input_json["items"][2]["assigned"] = "một"
    with pytest.raises(ScoringInputError) as info:
        run(golden_input_json)
    assert info.value.field == "items[2].assigned"


def test_sandbox_run_leader_criteria_without_leader_is_refused(golden_input_json):
    """Leader criteria for a non-leader are refused rather than silently ignored."""
    golden_input_json["leader_criteria"] = {"unit_results": 100, "organising": 100}
    with pytest.raises(ScoringInputError) as info:
        run(golden_input_json)
    assert info.value.field == "leader_criteria"


def test_sandbox_main_prints_result_and_returns_0(tmp_path, capsys, golden_input_json):
    """main(FILE) prints the JSON result (Vietnamese unescaped) and returns 0."""
    path = tmp_path / "period.json"
    path.write_text(json.dumps(golden_input_json), encoding="utf-8")
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["total"] == "78.625"
    assert "Hoàn thành tốt nhiệm vụ" in out


def test_sandbox_main_reads_stdin(monkeypatch, capsys, golden_input_json):
    """main(["-"]) reads the input from stdin."""
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(golden_input_json)))
    assert main(["-"]) == 0
    assert json.loads(capsys.readouterr().out)["grade"] == "HTT"


def test_sandbox_main_invalid_input_returns_2(tmp_path, capsys, golden_input_json):
    """Invalid input prints {"error": {field, message}} to stderr and returns 2."""
    golden_input_json["general"] = [11, 9, 9]
    path = tmp_path / "period.json"
    path.write_text(json.dumps(golden_input_json), encoding="utf-8")
    assert main([str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert json.loads(captured.err)["error"]["field"] == "general[0]"


def test_sandbox_main_malformed_json_returns_2(tmp_path, capsys):
    """Malformed JSON returns 2 with field "json"."""
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    assert main([str(path)]) == 2
    assert json.loads(capsys.readouterr().err)["error"]["field"] == "json"


def test_sandbox_main_missing_file_returns_2(tmp_path, capsys):
    """A missing file returns 2 with field "file"."""
    assert main([str(tmp_path / "missing.json")]) == 2
    assert json.loads(capsys.readouterr().err)["error"]["field"] == "file"


def test_sandbox_main_without_argument_returns_2(capsys):
    """Calling main without a file returns 2 with a usage message."""
    assert main([]) == 2
    assert json.loads(capsys.readouterr().err)["error"]["field"] == "argv"


def test_sandbox_main_unknown_param_returns_2(tmp_path, capsys, golden_input_json):
    """An unknown parameter override returns 2 naming params.<name>."""
    golden_input_json["params"] = {"bonus_points": 5}
    path = tmp_path / "period.json"
    path.write_text(json.dumps(golden_input_json), encoding="utf-8")
    assert main([str(path)]) == 2
    assert json.loads(capsys.readouterr().err)["error"]["field"] == "params.bonus_points"


def test_sandbox_run_forced_fail(golden_input_json):
    """A forced-fail code in the sandbox gives KHTNV and is echoed back."""
    golden_input_json["forced_fail"] = "degradation"
    out = run(golden_input_json)
    assert (out["grade"], out["forced_fail"], out["total"]) == ("KHTNV", "degradation", "78.625")


def test_sandbox_run_four_of_seven_is_exactly_70(golden_input_json):
    """4 of 7 done with 30 general points: total "70", total_exact "70", HTT, engine version."""
    golden_input_json["items"] = [{"code": "T1", "assigned": 7, "coefficient": 1, "completed": 4}]
    golden_input_json["general"] = [10, 10, 10]
    out = run(golden_input_json)
    assert (out["total"], out["total_exact"], out["total_display"]) == ("70", "70", "70.00")
    assert out["grade"] == "HTT"
    assert out["engine_version"]


def test_sandbox_run_total_exact_is_a_ratio(golden_input_json):
    """1 of 3 done with 30 general points: total_exact "160/3", total "53.333333" (floored)."""
    golden_input_json["items"] = [{"code": "T1", "assigned": 3, "coefficient": 1, "completed": 1}]
    golden_input_json["general"] = [10, 10, 10]
    out = run(golden_input_json)
    assert (out["total_exact"], out["total"], out["total_display"]) == (
        "160/3",
        "53.333333",
        "53.33",
    )


def test_sandbox_run_unknown_kind_is_refused(golden_input_json):
    """A kind other than period, annual, quota is refused with field "kind"."""
    golden_input_json["kind"] = "income"
    with pytest.raises(ScoringInputError) as info:
        run(golden_input_json)
    assert info.value.field == "kind"


def test_sandbox_run_annual_two_exact_70s_are_htt():
    """kind annual: "490/7" and 70 average exactly 70 → HTT, with average_exact and display."""
    out = run(
        {
            "kind": "annual",
            "periods": [{"code": "2026-01", "total": "490/7"}, {"code": "2026-02", "total": 70}],
            "forced_fail": None,
        }
    )
    assert (out["kind"], out["average"], out["average_exact"]) == ("annual", "70", "70")
    assert (out["average_display"], out["grade"]) == ("70.00", "HTT")
    assert out["explanation"][-1]["result"] == "HTT"


def test_sandbox_run_annual_non_leader_corruption_forces_fail():
    """kind annual: leader_corruption for someone not (or no longer) a leader gives KHTNV."""
    out = run(
        {
            "kind": "annual",
            "periods": [{"code": "2026-01", "total": 95}],
            "forced_fail": "leader_corruption",
        }
    )
    assert (out["grade"], out["forced_fail"]) == ("KHTNV", "leader_corruption")


def test_sandbox_run_annual_bad_total_names_the_row():
    """kind annual: a bad total names periods[1].total."""
    with pytest.raises(ScoringInputError) as info:
        run({"kind": "annual", "periods": [{"code": "a", "total": 1}, {"code": "b", "total": "x"}]})
    assert info.value.field == "periods[1].total"


def _quota_people(htxs, htt, group=None):
    grades = ["HTXS"] * htxs + ["HTT"] * htt
    return [{"id": f"p{i}", "grade": g, "quota_group": group} for i, g in enumerate(grades)]


def test_sandbox_run_quota_lowers_5_of_10():
    """kind quota: 10 HTXS + 20 HTT → allowed 4, must_lower 5, allowed_after 5."""
    out = run({"kind": "quota", "people": _quota_people(10, 20), "outstanding": False})
    assert {k: out[k] for k in ("htxs", "htt", "allowed", "must_lower", "allowed_after")} == {
        "htxs": 10,
        "htt": 20,
        "allowed": 4,
        "must_lower": 5,
        "allowed_after": 5,
    }
    assert out["groups"] == []


def test_sandbox_run_quota_groups_and_outstanding():
    """kind quota: each quota group is reported; outstanding uses the 25% ratio."""
    out = run({"kind": "quota", "people": _quota_people(10, 20, "g1"), "outstanding": True})
    (group,) = out["groups"]
    assert (group["group"], group["allowed"], group["must_lower"]) == ("g1", 5, 4)
    assert group["allowed_after"] == 6 and len(group["people"]) == 10
    assert out["ratio"] == "0.25"


def test_sandbox_run_quota_duplicate_person_is_refused():
    """kind quota: the same id twice is refused, naming the second row."""
    people = _quota_people(1, 1)
    people[1]["id"] = people[0]["id"]
    with pytest.raises(ScoringInputError) as info:
        run({"kind": "quota", "people": people})
    assert info.value.field == "people[1].id"


def test_sandbox_main_help_returns_0(capsys):
    """main(["--help"]) prints the usage and returns 0."""
    assert main(["--help"]) == 0
    assert "kpi score FILE.json" in capsys.readouterr().out
