"""REST API v1 (flask-smorest): tokens and accounts; spec at /api/v1/openapi.json."""

from flask import Flask

from tenant_app.extensions import csrf


def register(app: Flask, api) -> None:
    from blueprints.api import auth, me, scoring, users

    for module in (auth, users, me, scoring):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)
