"""KPI Công vụ: the application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Flask is imported when an app is built: `kpi score` never needs it
    from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment (``tenant_app.config``), overridden by ``config``."""
    from flask import Flask

    from tenant_app import config as settings

    app = Flask(__name__, instance_path=None)
    app.config.update(settings.load())
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = settings.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )
    Path(app.config["KPI_INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)

    from tenant_app import (
        auth,
        background,
        errors,
        formatting,
        health,
        i18n,
        logs,
        metrics,
        services,
    )
    from tenant_app.extensions import api, csrf, db, limiter, migrate
    from tenant_app.security import headers, passwords
    from tenant_app.tenancy import revisions
    from tenant_app.tenancy import startup as tenancy_startup

    logs.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    passwords.init_app(app)
    tenancy_startup.init_app(app)
    background.init_app(app)
    revisions.init_app(app)
    services.init_app(app)
    health.init_app(app)
    metrics.init_app(app)
    api.init_app(app)

    from admin import register as register_admin
    from blueprints import register as register_blueprints

    register_blueprints(app, api)
    register_admin(app, api)
    api.link()

    from tenant_app import cli

    cli.init_app(app)
    if app.config["KPI_PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["KPI_PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)
    logging.getLogger(__name__).debug("app created")
    return app
