"""The ``staff`` kind: people with their unit, position and manager, in and out of a workbook.

Managers may be people already in the unit or rows of the same file (above or below). Rows are
created in file order; managers that are further down the file are set in a second pass, all in
the import's one transaction.
"""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import fields, validate

from tenant_app.extensions import db
from tenant_app.formatting import vn_number
from tenant_app.models.org import JobPosition, OrgUnit
from tenant_app.models.staff import STAFF_TYPE_LABELS, STAFF_TYPES, StaffMember
from tenant_app.models.users import User
from tenant_app.services.errors import ServiceError
from tenant_app.services.files.cell_reading import RANK_PATTERN, CellKind
from tenant_app.services.files.import_registry import (
    MONEY_FORMAT,
    ROW_KEY,
    Column,
    Day,
    ExportKind,
    ImportKind,
    register_export,
    register_import,
)
from tenant_app.services.workspace import staff as staff_service
from tenant_app.services.workspace.fields import CODE_PATTERN

MAX_SALARY = staff_service.MAX_SALARY
# A monthly salary in đồng outside these is a slip (typed in millions, or digits too many):
# the lowest regional minimum wage is above 3 million, no public salary reaches a billion.
IMPORT_MIN_SALARY = 1_000_000
IMPORT_MAX_SALARY = 1_000_000_000

COLUMNS = (
    Column(
        "code",
        "Mã cán bộ",
        fields.String(validate=validate.Length(min=1, max=32)),
        required=True,
        help="Mã riêng của từng người, không trùng: chữ không dấu, số, dấu chấm, gạch ngang, "
        "gạch dưới (tối đa 32 ký tự).",
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
        "staff_type",
        "Loại",
        fields.String(validate=validate.Length(max=40)),
        required=True,
        help="Cán bộ; Công chức; Viên chức; Hợp đồng lao động "
        "(hoặc mã can_bo, cong_chuc, vien_chuc, hop_dong).",
    ),
    Column(
        "org_unit_code",
        "Mã đơn vị",
        fields.String(validate=validate.Length(max=32)),
        required=True,
        help="Mã của đơn vị công tác (bộ phận) đã có trong cơ cấu tổ chức.",
        reads=CellKind.CODE,
    ),
    Column(
        "position_code",
        "Mã vị trí việc làm",
        fields.String(validate=validate.Length(max=32)),
        required=True,
        help="Mã của vị trí việc làm đã có trong danh mục vị trí.",
        reads=CellKind.CODE,
    ),
    Column(
        "manager_code",
        "Mã người quản lý",
        fields.String(validate=validate.Length(max=32)),
        help="Mã cán bộ của người quản lý trực tiếp: người đã có trong đơn vị hoặc một dòng "
        "khác của tệp này. Có thể để trống.",
        reads=CellKind.CODE,
    ),
    Column(
        "quota_group",
        "Nhóm nhiệm vụ tương đồng",
        fields.String(validate=validate.Length(max=64)),
        help="Có thể để trống.",
    ),
    Column(
        "rank_code",
        "Mã ngạch",
        fields.String(validate=validate.Length(max=16)),
        help="Hai chữ số, dấu chấm, ba chữ số, ví dụ 01.003 (viên chức: V.07.01.03). Cột để "
        "định dạng Văn bản để giữ số 0 ở đầu. Có thể để trống.",
        reads=CellKind.RANK_CODE,
    ),
    Column(
        "monthly_salary",
        "Lương tháng",
        fields.Decimal(allow_nan=False),
        help="Số tiền bằng đồng, ví dụ 9.500.000 (từ 1.000.000 đến 1.000.000.000, hoặc 0). "
        "Có thể để trống.",
        number_format=MONEY_FORMAT,
    ),
    Column(
        "start_date",
        "Ngày bắt đầu",
        Day(),
        required=True,
        help="Ngày bắt đầu công tác tại vị trí: ngày/tháng/năm, ví dụ 01/07/2025.",
    ),
    Column(
        "username",
        "Tên đăng nhập",
        fields.String(validate=validate.Length(max=64)),
        help="Tài khoản đã có trong đơn vị để gắn với người này. Có thể để trống.",
        reads=CellKind.CODE,
    ),
)


