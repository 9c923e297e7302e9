"""The ``users`` kind: tenant accounts in and out of a workbook (username, name, e-mail, roles,
and optionally the staff record the account belongs to).

Imported accounts get a random password nobody sees: the commit summary lists their ids
(``user_ids``) so that whoever imported them can issue one-time set-password links.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import fields, validate

from tenant_app.extensions import db
from tenant_app.models.staff import StaffMember
from tenant_app.models.users import ROLE_LABELS, TENANT_ROLES, User
from tenant_app.services.errors import ServiceError
from tenant_app.services.files.cell_reading import CellKind
from tenant_app.services.files.import_registry import (
    ROW_KEY,
    Column,
    ExportKind,
    ImportKind,
    register_export,
    register_import,
)
from tenant_app.services.workspace import accounts
from tenant_app.services.workspace import staff as staff_service

USERNAME_PATTERN = r"^[A-Za-z0-9._-]+$"

COLUMNS = (
    Column(
        "username",
        "Tên đăng nhập",
        fields.String(validate=[validate.Length(min=3, max=64), validate.Regexp(USERNAME_PATTERN)]),
        required=True,
        help="3–64 ký tự: chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang; không trùng.",
        reads=CellKind.CODE,
    ),
    Column(
        "full_name",
        "Họ và tên",
        fields.String(validate=validate.Length(min=1, max=120)),
        required=True,
        help="Họ và tên đầy đủ, có dấu.",
    ),
    Column(
        "email",
        "Thư điện tử",
        fields.Email(validate=validate.Length(max=254)),
        help="Có thể để trống.",
    ),
    Column(
        "roles",
        "Vai trò",
        fields.String(validate=validate.Length(max=200)),
        required=True,
        help="Một hoặc nhiều vai trò, cách nhau bằng dấu chấm phẩy (;): Quản trị đơn vị "
        "(unit_admin); Lãnh đạo, quản lý (manager); Cán bộ, công chức (staff).",
    ),
)
STAFF_COLUMN = Column(
    "staff_code",
    "Mã cán bộ",
    fields.String(validate=validate.Length(max=32)),
    help="Mã cán bộ của hồ sơ nhân sự đã có trong đơn vị để gắn với tài khoản này. "
    "Có thể để trống.",
    reads=CellKind.CODE,
)


def role_label(role: str) -> str:
    """The Vietnamese label of ``role``: files are in Vietnamese whatever the page language."""
    with force_locale("vi"):
        return str(ROLE_LABELS[role])


def _role_lookup() -> dict[str, str]:
    lookup = {r: r for r in TENANT_ROLES}
    lookup.update({" ".join(r.split("_")): r for r in TENANT_ROLES})
    lookup.update({" ".join(role_label(r).split()).casefold(): r for r in TENANT_ROLES})
    return lookup


def parse_roles(text: str, lookup: dict[str, str] | None = None) -> list[str] | None:
    """Return the role codes named in ``text`` (labels or codes, ';'-separated), or None."""
    lookup = lookup or _role_lookup()
    roles = []
    for part in (text or "").split(";"):
        part = " ".join(part.split()).casefold()
        if not part:
            continue
        if part not in lookup:
            return None
        roles.append(lookup[part])
    return list(dict.fromkeys(roles)) or None


def _prepare() -> dict:
    existing = set(db.session.execute(sa.select(User.username)).scalars())
    staff = {
        code: user_id
        for code, user_id in db.session.execute(sa.select(StaffMember.code, StaffMember.user_id))
    }
    return {"existing": existing, "seen": {}, "roles": _role_lookup(), "staff": staff, "linked": {}}


def _validate_row(row: dict, number: int, state: dict) -> list[tuple[str, str]]:
    problems = []
    username = row["username"].strip().lower()
    row["username"] = username
    if username in state["existing"]:
        problems.append(("username", _("Tên đăng nhập đã có trong đơn vị.")))
    elif username in state["seen"]:
        problems.append(
            ("username", _("Trùng tên đăng nhập với dòng %(row)d.", row=state["seen"][username]))
        )
    else:
        state["seen"][username] = number
    roles = parse_roles(row["roles"], state["roles"])
    if roles is None:
        problems.append(
            ("roles", _("Vai trò không hợp lệ: dùng %(roles)s.", roles=", ".join(TENANT_ROLES)))
        )
    else:
        row["roles"] = roles
    staff_code = (row.get("staff_code") or "").strip() or None
    row["staff_code"] = staff_code
    if staff_code is not None:
        if staff_code not in state["staff"]:
            problems.append(
                ("staff_code", _("Không có nhân sự mã %(code)s trong đơn vị.", code=staff_code))
            )
        elif state["staff"][staff_code] is not None:
            problems.append(("staff_code", _("Nhân sự này đã có tài khoản.")))
        elif staff_code in state["linked"]:
            problems.append(
                (
                    "staff_code",
                    _("Trùng mã cán bộ với dòng %(row)d.", row=state["linked"][staff_code]),
                )
            )
        else:
            state["linked"][staff_code] = number
    return problems


def _commit(rows: list[dict]) -> dict:
    created = []
    for row in rows:
        try:
            user, _password = accounts.create_user(
                username=row["username"],
                full_name=row["full_name"],
                email=row["email"],
                roles=row["roles"],
            )
            if row.get("staff_code"):
                person = db.session.execute(
                    sa.select(StaffMember).where(StaffMember.code == row["staff_code"])
                ).scalar_one()
                staff_service.update_staff(person, {"user_id": user.id})
            created.append(str(user.id))
        except ServiceError as exc:
            raise ServiceError(
                exc.code,
                _("Dòng %(row)d: %(message)s", row=row[ROW_KEY], message=exc.message),
                field=exc.field,
            ) from exc
    return {"created": len(rows), "user_ids": created}


def _export_rows():
    for user in db.session.execute(sa.select(User).order_by(User.username)).scalars():
        yield {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "roles": "; ".join(role_label(r) for r in user.role_list),
            "active": "Có" if user.active else "Không",
        }


register_import(
    ImportKind(
        name="users",
        label="Tài khoản",
        columns=(*COLUMNS, STAFF_COLUMN),
        prepare=_prepare,
        validate_row=_validate_row,
        commit=_commit,
        # the two people of the staff sample; the onboarding wizard's sample, loaded after the
        # staff sample, also fills in their staff codes
        examples=(
            {
                "username": "nguyen.van.an",
                "full_name": "Nguyễn Văn An",
                "email": "an.nv@example.gov.vn",
                "roles": "Lãnh đạo, quản lý; Cán bộ, công chức",
                "staff_code": "",
            },
            {
                "username": "tran.thi.binh",
                "full_name": "Trần Thị Bình",
                "email": "",
                "roles": "Cán bộ, công chức",
                "staff_code": "",
            },
        ),
    )
)

register_export(
    ExportKind(
        name="users",
        label="Tài khoản",
        columns=(
            *COLUMNS,
            Column("active", "Đang hoạt động", fields.String(), help="Có hoặc Không."),
        ),
        rows=_export_rows,
    )
)
