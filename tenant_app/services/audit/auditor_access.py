"""Which auditors may see results not yet published: listed and granted by a province admin.

Every change is an ``auditor.access_changed`` event on the province chain with before and after.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.users import ProvinceUser
from tenant_app.services.errors import NotFound, ServiceError


def auditors() -> list[ProvinceUser]:
    """Every auditor account, by name."""
    return list(
        db.session.execute(
            sa.select(ProvinceUser)
            .where(ProvinceUser.role == "auditor")
            .order_by(ProvinceUser.full_name, ProvinceUser.username)
        ).scalars()
    )


def set_sees_unpublished(user_id: int, allowed: bool, *, actor) -> ProvinceUser:
    """Grant or withdraw unpublished results for auditor ``user_id``; the caller commits.

    Raises ServiceError (403) unless ``actor`` is a province administrator, NotFound for an
    account that is not an auditor. A request that changes nothing records nothing.
    """
    if not actor.has_role("province_admin"):
        raise ServiceError(
            "forbidden", _("Chỉ quản trị cấp tỉnh mới cấp quyền xem kết quả."), status=403
        )
    user = db.session.get(ProvinceUser, user_id)
    if user is None or user.role != "auditor":
        raise NotFound("not_found", _("Không tìm thấy tài khoản thanh tra."))
    before = bool(user.sees_unpublished)
    if before == allowed:
        return user
    user.sees_unpublished = allowed
    audit.record(
        "auditor.access_changed",
        object_type="province_user",
        object_id=user.id,
        before={"username": user.username, "sees_unpublished": before},
        after={"username": user.username, "sees_unpublished": allowed},
        actor=actor,
        province=True,
    )
    return user
