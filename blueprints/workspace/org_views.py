"""Workspace screens of the organisation chart and job positions (unit administrators)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from blueprints.workspace.common import bp
from blueprints.workspace.forms import OrgUnitForm, PositionForm, form_data
from blueprints.workspace.helpers import or_404, staff_choices, unit_choices
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.forms import ActionForm
from tenant_app.models.org import POSITION_GROUP_LABELS, JobPosition, OrgUnitRevision
from tenant_app.models.staff import StaffMember
from tenant_app.services.workspace import catalogue, org, positions, staff
from tenant_app.web import saving

admin_only = tenant_user_required("unit_admin")


@bp.get("/org")
@admin_only
def org_chart():
    rows = org.tree(include_inactive=True)
    heads = {
        s.id: s
        for s in db.session.execute(
            sa.select(StaffMember).where(
                StaffMember.id.in_([u.head_staff_id for u, _d in rows if u.head_staff_id])
            )
        ).scalars()
    }
    counts: dict = {}
    for post in staff.current_assignments().values():
        counts[post.org_unit_id] = counts.get(post.org_unit_id, 0) + 1
    return render_template("workspace/org_chart.html", rows=rows, heads=heads, counts=counts)


def _unit_form(form: OrgUnitForm, unit=None) -> None:
    form.parent_id.choices = [
        c for c in unit_choices(empty=_("(Cấp cao nhất)")) if unit is None or c[0] != str(unit.id)
    ]
    form.head_staff_id.choices = staff_choices()


@bp.route("/org/new", methods=["GET", "POST"])
@admin_only
def org_unit_new():
    form = OrgUnitForm()
    _unit_form(form)
    if form.validate_on_submit():
        with saving(form, fallback="name") as saved:
            org.create_org_unit(form_data(form, org.UNIT_FIELDS))
        if saved.ok:
            flash(_("Đã thêm đơn vị %(name)s.", name=form.name.data), "success")
            return redirect(url_for("workspace.org_chart"))
    return render_template("workspace/form.html", form=form, title=_("Thêm đơn vị"),
                           back=url_for("workspace.org_chart"))  # fmt: skip


@bp.route("/org/<unit_id>", methods=["GET", "POST"])
@admin_only
def org_unit_edit(unit_id: str):
    unit = or_404(org.get_org_unit, unit_id)
    form = OrgUnitForm(obj=unit if request.method == "GET" else None)
    _unit_form(form, unit)
    if request.method == "GET":
        form.parent_id.data = str(unit.parent_id or "")
        form.head_staff_id.data = str(unit.head_staff_id or "")
    if form.validate_on_submit():
        with saving(form, fallback="name") as saved:
            org.update_org_unit(unit, form_data(form, org.UNIT_FIELDS))
        if saved.ok:
            flash(_("Đã lưu đơn vị %(name)s.", name=unit.name), "success")
            return redirect(url_for("workspace.org_chart"))
    history = db.session.execute(
        sa.select(OrgUnitRevision)
        .where(OrgUnitRevision.org_unit_id == unit.id)
        .order_by(OrgUnitRevision.effective_from)
    ).scalars()
    names = dict(unit_choices())
    table = {
        "caption": _("Lịch sử tên và đơn vị cấp trên"),
        "head": [_("Từ ngày"), _("Tên đơn vị"), _("Đơn vị cấp trên")],
        "rows": [
            [r.effective_from.strftime("%d/%m/%Y"), r.name,
             names.get(str(r.parent_id), "—").strip()]
            for r in history
        ],
    }  # fmt: skip
    return render_template(
        "workspace/form.html",
        form=form,
        title=_("Đơn vị: %(name)s", name=unit.name),
        back=url_for("workspace.org_chart"),
        table=table,
        deactivate=url_for("workspace.org_unit_deactivate", unit_id=unit.id)
        if unit.active
        else None,
        action_form=ActionForm(),
    )


@bp.post("/org/<unit_id>/deactivate")
@admin_only
def org_unit_deactivate(unit_id: str):
    unit = or_404(org.get_org_unit, unit_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with saving() as saved:
        org.deactivate_org_unit(unit)
    if saved.ok:
        flash(_("Đơn vị %(name)s đã ngừng hoạt động.", name=unit.name), "success")
    return redirect(url_for("workspace.org_chart"))


@bp.get("/positions")
@admin_only
def positions_list():
    group = request.args.get("group") or ""
    stmt = sa.select(JobPosition).order_by(JobPosition.code)
    if group:
        stmt = stmt.where(JobPosition.position_group == group)
    rows = db.session.execute(stmt).scalars().all()
    items = catalogue.items_by_position([p.id for p in rows])
    holders: dict = {}
    for post in staff.current_assignments().values():
        holders[post.position_id] = holders.get(post.position_id, 0) + 1
    return render_template("workspace/positions.html", rows=rows, items=items, holders=holders,
                           group=group, groups=POSITION_GROUP_LABELS)  # fmt: skip


@bp.get("/positions/<position_id>")
@admin_only
def position_detail(position_id: str):
    position = or_404(positions.get_position, position_id)
    items = catalogue.items_by_position([position.id]).get(position.id, [])
    current = {i.id: catalogue.latest_version(i) for i in items}
    return render_template("workspace/position_detail.html", position=position, items=items,
                           current=current)  # fmt: skip


@bp.route("/positions/new", methods=["GET", "POST"])
@admin_only
def position_new():
    form = PositionForm()
    if form.validate_on_submit():
        with saving(form, fallback="name") as saved:
            positions.create_position(form_data(form, positions.POSITION_FIELDS))
        if saved.ok:
            flash(_("Đã thêm vị trí việc làm %(name)s.", name=form.name.data), "success")
            return redirect(url_for("workspace.positions_list"))
    return render_template("workspace/form.html", form=form, title=_("Thêm vị trí việc làm"),
                           back=url_for("workspace.positions_list"))  # fmt: skip


@bp.route("/positions/<position_id>/edit", methods=["GET", "POST"])
@admin_only
def position_edit(position_id: str):
    position = or_404(positions.get_position, position_id)
    form = PositionForm(obj=position if request.method == "GET" else None)
    if form.validate_on_submit():
        with saving(form, fallback="name") as saved:
            positions.update_position(position, form_data(form, positions.POSITION_FIELDS))
        if saved.ok:
            flash(_("Đã lưu vị trí việc làm %(name)s.", name=position.name), "success")
            return redirect(url_for("workspace.position_detail", position_id=position.id))
    return render_template(
        "workspace/form.html",
        form=form,
        title=_("Vị trí việc làm: %(name)s", name=position.name),
        back=url_for("workspace.position_detail", position_id=position.id),
    )
