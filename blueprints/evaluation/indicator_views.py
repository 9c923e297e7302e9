"""Bảng chỉ số KPI: the unit's indicators of a period with value, target, score, traffic light
and trend, and the entry of values by hand (managers and unit administrators)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField

from blueprints.evaluation.common import bp, managed_people, or_404, selected_period
from tenant_app import charts
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.catalogue import label as catalogue_label
from tenant_app.models.evaluation import Period
from tenant_app.services.evaluation import indicator_values, indicators, periods
from tenant_app.services.workspace import staff
from tenant_app.web import saving

TREND_PERIODS = 6


class IndicatorValueForm(FlaskForm):
    item_id = SelectField(_l("Chỉ số"), validate_choice=False)
    staff_id = SelectField(_l("Của ai (chỉ số của vị trí việc làm)"), validate_choice=False)
    value = StringField(_l("Giá trị"), render_kw={"inputmode": "decimal"})
    note = StringField(_l("Ghi chú, nguồn số liệu"))
    submit = SubmitField(_l("Ghi giá trị"))


def _recent(period: Period) -> list[Period]:
    """Up to TREND_PERIODS periods of the same kind ending with ``period``, oldest first."""
    rows = db.session.execute(
        sa.select(Period)
        .where(Period.kind == period.kind, Period.starts_on <= period.starts_on)
        .order_by(Period.starts_on.desc())
        .limit(TREND_PERIODS)
    ).scalars()
    return list(reversed(list(rows)))


def _form(period) -> IndicatorValueForm:
    form = IndicatorValueForm()
    items = indicators.indicator_items()
    form.item_id.choices = [(str(i.id), f"{i.code} · {i.name}") for i in items]
    people = managed_people(current_user)
    form.staff_id.choices = [("", _("— Cả đơn vị —"))] + [
        (str(p.id), f"{p.full_name} ({p.code})") for p in people
    ]
    return form


@bp.get("/indicators")
@tenant_user_required("manager", "unit_admin")
def indicator_board():
    period = selected_period()
    context = {"period": period, "periods_all": periods.list_periods(), "label": catalogue_label}
    if period is not None:
        lines, mean = indicators.unit_board(period)
        recent = _recent(period)
        charts_by_item = {}
        for line in lines:
            values = indicators.trend(line.item, recent)
            if any(v is not None for v in values):
                charts_by_item[line.item.id] = charts.trend(
                    [p.code for p in recent],
                    {line.item.name: [None if v is None else float(v) for v in values]},
                    title=_("Điểm %(n)d kỳ gần nhất", n=len(recent)),
                    y_label=_("Điểm chỉ số"),
                )
        context |= {
            "lines": lines,
            "mean": mean,
            "charts": charts_by_item,
            "form": _form(period),
            "positioned": indicators.indicator_items(positioned=True),
        }
    return render_template("evaluation/indicators.html", **context)


@bp.post("/indicators/values")
@tenant_user_required("manager", "unit_admin")
def indicator_value_add():
    period = or_404(periods.get_period, _period_id())
    form = _form(period)
    if not form.validate_on_submit():
        abort(400)
    item = db.session.get(CatalogueItem, (period.tenant_id, _uuid(form.item_id.data)))
    if item is None:
        abort(404)
    person = None
    if form.staff_id.data:
        person = or_404(staff.get_staff, form.staff_id.data)
        if person.id not in {p.id for p in managed_people(current_user)}:
            abort(403)
    with saving(flash_error=True) as saved:
        indicator_values.enter_value(
            period, item, form.value.data, actor=current_user, person=person, note=form.note.data
        )
    if saved.ok:
        flash(_("Đã ghi giá trị của chỉ số %(code)s.", code=item.code), "success")
    return redirect(url_for("evaluation.indicator_board", period=period.id))


def _period_id():
    return request.form.get("period") or request.args.get("period")


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        abort(404)
