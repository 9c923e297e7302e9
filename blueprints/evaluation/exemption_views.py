"""Miễn trừ chờ duyệt: the approver the period names (``Params.exemption_approver``) decides
the objective-cause exemptions reviewers proposed, seeing the reason and the proof."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import SubmitField, TextAreaField

from blueprints.evaluation.common import bp
from tenant_app.auth import tenant_user_required
from tenant_app.errors import translate_validation
from tenant_app.schemas.evaluation import ExemptionDecisionSchema
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import exemptions
from tenant_app.web import saving


class ExemptionDecisionForm(FlaskForm):
    """Rendering and CSRF; the values go through ``ExemptionDecisionSchema`` and the service."""

    comment = TextAreaField(_l("Ý kiến (bắt buộc khi không duyệt)"))
    approve = SubmitField(_l("Duyệt miễn trừ"))
    refuse = SubmitField(_l("Không duyệt"))


def _decision(form: ExemptionDecisionForm) -> dict | None:
    """The decision the pressed button and the comment say, checked by the API's schema."""
    if not (form.approve.data or form.refuse.data):
        form.form_errors.append(_("Chọn “Duyệt miễn trừ” hoặc “Không duyệt”."))
        return None
    raw = {"approve": bool(form.approve.data), "comment": form.comment.data or None}
    try:
        return ExemptionDecisionSchema().load(raw)
    except ValidationError as exc:
        for messages in translate_validation(exc.messages).values():
            form.comment.errors = [*form.comment.errors, *messages]
        return None


@bp.get("/exemptions")
@tenant_user_required("manager", "unit_admin")
def exemptions_waiting():
    return render_template("evaluation/exemptions.html", cases=exemptions.waiting_for(current_user))


@bp.route("/exemptions/<report_id>", methods=["GET", "POST"])
@tenant_user_required("manager", "unit_admin")
def exemption_decision(report_id: str):
    try:
        case = exemptions.case_of(report_id, current_user)
    except ServiceError as exc:
        if exc.status != 409:  # another tenant's or no report: 404; not the approver: 403
            abort(exc.status)
        flash(exc.message, "info")
        return redirect(url_for("evaluation.exemptions_waiting"))
    form = ExemptionDecisionForm()
    if request.method == "POST" and form.validate_on_submit():
        data = _decision(form)
        if data is not None:
            with saving(form, fallback="comment") as saved:
                exemptions.decide(case.report, actor=current_user, **data)
            if saved.ok:
                done = (
                    _(
                        "Đã duyệt miễn trừ cho %(name)s; điểm được tính lại.",
                        name=case.person.full_name,
                    )
                    if data["approve"]
                    else _("Đã không duyệt miễn trừ cho %(name)s.", name=case.person.full_name)
                )
                flash(done, "success")
                return redirect(url_for("evaluation.exemptions_waiting"))
    failed = request.method == "POST"
    return render_template(
        "evaluation/exemption.html", case=case, form=form
    ), 400 if failed else 200
