"""``/api/v1/t/<slug>/me``: who the bearer token belongs to."""

from flask import g
from flask_smorest import Blueprint

from tenant_app.auth import api_token_required
from tenant_app.schemas.users import UserSchema
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_me", __name__, url_prefix="/api/v1/t/<tenant_slug>", description="Tài khoản hiện tại"
    )
)


@blp.get("/me")
@blp.doc(security=[{"bearer": []}])
@api_token_required()
@blp.response(200, UserSchema)
def me():
    """The account the bearer token was issued to."""
    return g.api_user
