"""The workspace blueprint, shared by its view modules."""

from flask import Blueprint

from tenant_app.tenancy.resolve import make_tenant_blueprint

bp = make_tenant_blueprint(Blueprint("workspace", __name__, url_prefix="/t/<tenant_slug>"))
