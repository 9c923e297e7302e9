"""Discipline decisions (unit administrator, head of agency): list, record, re-score the year."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.evaluation.common import bp
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.forms import REQUIRED
from tenant_app.models.evaluation import LABELS, SEVERITIES, label
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import discipline
from tenant_app.web import saving

REASON_LABELS = {
    "discipline": _l("Bị xử lý kỷ luật từ khiển trách trở lên"),
    "degradation": _l("Suy thoái tư tưởng chính trị, đạo đức, lối sống"),
    "leader_corruption": _l("Để xảy ra tham nhũng, lãng phí trong đơn vị phụ trách"),
}


class DisciplineForm(FlaskForm):
    staff_id = SelectField(_l("Người bị kỷ luật"), validate_choice=False)
    decision_number = StringField(
        _l("Số quyết định"), validators=[DataRequired(REQUIRED), Length(max=64)]
    )
    decision_date = DateField(_l("Ngày quyết định"), validators=[DataRequired(REQUIRED)])
    authority = StringField(
        _l("Cơ quan, người quyết định"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    severity = SelectField(_l("Hình thức"), choices=[(s, LABELS[s]) for s in SEVERITIES])
    reason = SelectField(
        _l("Căn cứ xếp loại không hoàn thành nhiệm vụ"), choices=list(REASON_LABELS.items())
    )
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Ghi quyết định"))


@bp.route("/discipline", methods=["GET", "POST"])
@tenant_user_required("unit_admin", "manager")
def discipline_page():
    if not discipline.may_record(current_user):
        abort(403)
    people = (
        db.session.execute(
            sa.select(StaffMember)
            .where(StaffMember.end_date.is_(None))
            .order_by(StaffMember.full_name)
        )
        .scalars()
        .all()
    )
    form = DisciplineForm()
    form.staff_id.choices = [(str(p.id), f"{p.full_name} ({p.code})") for p in people]
    if request.method == "POST" and form.validate_on_submit():
        person = next((p for p in people if str(p.id) == form.staff_id.data), None)
        if person is None:
            abort(404)
        with saving(form, fallback="decision_number") as saved:
            row = discipline.record(
                person,
                decision_number=form.decision_number.data,
                decision_date=form.decision_date.data,
                authority=form.authority.data,
                severity=form.severity.data,
                reason=form.reason.data,
                note=form.note.data,
                actor=current_user,
            )
        if saved.ok:
            rescored = discipline.affected(row)
            flash(
                _(
                    "Đã ghi quyết định %(n)s; điểm của %(name)s được tính lại ở %(periods)d kỳ "
                    "đánh giá, trong đó %(published)d kỳ đã công khai kết quả.",
                    n=row.decision_number,
                    name=person.full_name,
                    periods=rescored.periods,
                    published=rescored.published,
                ),
                "success",
            )
            return redirect(url_for("evaluation.discipline_page"))
    names = {p.id: p.full_name for p in people}
    return render_template(
        "evaluation/discipline.html",
        form=form,
        records=discipline.list_records(),
        names=names,
        label=label,
        reasons=REASON_LABELS,
        today=date.today(),
    ), 400 if form.errors else 200
