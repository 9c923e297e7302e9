"""scoring is pure: importing it loads no framework, database, queue or app module."""

import json
import os
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("flask", "sqlalchemy", "redis", "rq", "tenant_app")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_purity_import_loads_no_framework_modules():
    """A fresh `import scoring` loads none of flask, sqlalchemy, redis, rq, tenant_app."""
    code = (
        "import json, sys, scoring, scoring.sandbox; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(completed.stdout) == []


def test_purity_sources_import_only_stdlib_and_scoring():
    """Every import in scoring/ names a standard-library module or scoring itself."""
    allowed = set(sys.stdlib_module_names) | {"scoring", "__future__"}
    for path in (PROJECT_ROOT / "scoring").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if len(words) > 1 and words[0] in ("import", "from"):
                assert words[1].split(".")[0] in allowed, f"{path.name}: {line}"
