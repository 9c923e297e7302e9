"""Province-level HTTP (``/admin``, ``/api/v1/province``): units and the cross-tenant door."""

from flask import Flask


def register(app: Flask, api) -> None:
    from admin import api as province_api
    from admin import views
    from tenant_app.extensions import csrf

    app.register_blueprint(views.bp)
    csrf.exempt(province_api.blp)
    api.register_blueprint(province_api.blp)
