"""Workspace screens of staff: the administrator's list and forms, the manager's own team."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.workspace.common import bp
from blueprints.workspace.forms import StaffForm, form_data
from blueprints.workspace.helpers import (
    or_404,
    paged,
    position_choices,
    staff_choices,
    unit_choices,
    user_choices,
)
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.staff import STAFF_TYPE_LABELS, StaffAssignment, StaffMember
from tenant_app.services.province import transfer_records
from tenant_app.services.workspace import catalogue, org, staff
from tenant_app.web import saving


def _uuid(text: str):
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def _posted(stmt, unit_ids=None, position_id=None):
    """Keep people whose current post is in ``unit_ids`` and/or holds ``position_id``."""
    posts = sa.select(StaffAssignment.staff_id).where(StaffAssignment.effective_to.is_(None))
    if unit_ids is not None:
        posts = posts.where(StaffAssignment.org_unit_id.in_(list(unit_ids)))
    if position_id is not None:
        posts = posts.where(StaffAssignment.position_id == position_id)
    return stmt.where(StaffMember.id.in_(posts))


@bp.get("/staff")
@tenant_user_required("unit_admin")
def staff_list():
    keys = ("q", "unit", "position", "type", "status")
    args = {k: (request.args.get(k) or "").strip()[:100] for k in keys}
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = sa.select(StaffMember).order_by(StaffMember.full_name, StaffMember.code)
    if args["q"]:
        like = f"%{args['q'].lower()}%"
        stmt = stmt.where(
            sa.or_(sa.func.lower(StaffMember.full_name).like(like),
                   sa.func.lower(StaffMember.code).like(like),
                   sa.func.lower(StaffMember.quota_group).like(like))
        )  # fmt: skip
    unit_id, position_id = _uuid(args["unit"]), _uuid(args["position"])
    if unit_id is not None or position_id is not None:
        units = org.subtree_ids([unit_id]) if unit_id is not None else None
        stmt = _posted(stmt, units, position_id)
    if args["type"] in STAFF_TYPE_LABELS:
        stmt = stmt.where(StaffMember.staff_type == args["type"])
    if args["status"] == "active":
        stmt = stmt.where(StaffMember.end_date.is_(None))
    elif args["status"] == "left":
        stmt = stmt.where(StaffMember.end_date.isnot(None))
    rows, pages, total = paged(stmt, page)
    return render_template(
        "workspace/staff.html",
        rows=rows,
        posts=staff.current_assignments([s.id for s in rows]),
        moves=transfer_records.notes_of([s.id for s in rows]),
        args=args,
        page=page,
        pages=pages,
        total=total,
        units=unit_choices(empty=_("Mọi đơn vị")),
        positions=position_choices(empty=_("Mọi vị trí")),
        types=STAFF_TYPE_LABELS,
    )


def _staff_form(form: StaffForm, person=None) -> None:
    form.org_unit_id.choices = unit_choices(empty="—")
    form.position_id.choices = position_choices(empty="—")
    form.manager_id.choices = staff_choices(exclude=person.id if person else None)
    form.user_id.choices = user_choices()


def _history_table(person) -> dict:
    rows = db.session.execute(
        sa.select(StaffAssignment)
        .where(StaffAssignment.staff_id == person.id)
        .order_by(StaffAssignment.effective_from)
    ).scalars()
    day = "%d/%m/%Y"
    return {
        "caption": _("Quá trình công tác (đơn vị, vị trí việc làm)"),
        "head": [_("Từ ngày"), _("Đến trước ngày"), _("Đơn vị"), _("Vị trí việc làm"),
                 _("Quyết định")],
        "rows": [
            [a.effective_from.strftime(day),
             a.effective_to.strftime(day) if a.effective_to else "—",
             a.org_unit.name, a.position.name, a.decision_ref or ""]
            for a in rows
        ],
    }  # fmt: skip


@bp.route("/staff/new", methods=["GET", "POST"])
@tenant_user_required("unit_admin")
def staff_new():
    form = StaffForm()
    _staff_form(form)
    del form.effective_from
    if form.validate_on_submit():
        names = [n for n in staff.STAFF_FIELDS if n != "effective_from"]
        with saving(form, fallback="full_name") as saved:
            staff.create_staff(form_data(form, names))
        if saved.ok:
            flash(_("Đã thêm nhân sự %(name)s.", name=form.full_name.data), "success")
            return redirect(url_for("workspace.staff_list"))
    return render_template("workspace/form.html", form=form, title=_("Thêm nhân sự"),
                           back=url_for("workspace.staff_list"))  # fmt: skip


@bp.route("/staff/<staff_id>", methods=["GET", "POST"])
@tenant_user_required("unit_admin")
def staff_edit(staff_id: str):
    person = or_404(staff.get_staff, staff_id)
    form = StaffForm(obj=person if request.method == "GET" else None)
    _staff_form(form, person)
    if request.method == "GET":
        post = staff.current_assignment(person.id)
        form.org_unit_id.data = str(post.org_unit_id) if post else ""
        form.position_id.data = str(post.position_id) if post else ""
        form.manager_id.data = str(person.manager_id or "")
        form.user_id.data = str(person.user_id or "")
        form.monthly_salary.data = (
            "" if person.monthly_salary is None else f"{person.monthly_salary:f}"
        )
        form.start_date.data = person.start_date.isoformat()
        form.end_date.data = person.end_date.isoformat() if person.end_date else ""
        form.decision_ref.data = ""
    if form.validate_on_submit():
        with saving(form, fallback="full_name") as saved:
            staff.update_staff(person, form_data(form, staff.STAFF_FIELDS))
        if saved.ok:
            flash(_("Đã lưu nhân sự %(name)s.", name=person.full_name), "success")
            return redirect(url_for("workspace.staff_list"))
    return render_template(
        "workspace/form.html",
        form=form,
        title=_("Nhân sự: %(name)s", name=person.full_name),
        back=url_for("workspace.staff_list"),
        table=_history_table(person),
        notes=transfer_records.notes_of([person.id]).get(person.id, []),
        links=[
            {
                "url": url_for("workspace.staff_income", staff_id=person.id),
                "text": _("Quá trình lương và chức vụ kiêm nhiệm"),
            },
            {
                "url": url_for("workspace.absences_page", staff=person.id),
                "text": _("Nghỉ phép, vắng mặt của người này"),
            },
            {
                "url": url_for("workspace.deputy_fields_page", staff_id=person.id),
                "text": _("Lĩnh vực phụ trách (cấp phó)"),
            },
        ],
    )


@bp.get("/team")
@tenant_user_required("manager")
def team():
    """The manager's people (their unit subtree) and the catalogue items of each one's position."""
    units = staff.managed_unit_ids(current_user)
    rows = []
    if units:
        stmt = _posted(
            sa.select(StaffMember)
            .where(StaffMember.end_date.is_(None))
            .order_by(StaffMember.full_name),
            units,
        )
        rows = db.session.execute(stmt).scalars().all()
    posts = staff.current_assignments([s.id for s in rows])
    items = catalogue.items_by_position({p.position_id for p in posts.values()})
    return render_template(
        "workspace/team.html",
        rows=rows,
        posts=posts,
        items=items,
        linked=staff.staff_for_user(current_user) is not None,
    )
