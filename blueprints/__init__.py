"""Tenant-scoped HTTP: public start page, tenant login, the unit workspace and the REST API."""

from flask import Flask


def register(app: Flask, api) -> None:
    from blueprints import public
    from blueprints.api import register as register_api
    from blueprints.auth import bp as auth_bp
    from blueprints.workspace import bp as workspace_bp

    app.register_blueprint(public.bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(workspace_bp)
    register_api(app, api)
