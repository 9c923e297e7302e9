"""Evaluation periods screen: list with windows and counts, open, close, lock, reopen, publish."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.evaluation.common import bp, or_404
from blueprints.evaluation.forms import (
    ActionForm,
    ExtendWindowForm,
    OpenPeriodForm,
    ReopenForm,
    parse_date,
)
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Assignment, PeriodScore, Report, label
from tenant_app.models.vocabulary import ReportStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import assessments, periods, window_extensions
from tenant_app.web import saving


def _counts() -> dict:
    """{period id: {people, assignments, submitted, scored, approved}} in four grouped queries."""
    counts: dict = {}

    def put(rows, key):
        for pid, n in rows:
            counts.setdefault(pid, {})[key] = n

    put(
        db.session.execute(
            sa.select(
                Assignment.period_id, sa.func.count(sa.distinct(Assignment.staff_id))
            ).group_by(Assignment.period_id)
        ).all(),
        "people",
    )
    put(
        db.session.execute(
            sa.select(Assignment.period_id, sa.func.count()).group_by(Assignment.period_id)
        ).all(),
        "assignments",
    )
    put(
        db.session.execute(
            sa.select(Assignment.period_id, sa.func.count())
            .join(Report, tenant_join(Report.assignment_id, Assignment.id))
            .where(Report.status == ReportStatus.SUBMITTED)
            .group_by(Assignment.period_id)
        ).all(),
        "waiting",
    )
    put(
        db.session.execute(
            sa.select(
                PeriodScore.period_id,
                sa.func.count(),
            ).group_by(PeriodScore.period_id)
        ).all(),
        "scored",
    )
    put(
        db.session.execute(
            sa.select(PeriodScore.period_id, sa.func.count())
            .where(PeriodScore.approved_at.is_not(None))
            .group_by(PeriodScore.period_id)
        ).all(),
        "approved",
    )
    return counts


def _can_see() -> bool:
    return current_user.has_role("unit_admin") or assessments.is_head_of_agency(current_user)


def _render(open_form=None, reopen_forms=None, extend_forms=None, status=200):
    rows = periods.list_periods()
    reopen_forms = reopen_forms or {}
    extend_forms = extend_forms or {}
    return (
        render_template(
            "evaluation/periods.html",
            rows=rows,
            counts=_counts(),
            label=label,
            open_form=open_form or OpenPeriodForm(formdata=None, kind=periods.schedule()["kind"]),
            reopen_forms={p.id: reopen_forms.get(p.id) or ReopenForm(formdata=None) for p in rows},
            extend_forms={
                p.id: extend_forms.get(p.id) or ExtendWindowForm(formdata=None) for p in rows
            },
            extensions=window_extensions.extensions_of([p.id for p in rows]),
            window_labels=window_extensions.WINDOW_LABELS,
            action_form=ActionForm(formdata=None),
            is_admin=current_user.has_role("unit_admin"),
            is_head=assessments.is_head_of_agency(current_user),
        ),
        status,
    )


@bp.get("/periods")
@tenant_user_required("unit_admin", "manager")
def periods_list():
    if not _can_see():
        abort(403)
    return _render()


@bp.post("/periods")
@tenant_user_required("unit_admin")
def period_open():
    form = OpenPeriodForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            try:
                year, number = int(form.year.data), int(form.number.data)
            except ValueError:
                raise ServiceError(
                    "invalid_period", _("Năm và số tháng/quý phải là số nguyên."), field="number"
                ) from None
            if not 2000 <= year <= 2100:
                raise ServiceError("invalid_period", _("Năm không hợp lệ."), field="year")
            period = periods.open_period(
                year=year, number=number, kind=form.kind.data, actor=current_user
            )
        if saved.ok:
            flash(_("Đã mở kỳ đánh giá %(code)s.", code=period.code), "success")
            return redirect(url_for("evaluation.periods_list"))
    return _render(open_form=form, status=400)


def _transition(period_id: str, action):
    period = or_404(periods.get_period, period_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    with saving() as saved:
        action(period)
    return period if saved.ok else None


@bp.post("/periods/<period_id>/close")
@tenant_user_required("unit_admin")
def period_close(period_id: str):
    period = _transition(period_id, lambda p: periods.close_period(p, actor=current_user))
    if period is not None:
        flash(_("Đã đóng kỳ %(code)s.", code=period.code), "success")
    return redirect(url_for("evaluation.periods_list"))


@bp.post("/periods/<period_id>/lock")
@tenant_user_required("unit_admin")
def period_lock(period_id: str):
    period = _transition(period_id, lambda p: periods.lock_period(p, actor=current_user))
    if period is not None:
        flash(_("Đã khóa kỳ %(code)s.", code=period.code), "success")
    return redirect(url_for("evaluation.periods_list"))


@bp.post("/periods/<period_id>/reopen")
@tenant_user_required("unit_admin")
def period_reopen(period_id: str):
    period = or_404(periods.get_period, period_id)
    form = ReopenForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            periods.reopen_period(period, reason=form.reason.data, actor=current_user)
        if saved.ok:
            flash(_("Đã mở lại kỳ %(code)s.", code=period.code), "success")
            return redirect(url_for("evaluation.periods_list"))
    return _render(reopen_forms={period.id: form}, status=400)


@bp.post("/periods/<period_id>/publish")
@tenant_user_required("manager")
def period_publish(period_id: str):
    period = _transition(period_id, lambda p: assessments.publish(p, actor=current_user))
    if period is not None:
        flash(_("Đã công khai kết quả kỳ %(code)s.", code=period.code), "success")
    return redirect(url_for("evaluation.approval", period=period_id))


@bp.post("/periods/<period_id>/extend")
@tenant_user_required("unit_admin")
def period_extend(period_id: str):
    period = or_404(periods.get_period, period_id)
    form = ExtendWindowForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            try:
                new_until = parse_date(form.new_until.data)
            except ValueError:
                raise ServiceError(
                    "invalid_date", _("Hạn mới không hợp lệ."), field="new_until"
                ) from None
            window_extensions.extend_window(
                period, form.window.data, new_until, form.reason.data, actor=current_user
            )
        if saved.ok:
            flash(_("Đã gia hạn kỳ %(code)s.", code=period.code), "success")
            return redirect(url_for("evaluation.periods_list"))
    return _render(extend_forms={period.id: form}, status=400)