def type_label(staff_type: str) -> str:
    """The Vietnamese label of ``staff_type`` (files are Vietnamese whatever the page language)."""
    with force_locale("vi"):
        return str(STAFF_TYPE_LABELS[staff_type])


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _type_lookup() -> dict[str, str]:
    lookup = {t: t for t in STAFF_TYPES}
    lookup.update({" ".join(t.split("_")): t for t in STAFF_TYPES})
    lookup.update({_norm(type_label(t)): t for t in STAFF_TYPES})
    lookup["hợp đồng"] = "hop_dong"
    return lookup


def _prepare() -> dict:
    units = {
        code: (uid, active)
        for uid, code, active in db.session.execute(
            sa.select(OrgUnit.id, OrgUnit.code, OrgUnit.active)
        ).all()
    }
    positions = {
        code: (pid, active)
        for pid, code, active in db.session.execute(
            sa.select(JobPosition.id, JobPosition.code, JobPosition.active)
        ).all()
    }
    users = {
        name.lower(): uid
        for uid, name in db.session.execute(sa.select(User.id, User.username)).all()
    }
    linked = set(
        db.session.execute(
            sa.select(StaffMember.user_id).where(StaffMember.user_id.isnot(None))
        ).scalars()
    )
    existing = dict(db.session.execute(sa.select(StaffMember.code, StaffMember.id)).all())
    return {
        "units": units,
        "positions": positions,
        "users": users,
        "linked": linked,
        "existing": existing,
        "seen": {},  # code -> row number, for rows of this file
        "usernames": {},  # username -> row number
        "managers": [],  # (row number, own code, manager code) still to resolve at the end
        "links": {},  # own code -> (row number, manager code), for every row with a manager
        "types": _type_lookup(),
    }


def _code_problem(value: str, label: str) -> str | None:
    if not re.match(CODE_PATTERN, value):
        return _(
            "%(label)s chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới.", label=label
        )
    return None


