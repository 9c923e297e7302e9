"""Resolve the tenant of a request from its URL, failing closed.

The URL is ``/t/<slug>/…`` or ``/api/v1/t/<slug>/…``.

Unknown, suspended and archived tenants are 404, the same answer as a tenant that never existed.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, g

from tenant_app.extensions import db
from tenant_app.models.tenants import Tenant, TenantStatus
from tenant_app.tenancy.context import set_request_tenant

SLUG_ARG = "tenant_slug"


def load_serving_tenant(slug: str) -> Tenant | None:
    """Return the tenant whose users may reach it under ``slug``, or None."""
    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None or not TenantStatus(tenant.status).serves_users:
        return None
    return tenant


def make_tenant_blueprint(bp: Blueprint) -> Blueprint:
    """Make every route of ``bp`` resolve ``<tenant_slug>`` (404 if not served)."""

    @bp.url_value_preprocessor
    def _pull_tenant(endpoint, values):
        slug = (values or {}).pop(SLUG_ARG, None)
        tenant = load_serving_tenant(slug) if slug else None
        if tenant is None:
            abort(404)
        set_request_tenant(tenant)

    @bp.url_defaults
    def _push_tenant(endpoint, values):
        if SLUG_ARG not in values and g.get("tenant") is not None:
            values[SLUG_ARG] = g.tenant.slug

    return bp
