"""Bảng theo dõi (manager and unit dashboards, polled as JSON) and the notifications page."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from blueprints.evaluation.common import (
    bp,
    link_url,
    managed_team,
    number,
    or_404,
    selected_period,
)
from blueprints.evaluation.forms import ActionForm
from blueprints.evaluation.score_views import grade_label
from scoring import Grade, QuotaEntry, check_quota
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Notification, PeriodScore, label
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import (
    assessments,
    exemptions,
    periods,
    progress,
    score_display,
    scores,
    unit_ratings,
)
from tenant_app.services.workspace import notifications as notification_service
from tenant_app.services.workspace.lookup import get_scoped
from tenant_app.web import live_polled, page_cached, person_fragments

LIVE_KEYS = ("assigned_text", "reported_text", "accepted_text", "score", "late")


def _progress(period, people, today: date) -> list[dict]:
    """The team's rows (``progress.team_progress``) with their figures as shown."""
    rows = progress.team_progress(period, people, today)
    params = periods.params_of(period) if period is not None else None
    for row in rows:
        if "score_total" in row:
            row["score"] = number(params.display_value(row["score_total"]), params.display_places)
            row["grade_label"] = grade_label(row["grade"])
        for key in ("assigned", "reported", "accepted"):
            row[f"{key}_text"] = number(row[key])
        row["percent"] = int(row["accepted"] * 100 / row["assigned"]) if row["assigned"] else 0
    return rows


def _shown_rows(period, people, today: date) -> list[dict]:
    """Each person's row as shown: its HTML (``_dashboard_row.html``) and its live values.

    A person's row is computed and rendered only when that person's figures may have changed
    (``web.person_fragments``: their own revision or the unit's shared one moved), so a report
    saved re-renders one row, not the team. ``people``: the viewer's (``managed_team``).
    """
    by_id = {p.id: p for p in people}

    def render(ids) -> dict:
        return {
            row["person"].id: json.dumps(
                {
                    "html": render_template(
                        "evaluation/_dashboard_row.html", row=row, period=period
                    ).strip(),
                    "values": {f"{row['person'].id}:{k}": row.get(k, "—") for k in LIVE_KEYS},
                },
                ensure_ascii=False,
            )
            for row in _progress(period, [by_id[i] for i in ids], today)
        }

    about = (None if period is None else str(period.id), today.isoformat())
    parts = person_fragments("dashboard-row", list(by_id), render, about)
    rows = []
    for pid in by_id:
        part = json.loads(parts[pid])
        rows.append({"html": Markup(part["html"]), "values": part["values"]})  # noqa: S704
    return rows


def _manager_context():
    period = selected_period()
    return {
        "period": period,
        "rows": _shown_rows(period, managed_team(current_user), date.today()),
    }


@bp.get("/dashboard")
@tenant_user_required("manager", "unit_admin")
@page_cached
def dashboard():
    return render_template(
        "evaluation/dashboard.html",
        periods_all=periods.list_periods(),
        exemptions_waiting=len(exemptions.waiting_for(current_user)),
        **_manager_context(),
    )


@bp.get("/dashboard/live")
@tenant_user_required("manager", "unit_admin")
@live_polled
def dashboard_live():
    context = _manager_context()
    return jsonify(
        values={key: value for row in context["rows"] for key, value in row["values"].items()},
        html={"dashboard": render_template("evaluation/_dashboard_body.html", **context)},
    )


def _unit_context():
    period = selected_period()
    if period is None:
        return {"period": None, "distribution": {}, "checks": [], "total": 0, "problems": []}
    params = periods.params_of(period)
    # One read of the period's scores gives the quota check, the distribution and whether any
    # grade is still provisional.
    rows = db.session.execute(
        sa.select(
            PeriodScore.staff_id,
            PeriodScore.grade,
            StaffMember.quota_group,
            PeriodScore.approved_at,
        )
        .join(StaffMember, tenant_join(StaffMember.id, PeriodScore.staff_id))
        .where(PeriodScore.period_id == period.id)
    ).all()
    agency = str(period.tenant_id)
    report = check_quota(
        [QuotaEntry(str(sid), grade, agency, group or None) for sid, grade, group, _at in rows],
        params,
    )
    distribution = Counter(grade for _sid, grade, _group, _at in rows)
    total = len(rows)
    return {
        "period": period,
        "total": total,
        "distribution": [
            {
                "code": g.value,
                "label": g.label,
                "count": distribution.get(g.value, 0),
                "percent": int(distribution.get(g.value, 0) * 100 / total) if total else 0,
            }
            for g in (Grade.HTXS, Grade.HTT, Grade.HTNV, Grade.KHTNV)
        ],
        "checks": report.checks,
        "ratio": number(params.quota_ratio * 100, 0),
        "problems": scores.problems_of(period),
        "grades_provisional": score_display.grades_provisional(period, [r[3] for r in rows]),
        "unit_rating": unit_ratings.shown_beside(period),
    }


def _can_see_unit() -> bool:
    return current_user.has_role("unit_admin") or assessments.is_head_of_agency(current_user)


@bp.get("/dashboard/unit")
@tenant_user_required("manager", "unit_admin")
@page_cached
def unit_dashboard():
    if not _can_see_unit():
        abort(403)
    return render_template(
        "evaluation/unit_dashboard.html", periods_all=periods.list_periods(), **_unit_context()
    )


@bp.get("/dashboard/unit/live")
@tenant_user_required("manager", "unit_admin")
@live_polled
def unit_dashboard_live():
    if not _can_see_unit():
        abort(403)
    context = _unit_context()
    return jsonify(
        values={f"grade:{d['code']}": d["count"] for d in context.get("distribution") or []},
        html={"unit": render_template("evaluation/_unit_body.html", **context)},
    )


# --- Thông báo --------------------------------------------------------------------------------


@bp.get("/notifications")
@tenant_user_required()
def notifications():
    rows = notification_service.for_user(current_user.id, limit=100)
    return render_template(
        "evaluation/notifications.html",
        rows=rows,
        link_url=link_url,
        action_form=ActionForm(formdata=None),
        label=label,
    )


@bp.post("/notifications/read")
@tenant_user_required()
def notifications_read():
    if not ActionForm().validate_on_submit():
        abort(400)
    changed = notification_service.mark_read(current_user.id)
    db.session.commit()
    flash(_("Đã đánh dấu %(n)d thông báo là đã đọc.", n=changed), "success")
    return redirect(url_for("evaluation.notifications"))


@bp.post("/notifications/<notification_id>/open")
@tenant_user_required()
def notification_open(notification_id: str):
    """Mark one notification read and go to the screen it points to (only the owner's)."""
    row = or_404(lambda i: get_scoped(Notification, i, "not found"), notification_id)
    if row.user_id != current_user.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    notification_service.mark_read(current_user.id, [row.id])
    db.session.commit()
    return redirect(link_url(row.link))
