"""Structured logs: JSON lines with request id, tenant and user, and never a password."""

from __future__ import annotations

import json
import logging

from tenant_app import create_app
from tests.helpers import login


def test_logging_json_lines_carry_context_and_no_password(app, capsys, tenant_a, admin_a):
    """Access lines are JSON with request_id and tenant; the password typed is nowhere."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        json_app = create_app({**app.config, "KPI_LOG_FORMAT": "json"})
        client = json_app.test_client()
        login(client, "phuong-a", "admin.a", "Mat-Khau-Bi-Mat-99")
        login(client, "phuong-a", "admin.a")
        client.get("/t/phuong-a/")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("event") == "request"]
    assert access and all(line["request_id"] for line in access)
    assert any(line["tenant"] == "phuong-a" and line["user"] == "admin.a" for line in access)
    assert "Mat-Khau-Bi-Mat-99" not in out and "Mat-khau-2026" not in out
    # Each access line carries the request's own CPU time, what bench/load.py reports per page.
    assert all(isinstance(line["cpu_ms"], float) and line["cpu_ms"] >= 0 for line in access)
    assert all(line["cpu_ms"] <= line["duration_ms"] + 1 for line in access)
