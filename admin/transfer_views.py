"""Transfers between units in the province console (``/admin/transfers``).

Administrators choose the old and the new unit, then the person, the post in the new unit, the
date, the decision and the reason; a preview (read through ``read_one_tenant`` in each unit)
shows the results that move and the work that stays; the confirmation writes through
``tenancy.door.transfer_write`` and redirects (POST/redirect/GET). The list page also shows the
proposals between unit administrators still waiting for an answer, read across units through
``cross_tenant_read``; auditors see that page (without the form) and nothing else here.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from tenant_app.errors import translate_validation
from tenant_app.forms import ActionForm
from tenant_app.models.evaluation import label as period_label
from tenant_app.schemas.transfers import TransferSchema
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.province import (
    tenants,
    transfer_proposals,
    transfer_reads,
    transfer_records,
    transfers,
)
from tenant_app.tenancy.door import (
    DoorRefused,
    cross_tenant_read,
    read_one_tenant,
    transfer_write,
)

bp = Blueprint("admin_transfers", __name__, url_prefix="/admin")

FIELDS = (
    "source", "target", "staff_id", "effective_on", "org_unit_id", "position_id", "reference",
    "reason",
)  # fmt: skip


# The one page an auditor reads here; every other route is the administrator's.
READ_ONLY = ("admin_transfers.index",)


@bp.before_request
def _province_roles_only():
    from tenant_app.auth import province_user_required

    roles = ("province_admin", "auditor") if request.endpoint in READ_ONLY else ("province_admin",)
    return province_user_required(*roles)(lambda: None)()


def _check_csrf() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _serving() -> list:
    return tenants.list_serving()


def _unit(slug: str | None):
    try:
        return tenants.get_serving(slug or "")
    except NotFound:
        return None


@bp.get("/transfers")
def index():
    may_transfer = current_user.has_role("province_admin")
    with cross_tenant_read("transfer proposals waiting between units", actor=_actor()):
        waiting = transfer_proposals.waiting_between_units()
    return render_template(
        "admin/transfers.html",
        may_transfer=may_transfer,
        units=_serving() if may_transfer else [],
        recent=transfer_records.recent(),
        waiting=waiting,
        chosen={"source": request.args.get("source", ""), "target": request.args.get("target", "")},
    )


def _actor():
    return current_user._get_current_object()


def _form(source, target, values: dict, errors: dict, status: int = 200):
    """The detail form: people of ``source``, posts of ``target`` (each read through the door)."""
    with read_one_tenant(source, "transfer form", actor=_actor()):
        people = [(str(p.id), f"{p.full_name} ({p.code})") for p in transfer_reads.movable_people()]
    with read_one_tenant(target, "transfer form", actor=_actor()):
        units, posts = transfer_reads.destinations()
        units = [(str(u.id), f"{u.name} ({u.code})") for u in units]
        posts = [(str(p.id), f"{p.name} ({p.code})") for p in posts]
    return render_template(
        "admin/transfer_form.html",
        source=source,
        target=target,
        people=people,
        org_units=units,
        positions=posts,
        values=values,
        errors=errors,
        action_form=ActionForm(),
    ), status


@bp.get("/transfers/new")
def new():
    source, target = _unit(request.args.get("source")), _unit(request.args.get("target"))
    if source is None or target is None:
        flash(_("Cần chọn đơn vị chuyển đi và đơn vị chuyển đến đang hoạt động."), "error")
        return redirect(url_for(".index"))
    if source.id == target.id:
        flash(_("Đơn vị chuyển đến phải khác đơn vị chuyển đi."), "error")
        return redirect(url_for(".index", source=source.slug))
    return _form(source, target, {"source": source.slug, "target": target.slug}, {})


def _load():
    """(source, target, values, data, errors): the posted values through the schema."""
    values = {name: (request.form.get(name) or "").strip() for name in FIELDS}
    source, target = _unit(values["source"]), _unit(values["target"])
    if source is None or target is None:
        abort(404)
    try:
        data = TransferSchema().load(values)
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in translate_validation(exc.messages).items()}
        return source, target, values, None, errors
    return source, target, values, data, {}


def _refused(source, target, values, exc: ServiceError):
    flash(exc.message, "error")
    return _form(source, target, values, {exc.field or "form": exc.message}, 400)


@bp.post("/transfers/preview")
def preview():
    _check_csrf()
    source, target, values, data, errors = _load()
    if data is None:
        return _form(source, target, values, errors, 400)
    try:
        req = transfers.check_request(**_request_args(data))
        if source.id == target.id:
            raise ServiceError(
                "same_unit", _("Đơn vị chuyển đến phải khác đơn vị chuyển đi."), field="target"
            )
        with read_one_tenant(source, "transfer preview", actor=_actor()):
            leaving = transfer_reads.departure(req.staff_id, req.effective_on)
        with read_one_tenant(target, "transfer preview", actor=_actor()):
            arrival = transfer_reads.check_arrival(
                leaving, req.org_unit_id, req.position_id, unit_name=target.name
            )
    except ServiceError as exc:
        return _refused(source, target, values, exc)
    return render_template(
        "admin/transfer_preview.html",
        source=source,
        target=target,
        values=values,
        leaving=leaving,
        arrival=arrival,
        last_day=leaving.effective_on - timedelta(days=1),
        period_status=period_label,
        action_form=ActionForm(),
    )


def _request_args(data: dict) -> dict:
    return {k: data[k] for k in FIELDS if k not in ("source", "target")}


@bp.post("/transfers/confirm")
def confirm():
    _check_csrf()
    source, target, values, data, errors = _load()
    if data is None:
        return _form(source, target, values, errors, 400)
    if request.form.get("confirm") != "yes":
        flash(_("Cần đánh dấu xác nhận trước khi chuyển."), "error")
        return _form(source, target, values, {"confirm": _("Cần đánh dấu xác nhận.")}, 400)
    try:
        _tid, person = transfer_write(source, target, actor=_actor(), **_request_args(data))
    except DoorRefused:
        abort(403)
    except ServiceError as exc:
        return _refused(source, target, values, exc)
    flash(
        _(
            "Đã chuyển %(name)s từ %(a)s đến %(b)s, hiệu lực từ %(d)s.",
            name=person.full_name,
            a=source.name,
            b=target.name,
            d=data["effective_on"].strftime("%d/%m/%Y"),
        ),
        "success",
    )
    return redirect(url_for(".index"))
