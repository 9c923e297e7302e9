"""Health endpoints: /healthz (process alive) and /readyz (database, Redis, migrations at head).

Cheap, unauthenticated, and they say nothing but ok/failed per check.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from tenant_app.extensions import csrf, db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


def _migration_head() -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from tenant_app.config import PROJECT_ROOT

    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(cfg).get_current_head()


@bp.get("/readyz")
def readyz():
    checks = {}
    try:
        with db.engine.connect() as conn:
            current = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        checks["database"] = "ok"
        checks["migrations"] = "ok" if current == _migration_head() else "failed"
    except Exception:
        current_app.logger.warning("readiness: database check failed", exc_info=True)
        checks["database"] = checks["migrations"] = "failed"
    redis_url = current_app.config.get("KPI_REDIS_URL")
    if redis_url:
        try:
            from redis import Redis

            Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "failed"
    ok = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if ok else "failed", checks=checks), 200 if ok else 503


def init_app(app) -> None:
    csrf.exempt(bp)
    limiter.exempt(bp)
    app.register_blueprint(bp)
