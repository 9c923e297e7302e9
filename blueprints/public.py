"""The start page: find your unit's sign-in page; in demo mode, the demo accounts."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from tenant_app.tenancy.resolve import load_serving_tenant

bp = Blueprint("public", __name__)


def _demo_accounts() -> list[dict]:
    if not current_app.config["KPI_DEMO"]:
        return []
    path = Path(current_app.config["KPI_INSTANCE_DIR"]) / "demo-accounts.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


@bp.get("/")
def index():
    slug = (request.args.get("unit") or "").strip().lower()
    if slug:
        if load_serving_tenant(slug) is None:
            abort(404)
        return redirect(url_for("tenant_auth.login", tenant_slug=slug))
    return render_template("public/index.html", demo_accounts=_demo_accounts())
