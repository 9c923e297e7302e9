"""Static checks of the files that cannot run here: Dockerfile, .dockerignore, systemd units.

No Docker engine and no systemd PID 1 on the test machine: the Dockerfile is parsed and its
promises checked; the units are checked by ``systemd-analyze verify`` against a scratch root.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
LONG_RUNNING = ("kpi-web.service", "kpi-worker@.service", "kpi-scheduler.service")


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """Return the Dockerfile as stages of (INSTRUCTION, arguments), continuations joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    stages: list[list[tuple[str, str]]] = [[]]
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        instr, _, args = line.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            stages.append([])
        stages[-1].append((instr, args.strip()))
    return [s for s in stages if s and s[0][0] == "FROM"]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def test_dockerfile_is_multi_stage_with_no_compiler_in_the_final_image():
    """The builder has the build tools; the runtime stage is slim and installs no compiler."""
    stages = dockerfile_stages()
    assert len(stages) >= 2
    builder, final = stages[0], stages[-1]
    assert "build-essential" in " ".join(a for i, a in builder if i == "RUN")
    assert final[0][1].split()[0] in ("${PYTHON_IMAGE}", "python:3.11-slim-bookworm")
    final_runs = " ".join(a for i, a in final if i == "RUN")
    for tool in ("build-essential", "gcc", "g++", "-dev ", "clang", "make "):
        assert tool not in final_runs, f"{tool} in the final stage"
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in (ROOT / "Dockerfile").read_text()


def test_dockerfile_runtime_has_pdf_libraries_and_vietnamese_fonts():
    """WeasyPrint's pango libraries and fonts with Vietnamese diacritics are installed."""
    final_runs = " ".join(a for i, a in dockerfile_stages()[-1] if i == "RUN")
    for pkg in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core", "fonts-noto-core"):
        assert pkg in final_runs, pkg


def test_dockerfile_runtime_has_the_postgresql_client_for_backups():
    """`kpi backup` and `kpi restore` run pg_dump, pg_restore and psql from the image."""
    final_runs = " ".join(a for i, a in dockerfile_stages()[-1] if i == "RUN")
    assert "postgresql-client" in final_runs


def test_dockerfile_runs_as_uid_10001_and_serves_gunicorn_on_8000():
    """Non-root user, compiled catalogues, port, healthcheck and the gunicorn command."""
    stages = dockerfile_stages()
    final = stages[-1]
    instrs = dict(final)
    users = [a for i, a in final if i == "USER"]
    assert users and users[-1].split(":")[0] == "10001"
    assert "--uid 10001" in " ".join(a for i, a in final if i == "RUN")
    assert any("pybabel compile -d tenant_app/translations" in a for _, a in stages[0])
    assert instrs["EXPOSE"] == "8000"
    assert "/healthz" in instrs["HEALTHCHECK"]
    assert instrs["CMD"] == '["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]'


def test_dockerignore_keeps_secrets_and_local_state_out():
    """The build context excludes VCS data, virtualenvs, local databases and env files."""
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for pattern in (".git", ".venv", "instance", ".env", "*.env", "**/__pycache__"):
        assert pattern in ignored, pattern
    assert "README.md" not in ignored  # pyproject's readme: the wheel build needs it


def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    """`systemd-analyze verify` accepts every unit (unknown keys or bad values fail)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing: `apt-get install systemd`", pytrace=False)
    system = tmp_path / "etc" / "systemd" / "system"
    system.mkdir(parents=True)
    for path in UNITS.iterdir():
        if path.suffix in (".service", ".target", ".timer"):
            shutil.copy(path, system / path.name)
    # verify checks that ExecStart programs exist under --root; give it stand-ins.
    for exe in ("opt/kpi/venv/bin/kpi", "opt/kpi/venv/bin/gunicorn", "bin/kill"):
        target = tmp_path / exe
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("#!/bin/sh\n")
        target.chmod(0o755)
    names = [
        "kpi.target",
        "kpi-web.service",
        "kpi-scheduler.service",
        "kpi-migrate.service",
        "kpi-backup.service",
        "kpi-backup.timer",
        "kpi-worker@scoring.service",
        "kpi-worker@io.service",
    ]
    result = subprocess.run(
        [analyze, "verify", f"--root={tmp_path}", "--man=no", "--recursive-errors=no", *names],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"},
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Unknown" not in result.stderr, result.stderr


def test_systemd_only_the_migration_unit_reads_the_owner_url():
    """The owner-role env file is loaded by kpi-migrate alone; it runs `kpi db upgrade`."""
    migrate = unit("kpi-migrate.service")
    assert migrate["Service"]["ExecStart"].endswith("kpi db upgrade")
    assert "/etc/kpi/migrate.env" in (UNITS / "kpi-migrate.service").read_text()
    for name in LONG_RUNNING:
        text = (UNITS / name).read_text()
        assert "migrate.env" not in text, name
        assert "OWNER" not in text, name
    example = (UNITS / "kpi.env.example").read_text()
    assert "KPI_DATABASE_OWNER_URL=" not in example


def test_systemd_units_run_unprivileged_and_gracefully():
    """Every unit runs as `kpi`, hardened, with stop timeouts above the graceful windows."""
    for name in (*LONG_RUNNING, "kpi-migrate.service"):
        service = unit(name)["Service"]
        assert service["User"] == "kpi", name
        assert service["NoNewPrivileges"] == "yes", name
        assert service["ProtectSystem"] == "strict", name
    web = unit("kpi-web.service")["Service"]
    assert web["ExecStart"].endswith("-c /opt/kpi/app/deploy/gunicorn.conf.py wsgi:app")
    assert web["Environment"].startswith("KPI_")  # last Environment= line wins in configparser
    assert "KPI_BIND=127.0.0.1:8000" in (UNITS / "kpi-web.service").read_text()
    assert int(web["TimeoutStopSec"]) > 30  # gunicorn graceful_timeout default
    worker = unit("kpi-worker@.service")["Service"]
    assert worker["ExecStart"].endswith("kpi worker %i")
    target = (UNITS / "kpi.target").read_text()
    for queue in ("scoring", "feeds", "rollout", "io", "default"):
        assert f"kpi-worker@{queue}.service" in target


def test_systemd_backup_unit_runs_kpi_backup_nightly_with_its_own_url():
    """kpi-backup.service runs `kpi backup --keep`, hardened, writing only its folder, with the
    backup role's URL from backup.env (no other unit reads it); its timer fires nightly."""
    service = unit("kpi-backup.service")["Service"]
    assert service["ExecStart"] == (
        "/opt/kpi/venv/bin/kpi backup --output /var/backups/kpi --keep 14"
    )
    assert service["User"] == "kpi" and service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/var/backups/kpi"
    assert "/etc/kpi/backup.env" in (UNITS / "kpi-backup.service").read_text()
    for path in UNITS.glob("*.service"):
        if path.name != "kpi-backup.service":
            assert "backup.env" not in path.read_text(), path.name
    timer = unit("kpi-backup.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 01:30:00"
    assert timer["Timer"]["Persistent"] == "true"
    example = (UNITS / "backup.env.example").read_text()
    assert "KPI_DATABASE_OWNER_URL=postgresql+psycopg://kpi_backup:" in example
