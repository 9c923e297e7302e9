"""Transfers by both unit administrators: propose a person to another unit, answer a proposal.

``/t/<slug>/transfers`` is the unit administrator's page: the unit's proposals both ways, a
form to propose one of the unit's people to another unit, and for each proposal received a form
to accept (choosing the division and position here) or to refuse with a reason. The posted
values go through the schemas of ``tenant_app.schemas.transfer_proposals`` (``load_form``): a
refused form comes back with its values and the message next to the field. Every write goes
through ``tenancy.door.transfer_propose_write`` / ``transfer_answer_write``.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from blueprints.workspace.common import bp
from blueprints.workspace.forms import DATE
from tenant_app.auth import tenant_user_required
from tenant_app.schemas.transfer_proposals import (
    TransferAcceptSchema,
    TransferProposeSchema,
    TransferRefuseSchema,
)
from tenant_app.services.errors import ServiceError
from tenant_app.services.province import transfer_proposals
from tenant_app.tenancy.context import get_current_tenant
from tenant_app.tenancy.door import DoorRefused, transfer_answer_write, transfer_propose_write
from tenant_app.web import load_form, or_404, saving

admin_only = tenant_user_required("unit_admin")

PROPOSE_FIELDS = ("staff_id", "target", "effective_on", "reference", "reason")
ACCEPT_FIELDS = ("org_unit_id", "position_id")
REFUSE_FIELDS = ("refusal_reason",)


class ProposeForm(FlaskForm):
    """Rendering and CSRF only: the values are checked by ``TransferProposeSchema`` and the door."""

    staff_id = SelectField(_l("Người được chuyển"), validate_choice=False)
    target = SelectField(_l("Đơn vị chuyển đến"), validate_choice=False)
    effective_on = StringField(_l("Ngày hiệu lực"), render_kw=DATE)
    reference = StringField(_l("Số quyết định điều động, luân chuyển"))
    reason = TextAreaField(_l("Lý do"))
    submit = SubmitField(_l("Gửi đề nghị"))


class AcceptForm(FlaskForm):
    """Rendering and CSRF only: checked by ``TransferAcceptSchema`` and the door."""

    org_unit_id = SelectField(_l("Đơn vị công tác"), validate_choice=False)
    position_id = SelectField(_l("Vị trí việc làm"), validate_choice=False)
    submit = SubmitField(_l("Đồng ý nhận"))


class RefuseForm(FlaskForm):
    """Rendering and CSRF only: checked by ``TransferRefuseSchema`` and the door."""

    refusal_reason = StringField(_l("Lý do từ chối (ít nhất 10 ký tự)"))
    submit = SubmitField(_l("Từ chối"))


def _unique_ids(form, suffix: str):
    """Give ``form``'s fields ids of their own (several answer forms share the page)."""
    for field in form:
        field.id = f"{field.name}-{suffix}"
        field.label.field_id = field.id
    return form


def _page(*, propose=None, answered=None, status: int = 200):
    """The page; ``propose`` the posted proposal form, ``answered`` (proposal id, accept form,
    refuse form) the posted answer, each kept with its values and messages."""
    choices = transfer_proposals.form_choices(get_current_tenant())
    propose = propose or ProposeForm(formdata=None)
    propose.staff_id.choices = [(str(p.id), f"{p.full_name} ({p.code})") for p in choices["people"]]
    propose.target.choices = [(t.slug, t.name) for t in choices["targets"]]
    rows = transfer_proposals.proposals()
    answers = {}
    for row in rows:
        if row.side != "in" or row.status != "proposed":
            continue
        key = str(row.proposal_id)
        accept, refuse = AcceptForm(formdata=None), RefuseForm(formdata=None)
        if answered is not None and answered[0] == key:
            accept, refuse = answered[1] or accept, answered[2] or refuse
        accept.org_unit_id.choices = [(str(u.id), u.name) for u in choices["units"]]
        accept.position_id.choices = [(str(p.id), p.name) for p in choices["positions"]]
        answers[key] = (_unique_ids(accept, f"a-{key}"), _unique_ids(refuse, f"r-{key}"))
    return render_template(
        "workspace/transfers.html", rows=rows, propose=propose, answers=answers
    ), status


def _failed(form) -> bool:
    return bool(form.form_errors) or any(field.errors for field in form)


@bp.get("/transfers")
@admin_only
def transfers_page():
    return _page()


@bp.post("/transfers/propose")
@admin_only
def transfer_propose():
    form = ProposeForm()
    if form.validate_on_submit():
        data = load_form(  # an empty field is one not filled in
            form, TransferProposeSchema(), PROPOSE_FIELDS, blank_to_none=PROPOSE_FIELDS
        )
        if data is not None:
            try:
                with saving(form, fallback="reason") as saved:
                    transfer_propose_write(
                        get_current_tenant(),
                        transfer_proposals.target_unit(data.pop("target")),
                        actor=current_user._get_current_object(),
                        **data,
                    )
            except DoorRefused:
                abort(403)
            if saved.ok:
                flash(_("Đã gửi đề nghị chuyển công tác; đơn vị nhận sẽ xem xét."), "success")
                return redirect(url_for("workspace.transfers_page"))
    return _page(propose=form, status=400 if _failed(form) else 200)


def _answer(proposal_id: str, form, schema, fields, *, accept: bool, success: str):
    """Load ``form`` through ``schema`` and answer the proposal; the page again on a refusal.

    404 for a proposal this unit did not receive; one answered meanwhile is said so."""
    row = or_404(transfer_proposals.side_of, proposal_id)
    if row.side != "in":  # the unit's own proposal: not its to answer
        abort(404)
    try:
        transfer_proposals.pending_side(row.proposal_id)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("workspace.transfers_page"))
    key = str(row.proposal_id)
    if form.validate_on_submit():
        data = load_form(form, schema, fields, blank_to_none=fields)  # empty: not chosen
        if data is not None:
            try:
                with saving(form) as saved:
                    transfer_answer_write(
                        get_current_tenant(),
                        row.proposal_id,
                        accept=accept,
                        actor=current_user._get_current_object(),
                        **data,
                    )
            except DoorRefused:
                abort(403)
            if saved.ok:
                flash(success, "success")
                return redirect(url_for("workspace.transfers_page"))
            if saved.error is not None and saved.error.code == "already_answered":
                # Answered meanwhile: its form is gone from the page, so the message is flashed.
                flash(saved.error.message, "error")
                return redirect(url_for("workspace.transfers_page"))
    answered = (key, form, None) if accept else (key, None, form)
    return _page(answered=answered, status=400 if _failed(form) else 200)


@bp.post("/transfers/<proposal_id>/accept")
@admin_only
def transfer_accept(proposal_id: str):
    return _answer(
        proposal_id,
        AcceptForm(),
        TransferAcceptSchema(),
        ACCEPT_FIELDS,
        accept=True,
        success=_("Đã nhận người chuyển đến cùng kết quả đánh giá đã công khai."),
    )


@bp.post("/transfers/<proposal_id>/refuse")
@admin_only
def transfer_refuse(proposal_id: str):
    return _answer(
        proposal_id,
        RefuseForm(),
        TransferRefuseSchema(),
        REFUSE_FIELDS,
        accept=False,
        success=_("Đã từ chối đề nghị chuyển công tác."),
    )