def _validate_row(row: dict, number: int, state: dict) -> list[tuple[str, str]]:
    problems = []
    code = row["code"].strip()
    row["code"] = code
    bad_code = _code_problem(code, _("Mã cán bộ"))
    if bad_code:
        problems.append(("code", bad_code))
    elif code in state["existing"]:
        problems.append(("code", _("Mã cán bộ %(code)s đã có trong đơn vị.", code=code)))
    elif code in state["seen"]:
        problems.append(("code", _("Trùng mã cán bộ với dòng %(row)d.", row=state["seen"][code])))
    else:
        state["seen"][code] = number

    staff_type = state["types"].get(_norm(row["staff_type"]))
    if staff_type is None:
        problems.append(
            (
                "staff_type",
                _("Loại không hợp lệ: dùng Cán bộ, Công chức, Viên chức hoặc Hợp đồng lao động."),
            )
        )
    row["staff_type"] = staff_type

    unit_code = row["org_unit_code"].strip()
    unit = state["units"].get(unit_code)
    if unit is None:
        problems.append(
            (
                "org_unit_code",
                _("Không có đơn vị mã %(code)s trong cơ cấu tổ chức.", code=unit_code),
            )
        )
    elif not unit[1]:
        problems.append(
            ("org_unit_code", _("Đơn vị mã %(code)s đã ngừng hoạt động.", code=unit_code))
        )
    row["org_unit_id"] = unit[0] if unit else None

    position_code = row["position_code"].strip()
    position = state["positions"].get(position_code)
    if position is None:
        problems.append(
            (
                "position_code",
                _("Không có vị trí việc làm mã %(code)s trong đơn vị.", code=position_code),
            )
        )
    row["position_id"] = position[0] if position else None

    manager = (row.get("manager_code") or "").strip() or None
    row["manager_code"] = manager
    if manager is not None:
        state["links"].setdefault(code, (number, manager))
        if manager == code:
            problems.append(
                ("manager_code", _("Người quản lý trực tiếp không được là chính người này."))
            )
        elif manager not in state["existing"] and manager not in state["seen"]:
            # maybe a row further down: checked once the whole file is read
            state["managers"].append((number, code, manager))

    salary = row.get("monthly_salary")
    if salary is not None and salary < 0:
        problems.append(("monthly_salary", _("Lương tháng không được âm.")))
    elif salary is not None and salary > MAX_SALARY:
        problems.append(("monthly_salary", _("Lương tháng quá lớn.")))
    elif salary and not IMPORT_MIN_SALARY <= salary <= IMPORT_MAX_SALARY:
        problems.append(
            (
                "monthly_salary",
                _(
                    "Lương tháng %(amount)s đồng nằm ngoài khoảng hợp lý (%(low)s đến "
                    "%(high)s đồng): ghi số tiền bằng đồng, ví dụ 9.500.000, không ghi theo triệu.",
                    amount=vn_number(salary, 0),
                    low=vn_number(IMPORT_MIN_SALARY, 0),
                    high=vn_number(IMPORT_MAX_SALARY, 0),
                ),
            )
        )

    for key in ("quota_group", "rank_code"):
        row[key] = (row.get(key) or "").strip() or None
    if row["rank_code"] and not RANK_PATTERN.match(row["rank_code"]):
        problems.append(
            (
                "rank_code",
                _(
                    "Mã ngạch %(code)s không đúng dạng mã ngạch: hai chữ số, dấu chấm, ba chữ số "
                    "(ví dụ 01.003), hoặc V.xx.xx.xx với viên chức (ví dụ V.07.01.03).",
                    code=row["rank_code"],
                ),
            )
        )

    username = (row.get("username") or "").strip().lower() or None
    row["username"] = username
    row["user_id"] = None
    if username is not None:
        user_id = state["users"].get(username)
        if user_id is None:
            problems.append(
                ("username", _("Không có tài khoản %(name)s trong đơn vị.", name=username))
            )
        elif user_id in state["linked"]:
            problems.append(("username", _("Tài khoản đã gắn với một nhân sự khác.")))
        elif username in state["usernames"]:
            problems.append(
                (
                    "username",
                    _("Trùng tên đăng nhập với dòng %(row)d.", row=state["usernames"][username]),
                )
            )
        else:
            state["usernames"][username] = number
            row["user_id"] = user_id
    return problems


def _finish(state: dict) -> list[tuple[int, str, str]]:
    """Managers named before their own row: they must be a row of the file, without a cycle."""
    problems = []
    for number, _code, manager in state["managers"]:
        if manager not in state["seen"]:
            problems.append(
                (
                    number,
                    "manager_code",
                    _(
                        "Không tìm thấy người quản lý mã %(code)s trong đơn vị hay trong tệp.",
                        code=manager,
                    ),
                )
            )
    links = {code: manager for code, (_n, manager) in state["links"].items()}
    for code, (number, manager) in state["links"].items():
        if manager == code:
            continue  # already reported on its row
        cursor, seen = manager, {code}
        while cursor is not None and cursor not in seen:
            seen.add(cursor)
            cursor = links.get(cursor)
        if cursor == code:
            problems.append(
                (
                    number,
                    "manager_code",
                    _("Người quản lý trực tiếp tạo thành vòng (quản lý lẫn nhau)."),
                )
            )
    return problems


def _row_error(row: dict, exc: ServiceError) -> ServiceError:
    return ServiceError(
        exc.code,
        _("Dòng %(row)d: %(message)s", row=row[ROW_KEY], message=exc.message),
        field=exc.field,
    )


