"""Workspace screens of the KPI catalogue: list with filters, forms, versions (administrators)."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from blueprints.workspace.common import bp
from blueprints.workspace.forms import ItemForm, form_data
from blueprints.workspace.helpers import or_404, paged, position_choices, unit_choices
from tenant_app.auth import tenant_user_required
from tenant_app.formatting import vn_short
from tenant_app.forms import ActionForm
from tenant_app.models.catalogue import CatalogueItem, ItemPosition, label
from tenant_app.services.workspace import catalogue, catalogue_dates
from tenant_app.web import saving

admin_only = tenant_user_required("unit_admin")
DETAILS = ("code", "name", "unit_of_measure", "description", "evidence_requirement",
           "org_unit_id", "position_ids")  # fmt: skip
VALUES = ("coefficient", "target", "band_low", "band_high", "cap_percent", "weight")
INDICATOR = ("direction", "scoring_method", "aggregation")


def _number(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


@bp.get("/catalogue")
@admin_only
def catalogue_list():
    keys = ("q", "kind", "position", "status")
    args = {k: (request.args.get(k) or "").strip()[:100] for k in keys}
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = sa.select(CatalogueItem).order_by(CatalogueItem.kind.desc(), CatalogueItem.code)
    if args["q"]:
        like = f"%{args['q'].lower()}%"
        stmt = stmt.where(
            sa.or_(sa.func.lower(CatalogueItem.name).like(like),
                   sa.func.lower(CatalogueItem.code).like(like))
        )  # fmt: skip
    if args["kind"] in ("work_item", "indicator"):
        stmt = stmt.where(CatalogueItem.kind == args["kind"])
    if args["status"] in ("active", "inactive"):
        stmt = stmt.where(CatalogueItem.active.is_(args["status"] == "active"))
    try:
        position_id = uuid.UUID(args["position"]) if args["position"] else None
    except ValueError:
        position_id = None
    if position_id is not None:
        applies = sa.select(ItemPosition.item_id).where(ItemPosition.position_id == position_id)
        stmt = stmt.where(CatalogueItem.id.in_(applies))
    rows, pages, total = paged(stmt, page)
    today = date.today()
    return render_template(
        "workspace/catalogue.html",
        rows=rows,
        current={i.id: catalogue.version_at(i, today) for i in rows},
        args=args,
        page=page,
        pages=pages,
        total=total,
        positions=position_choices(empty=_("Mọi vị trí")),
        number=vn_short,
        label=label,
    )


def _item_form(form: ItemForm) -> None:
    form.org_unit_id.choices = unit_choices(empty="—")
    form.position_ids.choices = position_choices()


def _data(form: ItemForm, kind: str) -> dict:
    names = DETAILS + VALUES + ("effective_from",) + (INDICATOR if kind == "indicator" else ())
    data = form_data(form, names)
    data["position_ids"] = form.position_ids.data or []
    if kind == "work_item":
        for name in VALUES[1:]:
            data.pop(name)  # a work item has only a coefficient; other inputs are ignored
    else:
        data.pop("coefficient")
    return data


@bp.route("/catalogue/new", methods=["GET", "POST"])
@admin_only
def item_new():
    form = ItemForm()
    _item_form(form)
    start = catalogue_dates.earliest_open_start()
    if request.method == "GET":
        form.effective_from.data = catalogue_dates.default_effective_from().isoformat()
    if form.validate_on_submit():
        with saving(form, fallback="name") as saved:
            catalogue.create_item({"kind": form.kind.data, **_data(form, form.kind.data)})
        if saved.ok:
            flash(_("Đã thêm mục %(name)s vào danh mục.", name=form.name.data), "success")
            return redirect(url_for("workspace.catalogue_list"))
    notes = []
    if start is not None:
        notes.append(
            _("Ngày hiệu lực mặc định là %(d)s, ngày bắt đầu kỳ đang mở: mục có hiệu lực từ ngày "
              "sau ngày bắt đầu kỳ sẽ không giao được trong kỳ đó.", d=start.strftime("%d/%m/%Y"))
        )  # fmt: skip
    return render_template("workspace/form.html", form=form, title=_("Thêm mục vào danh mục KPI"),
                           back=url_for("workspace.catalogue_list"), notes=notes)  # fmt: skip


@bp.route("/catalogue/<item_id>", methods=["GET", "POST"])
@admin_only
def item_edit(item_id: str):
    item = or_404(catalogue.get_item, item_id)
    form = ItemForm(obj=item if request.method == "GET" else None)
    _item_form(form)
    del form.kind
    latest = catalogue.latest_version(item)
    if request.method == "GET":
        form.org_unit_id.data = str(item.org_unit_id or "")
        form.position_ids.data = [str(p) for p in catalogue.position_ids(item)]
        for name in VALUES:
            getattr(form, name).data = _number(getattr(latest, name, None))
        for name in INDICATOR:
            getattr(form, name).data = getattr(item, name) or ""
    if form.validate_on_submit():
        with saving(form, fallback="name") as saved:
            catalogue.update_item(item, _data(form, item.kind))
        if saved.ok:
            flash(_("Đã lưu mục %(name)s.", name=item.name), "success")
            return redirect(url_for("workspace.catalogue_list"))
    day = "%d/%m/%Y"
    table = {
        "caption": _("Các phiên bản giá trị (phiên bản cũ giữ nguyên cho kỳ đã dùng)"),
        "head": [_("Từ ngày"), _("Hệ số"), _("Chỉ tiêu"), _("Cận dưới"), _("Cận trên"),
                 _("Trần (%)"), _("Trọng số")],
        "rows": [[v.effective_from.strftime(day)] + [vn_short(getattr(v, n)) for n in VALUES]
                 for v in catalogue.versions(item)],
    }  # fmt: skip
    notes = [
        _("Loại: %(kind)s · Nguồn: %(origin)s", kind=label(item.kind), origin=label(item.origin))
    ]
    notes.append(
        _("Để đổi ngày hiệu lực của phiên bản hiện hành, giữ nguyên giá trị và nhập ngày mới.")
    )
    if item.mandatory:
        notes.append(
            _("Mục bắt buộc theo mẫu của tỉnh (mã chuẩn %(code)s): không được xóa, ngừng sử dụng "
              "hay đổi chiều đánh giá, phương pháp chấm; hệ số/chỉ tiêu chỉ đổi trong khoảng "
              "mẫu cho phép.", code=item.canonical_code)
        )  # fmt: skip
    return render_template(
        "workspace/form.html",
        form=form,
        title=_("Mục KPI: %(name)s", name=item.name),
        back=url_for("workspace.catalogue_list"),
        table=table,
        notes=notes,
        deactivate=None
        if item.mandatory or not item.active
        else url_for("workspace.item_deactivate", item_id=item.id),
        action_form=ActionForm(),
    )


@bp.post("/catalogue/<item_id>/deactivate")
@admin_only
def item_deactivate(item_id: str):
    item = or_404(catalogue.get_item, item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with saving() as saved:
        catalogue.deactivate_item(item)
    if saved.ok:
        flash(_("Đã ngừng sử dụng mục %(name)s.", name=item.name), "success")
    return redirect(url_for("workspace.catalogue_list"))
