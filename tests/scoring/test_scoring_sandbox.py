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
