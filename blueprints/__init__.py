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

    from blueprints.workspace.imports import bp as imports_bp

    app.register_blueprint(imports_bp)

    from blueprints.audit import bp as audit_bp

    app.register_blueprint(audit_bp)

    from blueprints.evaluation import bp as evaluation_bp

    app.register_blueprint(evaluation_bp)

    from blueprints.invitations import bp as invitations_bp

    app.register_blueprint(invitations_bp)

    from blueprints.annual import bp as annual_bp

    app.register_blueprint(annual_bp)
