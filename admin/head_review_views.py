"""The competent higher level's pages: a unit's head per open period and per year, the duty.

``/admin/units/<slug>/head-review`` is for province accounts with the ``head_reviewer`` duty
only: it reads the unit through ``read_one_tenant`` and writes through ``head_review_write``
(the manager-stage assessment of the head and the approval of the head's result per period;
the final grade and the approval of the head's yearly classification). A province
administrator grants the duty on ``/admin/head-reviewers``.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tenant_app.auth import province_user_required
from tenant_app.extensions import db
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import head_review, periods
from tenant_app.services.evaluation.assessments import is_head_reviewer
from tenant_app.services.province import tenants
from tenant_app.tenancy.door import DoorRefused, head_review_write, read_one_tenant
from tenant_app.web import or_404

SUCCESS = {
    "assess": _l("Đã ghi đánh giá người đứng đầu."),
    "approve": _l("Đã phê duyệt kết quả của người đứng đầu."),
    "annual_decide": _l("Đã ghi quyết định xếp loại năm của người đứng đầu."),
    "annual_approve": _l("Đã phê duyệt xếp loại năm của người đứng đầu."),
}
SUCCESS_EMPLOYEE = {
    "approve": _l("Đã phê duyệt kết quả của viên chức."),
    "annual_decide": _l("Đã ghi quyết định xếp loại năm của viên chức."),
    "annual_approve": _l("Đã phê duyệt xếp loại năm của viên chức."),
}

bp = Blueprint("admin_head_review", __name__, url_prefix="/admin")


def _require_duty() -> None:
    if not is_head_reviewer(current_user):
        abort(403)


@bp.get("/head-review")
@province_user_required()
def units():
    _require_duty()
    serving = tenants.list_serving()
    return render_template("admin/head_review_units.html", units=serving)


def _page(tenant, status: int = 200, errors: dict | None = None):
    with read_one_tenant(tenant, "head_review", actor=current_user._get_current_object()):
        seen = head_review.overview()
        criteria = {
            row.period.id: periods.params_of(row.period).general_criteria for row in seen.periods
        }
        html = render_template(
            "admin/head_review.html",
            tenant=tenant,
            seen=seen,
            criteria=criteria,
            errors=errors or {},
            form=request.form if status != 200 else {},
        )
    return html, status


@bp.get("/units/<slug>/head-review")
@province_user_required()
def unit(slug: str):
    _require_duty()
    return _page(or_404(tenants.get_serving, slug))


def _write(slug: str, key: str, action: str, **payload):
    """Call the door for ``action``; ``key`` is the period id, or ``y<year>`` for a year (it also
    names the section an error is shown in)."""
    tenant = or_404(tenants.get_serving, slug)
    # A viên chức whose decision the configuration gives to the higher level (else the head).
    staff_id = _staff_id() if action != "assess" else None
    try:
        head_review_write(
            tenant,
            request.form.get("reason", ""),
            action=action,
            actor=current_user._get_current_object(),
            staff_id=staff_id,
            **payload,
        )
    except DoorRefused:
        abort(403)
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return _page(
            tenant, status=exc.status if exc.status != 403 else 400, errors={key: exc.message}
        )
    flash(str((SUCCESS if staff_id is None else SUCCESS_EMPLOYEE)[action]), "success")
    return redirect(url_for("admin_head_review.unit", slug=slug))


def _staff_id():
    value = request.form.get("staff_id") or None
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        abort(404)


@bp.post("/units/<slug>/head-review/<period_id>/assess")
@province_user_required()
def assess(slug: str, period_id: str):
    _require_duty()
    general, i = [], 0
    while f"general_{i}" in request.form:  # the service checks the count and each value
        general.append((request.form.get(f"general_{i}") or "").replace(",", "."))
        i += 1
    organising = (request.form.get("organising") or "").replace(",", ".") or None
    return _write(
        slug,
        period_id,
        "assess",
        period_id=period_id,
        general=general,
        organising=organising,
        comment=request.form.get("comment"),
    )


@bp.post("/units/<slug>/head-review/<period_id>/approve")
@province_user_required()
def approve(slug: str, period_id: str):
    _require_duty()
    return _write(slug, period_id, "approve", period_id=period_id)


@bp.post("/units/<slug>/head-review/years/<int:year>/decide")
@province_user_required()
def annual_decide(slug: str, year: int):
    _require_duty()
    return _write(
        slug, f"y{year}", "annual_decide", year=year, final_grade=request.form.get("final_grade")
    )


@bp.post("/units/<slug>/head-review/years/<int:year>/approve")
@province_user_required()
def annual_approve(slug: str, year: int):
    _require_duty()
    return _write(slug, f"y{year}", "annual_approve", year=year)


@bp.route("/head-reviewers", methods=["GET", "POST"])
@province_user_required("province_admin")
def reviewers():
    if request.method == "POST":
        user_id = request.form.get("user_id") or ""
        if not user_id.isdigit():
            abort(400)
        try:
            user = head_review.set_head_reviewer(
                int(user_id), request.form.get("head_reviewer") == "y", actor=current_user
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            abort(exc.status if exc.status in (403, 404) else 400)
        message = (
            _(
                "%(name)s được giao đánh giá, phê duyệt người đứng đầu các đơn vị.",
                name=user.full_name,
            )
            if user.head_reviewer
            else _("%(name)s không còn nhiệm vụ đánh giá người đứng đầu.", name=user.full_name)
        )
        flash(message, "success")
        return redirect(url_for("admin_head_review.reviewers"))
    return render_template("admin/head_reviewers.html", accounts=head_review.province_accounts())
