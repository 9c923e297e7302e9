"""`kpi score` as a real process: the sandbox runs without building the web application."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

KPI = Path(sys.executable).with_name("kpi")
FOUR_OF_SEVEN = {
    "items": [{"code": "T1", "assigned": 7, "coefficient": 1, "completed": 4}],
    "general": [10, 10, 10],
}


def _kpi(*args: str) -> subprocess.CompletedProcess:
    if not KPI.exists():
        pytest.skip("the kpi script is not installed next to this interpreter")
    return subprocess.run([str(KPI), *args], capture_output=True, timeout=60, check=False)


def test_cli_score_process_prints_exact_result(tmp_path):
    """`kpi score FILE` exits 0 and prints 4 of 7 done as exactly 70, HTT."""
    path = tmp_path / "period.json"
    path.write_text(json.dumps(FOUR_OF_SEVEN), encoding="utf-8")
    done = _kpi("score", str(path))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["total_exact"], result["grade"]) == ("70", "HTT")


def test_cli_score_process_extreme_number_exits_2(tmp_path):
    """`kpi score` on assigned 1e400 exits 2 with the field on stderr, no traceback."""
    path = tmp_path / "period.json"
    path.write_text(json.dumps(FOUR_OF_SEVEN).replace('"assigned": 7', '"assigned": 1e400'))
    done = _kpi("score", str(path))
    assert done.returncode == 2
    assert json.loads(done.stderr)["error"]["field"] == "items[0].assigned"
    assert b"Traceback" not in done.stderr


def test_cli_score_process_help_exits_0():
    """`kpi score --help` prints the usage and exits 0."""
    done = _kpi("score", "--help")
    assert done.returncode == 0
    assert "kpi score FILE.json" in done.stdout.decode("utf-8")


def test_cli_score_does_not_import_flask(tmp_path):
    """`kpi score` dispatches before Flask, SQLAlchemy or the app's extensions are imported."""
    path = tmp_path / "period.json"
    path.write_text(json.dumps(FOUR_OF_SEVEN), encoding="utf-8")
    probe = (
        "import sys\n"
        "from tenant_app.cli import main\n"
        "try:\n"
        f"    main(['score', {str(path)!r}])\n"
        "except SystemExit as exit:\n"
        "    heavy = [m for m in ('flask', 'sqlalchemy', 'tenant_app.extensions')"
        " if m in sys.modules]\n"
        "    print(repr((exit.code, heavy)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, timeout=60, check=False
    )
    assert done.stderr.decode().strip() == "(0, [])"
