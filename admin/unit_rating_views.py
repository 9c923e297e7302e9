"""The province console's unit ratings: which units are public service units, each unit's rating
per period and year, and the province administrator's entry of it (the competent authority).

``/admin/unit-ratings`` lists the units with their latest rating of the year (read through the
door); ``/admin/units/<slug>/unit-ratings`` reads one unit through ``read_one_tenant`` and
writes through ``unit_rating_write`` (province administrators only; auditors read).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenant_app.auth import province_user_required
from tenant_app.extensions import db
from tenant_app.models.unit_rating import UnitRating
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import unit_ratings
from tenant_app.services.province import tenants, unit_classification
from tenant_app.tenancy.door import (
    DoorRefused,
    cross_tenant_read,
    read_one_tenant,
    unit_rating_write,
)
from tenant_app.web import or_404

bp = Blueprint("admin_unit_ratings", __name__, url_prefix="/admin")
GRADES = ("HTXS", "HTT", "HTNV", "KHTNV")


def _year() -> int:
    try:
        year = int(request.values.get("year") or date.today().year)
    except ValueError:
        year = date.today().year
    return year if 2000 <= year <= 2100 else date.today().year


@bp.get("/unit-ratings")
@province_user_required("province_admin", "auditor")
def units():
    year = _year()
    serving = tenants.list_serving()
    latest: dict[int, UnitRating] = {}
    if serving:
        with cross_tenant_read(
            "unit ratings list", actor=current_user._get_current_object(),
            tenant_ids=[t.id for t in serving],
        ):  # fmt: skip
            for row in db.session.execute(
                sa.select(UnitRating)
                .where(UnitRating.year == year)
                .order_by(UnitRating.tenant_id, UnitRating.period_code)
            ).scalars():
                latest[row.tenant_id] = row  # the last code: the year, else the latest period
    return render_template(
        "admin/unit_ratings_units.html",
        units=serving,
        latest=latest,
        year=year,
        classification={t.id: unit_classification.classification(t) for t in serving},
    )


def _page(tenant, status: int = 200, errors: dict | None = None):
    year = _year()
    with read_one_tenant(tenant, "unit_ratings", actor=current_user._get_current_object()):
        seen = unit_ratings.year_view(year)
        html = render_template(
            "admin/unit_ratings.html",
            tenant=tenant,
            seen=seen,
            year=year,
            grades=GRADES,
            labels=unit_ratings.SOURCE_LABELS,
            score_text=unit_ratings.score_text,
            errors=errors or {},
            form=request.form if status != 200 else {},
            may_write=current_user.has_role("province_admin"),
        )
    return html, status


@bp.get("/units/<slug>/unit-ratings")
@province_user_required("province_admin", "auditor")
def unit(slug: str):
    return _page(or_404(tenants.get_serving, slug))


@bp.post("/units/<slug>/unit-ratings/<code>")
@province_user_required("province_admin")
def rate(slug: str, code: str):
    tenant = or_404(tenants.get_serving, slug)
    form = request.form
    decision_date = None
    if form.get("decision_date"):
        try:
            decision_date = date.fromisoformat(form["decision_date"])
        except ValueError:
            message = _("Ngày quyết định không hợp lệ.")
            flash(message, "error")
            return _page(tenant, status=400, errors={code: message})
    try:
        unit_rating_write(
            tenant,
            code,
            form.get("grade", ""),
            form.get("reason", ""),
            form.get("decision_ref", ""),
            decision_date=decision_date,
            score=form.get("score") or None,
            note=form.get("note"),
            actor=current_user._get_current_object(),
        )
    except DoorRefused:
        abort(403)
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return _page(tenant, status=exc.status, errors={code: exc.message})
    flash(_("Đã ghi xếp loại của đơn vị kỳ %(c)s.", c=code), "success")
    return redirect(url_for("admin_unit_ratings.unit", slug=slug, year=_year()))


@bp.post("/units/<slug>/classification")
@province_user_required("province_admin")
def classify(slug: str):
    tenant = or_404(tenants.get_serving, slug)
    unit_classification.set_classification(
        tenant,
        public_service_unit=request.form.get("public_service_unit") == "1",
        head_capped_by_unit=request.form.get("head_capped_by_unit") == "1",
        actor=current_user._get_current_object(),
    )
    db.session.commit()
    flash(_("Đã lưu loại hình đơn vị."), "success")
    return redirect(url_for("admin_unit_ratings.unit", slug=slug, year=_year()))
