"""``/api/v1/province/tenants``: province API for units and first admins."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.auth import api_token_required
from tenant_app.extensions import db
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.tenants import (
    BreakGlassSchema,
    FirstAdminSchema,
    TenantCreateSchema,
    TenantSchema,
    TenantUpdateSchema,
)
from tenant_app.schemas.users import UserCreatedSchema
from tenant_app.services.province import break_glass, tenants
from tenant_app.tenancy.door import cross_tenant_read
from tenant_app.web import page_list

blp = Blueprint(
    "province_api",
    __name__,
    url_prefix="/api/v1/province",
    description="Quản trị cấp tỉnh: đơn vị và tài khoản quản trị đầu tiên",
)

_admin = api_token_required("province_admin", province=True)


@blp.route("/tenants")
class Tenants(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, TenantSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """List every unit of the province (paginated)."""
        return page_list(tenants.list_tenants(), pagination_parameters)

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(TenantCreateSchema)
    @blp.response(201, TenantSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="slug already used")
    def post(self, data):
        """Create a unit (status onboarding)."""
        tenant = tenants.create_tenant(actor=g.api_user, **data)
        db.session.commit()
        return tenant


@blp.route("/tenants/<slug>")
class TenantBySlug(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, TenantSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, slug):
        """Read one unit."""
        return tenants.get_by_slug(slug)

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(TenantUpdateSchema)
    @blp.response(200, TenantSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def patch(self, data, slug):
        """Change a unit's status (pilot, active, suspended, archived)."""
        tenant = tenants.get_by_slug(slug)
        tenants.set_status(tenant, data["status"], actor=g.api_user)
        db.session.commit()
        return tenant


@blp.route("/tenants/<slug>/admins")
class TenantAdmins(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(FirstAdminSchema)
    @blp.response(201, UserCreatedSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, data, slug):
        """Create a unit administrator in the unit; returns a temporary password once.

        In a live unit (pilot, active, suspended) this is break-glass: ``reason`` (20–1000
        characters), ``hours`` (1–72) and ``confirm: true`` are required; the account expires,
        the unit's administrators are notified and both audit chains record it.
        """
        tenant = tenants.get_by_slug(slug)
        user, password = tenants.create_first_admin(tenant, actor=g.api_user, **data)
        db.session.commit()
        user.temporary_password = password
        return user


@blp.route("/tenants/<slug>/break-glass")
class TenantBreakGlass(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, BreakGlassSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, slug):
        """List the unit's open break-glass accounts with their expiry (read through the door)."""
        tenant = tenants.get_by_slug(slug)
        with cross_tenant_read(
            f"break-glass list: {tenant.slug}", actor=g.api_user, tenant_ids=[tenant.id]
        ):
            return break_glass.open_grants(tenant)


@blp.route("/tenants/<slug>/break-glass/<grant_id>")
class TenantBreakGlassGrant(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(204)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def delete(self, slug, grant_id):
        """End a break-glass account early: disabled at once, its sessions and tokens end."""
        tenant = tenants.get_by_slug(slug)
        break_glass.end(tenant, grant_id, actor=g.api_user)
        db.session.commit()
