"""``/api/v1/t/<slug>/users``: the unit administrator manages the accounts of their own tenant."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.auth import api_token_required
from tenant_app.extensions import db
from tenant_app.models.users import User
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.users import (
    UserCreatedSchema,
    UserCreateSchema,
    UserListArgsSchema,
    UserSchema,
    UserUpdateSchema,
)
from tenant_app.services.workspace import accounts
from tenant_app.tenancy.resolve import make_tenant_blueprint
from tenant_app.web import page_list

blp = make_tenant_blueprint(
    Blueprint(
        "api_users",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>/users",
        description="Tài khoản người dùng của đơn vị (quản trị đơn vị)",
    )
)

_admin = api_token_required("unit_admin")


@blp.route("")
class Users(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(UserListArgsSchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List the tenant's accounts (filters: q, role, active; paginated)."""
        stmt = sa.select(User).order_by(User.username)
        if args["q"]:
            like = f"%{args['q'].lower()}%"
            stmt = stmt.where(
                sa.or_(sa.func.lower(User.full_name).like(like), User.username.like(like))
            )
        if args["active"] is not None:
            stmt = stmt.where(User.active.is_(args["active"]))
        rows = [
            u
            for u in db.session.execute(stmt).scalars()
            if not args["role"] or u.has_role(args["role"])
        ]
        return page_list(rows, pagination_parameters)

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserCreatedSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="username taken in this unit")
    def post(self, data):
        """Create an account; without a password a temporary one is generated and returned once."""
        user, password = accounts.create_user(**data)
        db.session.commit()
        user.temporary_password = password if data.get("password") is None else None
        return user


@blp.route("/<uuid:user_id>")
class UserById(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, UserSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, user_id):
        """Read one account of the tenant."""
        return accounts.get_user(user_id)

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def patch(self, data, user_id):
        """Change name, e-mail, roles, or disable/enable (disabling ends the user's sessions)."""
        user = accounts.get_user(user_id)
        accounts.update_user(user, actor=g.api_user, **data)
        db.session.commit()
        return user


@blp.route("/<uuid:user_id>/reset-password")
class UserPasswordReset(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, UserCreatedSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, user_id):
        """Give the account a new temporary password (returned once) and end its sessions."""
        user = accounts.get_user(user_id)
        password = accounts.reset_password(user)
        db.session.commit()
        user.temporary_password = password
        return user


@blp.route("/<uuid:user_id>/unlock")
class UserUnlock(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, UserSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, user_id):
        """Lift the holds that failed sign-ins put on the account, from every address (audited)."""
        user = accounts.get_user(user_id)
        accounts.unlock(user)
        db.session.commit()
        return user
