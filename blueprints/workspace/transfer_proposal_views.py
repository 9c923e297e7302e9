"""Transfers by both unit administrators: propose a person to another unit, answer a proposal.

``/t/<slug>/transfers`` is the unit administrator's page: the unit's proposals both ways, a
form to propose one of the unit's people to another unit, and for each proposal received a form
to accept (choosing the division and position here) or to refuse with a reason. Every write goes
through ``tenancy.door.transfer_propose_write`` / ``transfer_answer_write``.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.workspace.common import bp
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.tenants import Tenant
from tenant_app.services.errors import ServiceError
from tenant_app.services.province import transfer_proposals
from tenant_app.tenancy.context import get_current_tenant
from tenant_app.tenancy.door import DoorRefused, transfer_answer_write, transfer_propose_write

admin_only = tenant_user_required("unit_admin")


def _page(status: int = 200):
    tenant = get_current_tenant()
    return render_template(
        "workspace/transfers.html",
        rows=transfer_proposals.proposals(),
        form=request.form if status != 200 else {},
        **transfer_proposals.form_choices(tenant),
    ), status


def _date(value):
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


@bp.get("/transfers")
@admin_only
def transfers_page():
    return _page()


def _done(call, success: str):
    try:
        call()
    except DoorRefused:
        abort(403)
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return _page(status=exc.status if exc.status not in (403,) else 400)
    flash(success, "success")
    return redirect(url_for("workspace.transfers_page"))


@bp.post("/transfers/propose")
@admin_only
def transfer_propose():
    tenant = get_current_tenant()
    target = db.session.get(Tenant, request.form.get("target", type=int) or 0)
    if target is None:
        flash(_("Cần chọn đơn vị chuyển đến."), "error")
        return _page(status=400)
    return _done(
        lambda: transfer_propose_write(
            tenant,
            target,
            staff_id=request.form.get("staff_id"),
            effective_on=_date(request.form.get("effective_on")),
            reference=request.form.get("reference", ""),
            reason=request.form.get("reason", ""),
            actor=current_user._get_current_object(),
        ),
        _("Đã gửi đề nghị chuyển công tác; đơn vị nhận sẽ xem xét."),
    )


@bp.post("/transfers/<proposal_id>/accept")
@admin_only
def transfer_accept(proposal_id: str):
    return _done(
        lambda: transfer_answer_write(
            get_current_tenant(),
            proposal_id,
            accept=True,
            org_unit_id=request.form.get("org_unit_id"),
            position_id=request.form.get("position_id"),
            actor=current_user._get_current_object(),
        ),
        _("Đã nhận người chuyển đến cùng kết quả đánh giá đã công khai."),
    )


@bp.post("/transfers/<proposal_id>/refuse")
@admin_only
def transfer_refuse(proposal_id: str):
    return _done(
        lambda: transfer_answer_write(
            get_current_tenant(),
            proposal_id,
            accept=False,
            refusal_reason=request.form.get("refusal_reason"),
            actor=current_user._get_current_object(),
        ),
        _("Đã từ chối đề nghị chuyển công tác."),
    )
