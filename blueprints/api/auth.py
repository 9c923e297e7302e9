"""``/api/v1/auth/token``: exchange a username and password for a bearer token; revoke it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app
from flask_smorest import Blueprint

from tenant_app.errors import json_error
from tenant_app.extensions import db, limiter
from tenant_app.models.tenants import Tenant
from tenant_app.schemas.auth import TokenRequestSchema, TokenSchema
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.services.workspace import authentication, tokens
from tenant_app.tenancy.context import set_request_tenant, tenant_context
from tenant_app.tenancy.resolve import load_serving_tenant

blp = Blueprint(
    "api_auth",
    __name__,
    url_prefix="/api/v1/auth",
    description="Mã truy cập (bearer token) cho API",
)


def _limit() -> str:
    return current_app.config["KPI_LOGIN_RATE_LIMIT"]


@blp.post("/token")
@limiter.limit(_limit)
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, schema=ApiErrorSchema, description="wrong credentials")
@blp.alt_response(
    403,
    schema=ApiErrorSchema,
    description="password_change_required: the account still has a temporary password",
)
@blp.alt_response(
    429,
    schema=ApiErrorSchema,
    description="too_many_attempts: too many failures for this username from this address "
    "(the same answer whether or not the account exists; the message says how long to wait)",
)
def issue(data):
    """Issue a bearer token for a tenant user (``tenant``: slug) or a province user (null)."""
    province = data["tenant"] is None
    if province:
        return _issue(data, province=True, tenant=None)
    tenant = load_serving_tenant(data["tenant"])
    if tenant is None:
        return json_error(
            401,
            "invalid_credentials",
            authentication.LoginResult(authentication.LoginOutcome.BAD_CREDENTIALS).message,
        )
    set_request_tenant(tenant)
    return _issue(data, province=False, tenant=tenant)


def _issue(data, *, province: bool, tenant):
    issued = []

    def open_token(user):
        # Written with the sign-in, in one transaction; never for a temporary password.
        if not user.must_change_password:
            issued.append(tokens.issue_token(user, name=data["name"], commit=False))

    result = authentication.authenticate(
        data["username"], data["password"], province=province, then=open_token
    )
    if result.outcome is authentication.LoginOutcome.LOCKED:
        # The minutes to wait are in the message (the rate limiter owns the Retry-After header).
        return json_error(429, "too_many_attempts", result.message)
    if result.outcome is not authentication.LoginOutcome.OK:
        return json_error(401, "invalid_credentials", result.message)
    if result.user.must_change_password:
        raise tokens.password_change_required()
    token, row = issued[0]
    return {
        "token": token,
        "token_type": "Bearer",
        "expires_at": row.expires_at,
        "tenant": tenant.slug if tenant else None,
        "username": result.user.username,
        "roles": result.user.role_list,
    }


@blp.delete("/token")
@blp.response(204)
@blp.alt_response(401, schema=ApiErrorSchema)
@blp.doc(security=[{"bearer": []}])
def revoke():
    """Revoke the bearer token sent with this request."""
    from tenant_app.auth import _bearer

    token = _bearer()
    if not token:
        abort(401)
    tenant_id = tokens.token_tenant_id(token)
    if tenant_id is None:
        row = tokens.resolve_token(token, province=True)
        if row is None:
            abort(401)
        tokens.revoke_token(row)
        return None
    tenant = db.session.execute(
        sa.select(Tenant).where(Tenant.id == tenant_id)
    ).scalar_one_or_none()
    if tenant is None:
        abort(401)
    with tenant_context(tenant):
        row = tokens.resolve_token(token, province=False)
        if row is None:
            abort(401)
        tokens.revoke_token(row)
    return None
