"""Unit settings (unit administrators): who the head of the unit is, an explicit, audited choice."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField

from blueprints.workspace.common import bp
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.org import JobPosition
from tenant_app.services.evaluation import unit_head
from tenant_app.services.workspace import org
from tenant_app.web import saving


class UnitHeadForm(FlaskForm):
    mode = RadioField(
        _l("Người đứng đầu đơn vị là"),
        choices=[(k, v) for k, v in unit_head.HEAD_MODE_LABELS.items()],
    )
    org_unit = SelectField(_l("Đơn vị cấp cao nhất"), validate_choice=False)
    position = SelectField(_l("Vị trí việc làm của người đứng đầu"), validate_choice=False)
    submit = SubmitField(_l("Lưu"))


def _choices(form: UnitHeadForm) -> None:
    form.org_unit.choices = [("", _("(Tự xác định: đơn vị cao nhất có người đứng đầu)"))] + [
        (u.code, "\u2003" * depth + u.name) for u, depth in org.tree()
    ]
    positions = db.session.execute(
        sa.select(JobPosition).where(JobPosition.active.is_(True)).order_by(JobPosition.code)
    ).scalars()
    form.position.choices = [("", "—")] + [(p.code, f"{p.code} – {p.name}") for p in positions]


@bp.route("/settings/unit-head", methods=["GET", "POST"])
@tenant_user_required("unit_admin")
def unit_head_settings():
    setting = unit_head.head_setting()
    form = UnitHeadForm(data=setting if request.method == "GET" else None)
    _choices(form)
    if form.validate_on_submit():
        with saving(form, fallback="mode") as saved:
            unit_head.set_head_setting(
                mode=form.mode.data,
                org_unit=form.org_unit.data,
                position=form.position.data,
                actor=current_user,
            )
        if saved.ok:
            flash(_("Đã lưu cách xác định người đứng đầu đơn vị."), "success")
            return redirect(url_for("workspace.unit_head_settings"))
    head = unit_head.unit_head()
    note = (
        _("Người đứng đầu hiện nay: %(name)s.", name=head.full_name)
        if head is not None
        else _("Chưa xác định được người đứng đầu: hãy chọn đơn vị hoặc vị trí việc làm.")
    )
    notes = [
        note,
        _(
            "Người đứng đầu không tự đánh giá ở bước cấp trên, không tự phê duyệt kết quả của "
            "mình: cấp có thẩm quyền cấp trên đánh giá và phê duyệt."
        ),
    ]
    return render_template(
        "workspace/form.html",
        form=form,
        title=_("Người đứng đầu đơn vị"),
        notes=notes,
        back=url_for("workspace.home"),
    )