def _commit(rows: list[dict]) -> dict:
    ids = dict(db.session.execute(sa.select(StaffMember.code, StaffMember.id)).all())
    later = []
    for row in rows:
        manager = row["manager_code"]
        data = {
            "code": row["code"],
            "full_name": row["full_name"],
            "staff_type": row["staff_type"],
            "org_unit_id": row["org_unit_id"],
            "position_id": row["position_id"],
            "start_date": row["start_date"],
            "user_id": row["user_id"],
            "manager_id": ids.get(manager) if manager else None,
            "quota_group": row["quota_group"],
            "rank_code": row["rank_code"],
            "monthly_salary": row["monthly_salary"],
        }
        try:
            person = staff_service.create_staff(data)
        except ServiceError as exc:
            raise _row_error(row, exc) from exc
        ids[person.code] = person.id
        if manager and data["manager_id"] is None:
            later.append((row, person))
    for row, person in later:  # managers further down the file exist now
        try:
            staff_service.update_staff(person, {"manager_id": ids[row["manager_code"]]})
        except (KeyError, ServiceError) as exc:
            if isinstance(exc, ServiceError):
                raise _row_error(row, exc) from exc
            raise _row_error(
                row, ServiceError("unknown_manager", _("Không tìm thấy người quản lý."))
            ) from exc
    db.session.flush()
    return {"created": len(rows)}


def _export_rows():
    today = date.today()
    people = (
        db.session.execute(
            sa.select(StaffMember)
            .where(sa.or_(StaffMember.end_date.is_(None), StaffMember.end_date >= today))
            .order_by(StaffMember.code)
        )
        .scalars()
        .all()
    )
    codes = dict(db.session.execute(sa.select(StaffMember.id, StaffMember.code)).all())
    posts = staff_service.current_assignments([p.id for p in people])
    # managers first, so that the file imports back in one pass
    order, placed = [], set()

    def place(person, trail=()):
        if person.id in placed or person.id in trail:
            return
        boss = by_id.get(person.manager_id)
        if boss is not None:
            place(boss, (*trail, person.id))
        placed.add(person.id)
        order.append(person)

    by_id = {p.id: p for p in people}
    for person in people:
        place(person)
    for person in order:
        post = posts.get(person.id)
        yield {
            "code": person.code,
            "full_name": person.full_name,
            "staff_type": type_label(person.staff_type),
            "org_unit_code": post.org_unit.code if post else None,
            "position_code": post.position.code if post else None,
            "manager_code": codes.get(person.manager_id),
            "quota_group": person.quota_group,
            "rank_code": person.rank_code,
            "monthly_salary": None if person.monthly_salary is None else int(person.monthly_salary),
            "start_date": person.start_date,
            "username": person.user.username if person.user else None,
        }


# Codes that load as they are into a new ward: org units of the org_units sample, positions of the
# province's demo template (the onboarding wizard fills in the ward's own position codes).
EXAMPLES = (
    {
        "code": "CB001",
        "full_name": "Nguyễn Văn An",
        "staff_type": "Công chức",
        "org_unit_code": "UBND",
        "position_code": "LD01",
        "manager_code": "",
        "quota_group": "",
        "rank_code": "01.002",
        "monthly_salary": 12000000,
        "start_date": "01/07/2025",
        "username": "",
    },
    {
        "code": "CB002",
        "full_name": "Trần Thị Bình",
        "staff_type": "Viên chức",
        "org_unit_code": "VP",
        "position_code": "CM01",
        "manager_code": "CB001",
        "quota_group": "Văn thư",
        "rank_code": "01.003",
        "monthly_salary": 9000000,
        "start_date": "01/07/2025",
        "username": "",
    },
)

register_import(
    ImportKind(
        name="staff",
        label="Nhân sự",
        columns=COLUMNS,
        prepare=_prepare,
        validate_row=_validate_row,
        finish=_finish,
        commit=_commit,
        examples=EXAMPLES,
    )
)

register_export(ExportKind(name="staff", label="Nhân sự", columns=COLUMNS, rows=_export_rows))
