"""Impact preview of a template version: the last closed period rescored under it, nothing saved.

For each chosen tenant, the version is merged into the tenant as a rollout would (so local
changes that would survive are counted), and the tenant's last closed period is scored twice on
the same loaded inputs: with the rules the period was frozen with, and with the merged rules and
catalogue coefficients. Grades, the HTXS quota and supplementary income are compared. Scoring is
pure (``scoring``) on inputs loaded once; the whole read runs in a SAVEPOINT that is rolled back,
so not even an autoflush can leave a trace.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from scoring import (
    DEFAULT_RULE_SET,
    Grade,
    IncomePerson,
    Params,
    QuotaEntry,
    ScoringInputError,
    check_quota,
    compute_income,
    get_rule_set,
    resolve_rule_sets,
)
from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.evaluation import Assignment, Period
from tenant_app.models.rollout import TemplateVersion
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import ENDED_PERIOD_STATUSES
from tenant_app.services.evaluation import scores
from tenant_app.services.evaluation.periods import params_of
from tenant_app.services.rollout import rollout_apply
from tenant_app.services.rollout.rollout_merge import OpKind, plan_merge
from tenant_app.services.rollout.unit_state import read_unit
from tenant_app.tenancy.context import get_current_tenant, tenant_context


def last_closed_period() -> Period | None:
    return db.session.execute(
        sa.select(Period)
        .where(Period.status.in_(ENDED_PERIOD_STATUSES))
        .order_by(Period.ends_on.desc())
        .limit(1)
    ).scalar_one_or_none()


def _rules_after(plan, unit) -> tuple[str, Params]:
    settings = plan.settings if plan.settings is not None else unit.state.settings
    rule_set = get_rule_set(settings.get("rule_set") or DEFAULT_RULE_SET)
    params = Params.from_dict(settings.get("scoring_params") or {}, base=rule_set.default_params)
    return rule_set.code, params


def _coefficients_after(plan, unit) -> dict:
    """Item id → coefficient the merged catalogue would give (only items whose value changes)."""
    result = {}
    for op in plan.items:
        row = unit.rows.items.get(op.key) or unit.rows.inactive_items.get(op.key)
        coefficient = op.fields.get("coefficient")
        if row is not None and coefficient is not None and op.kind != OpKind.DEACTIVATE:
            result[row.id] = Decimal(coefficient)
    return result


def _score_all(period, people, params, rule_set, coefficients, item_of, rule_sets=None) -> dict:
    by_assignment = {
        aid: coefficients[item_id] for aid, item_id in item_of.items() if item_id in coefficients
    }
    return scores.simulate(period, people, params, rule_set, by_assignment, rule_sets)


def _rule_sets_after(params: Params, period) -> dict | None:
    """Each kind of person's rule set the new configuration would give the period."""
    try:
        return resolve_rule_sets(params, period.starts_on)
    except ScoringInputError:
        return None


def _summary(grades: dict, staff: dict, params: Params, tenant, scheme, settings) -> dict:
    counts = {g.value: 0 for g in Grade}
    for grade in grades.values():
        counts[grade] += 1
    counted = set(params.quota_staff_types)  # the quota population (civil servants)
    entries = [
        QuotaEntry(str(sid), grade, tenant.slug, staff[sid].quota_group)
        for sid, grade in grades.items()
        if sid in staff and staff[sid].staff_type in counted
    ]
    report = check_quota(entries, params)
    agency = next((c for c in report.checks if c.scope == "agency"), None)
    people = [
        IncomePerson(
            str(sid),
            grade,
            () if staff[sid].monthly_salary is None else (staff[sid].monthly_salary,),
        )
        for sid, grade in grades.items()
        if sid in staff
    ]
    try:
        income = compute_income(people, scheme, dict(settings or {})).total
    except ScoringInputError:
        income = None
    return {
        "grades": counts,
        "htxs": agency.htxs_count if agency else 0,
        "htxs_allowed": agency.allowed if agency else 0,
        "must_lower": sum(c.must_lower for c in report.violations),
        "income": None if income is None else str(income),
    }


def preview_tenant(version: TemplateVersion) -> dict:
    """The impact of ``version`` on the tenant in context (see module doc); saves nothing."""
    tenant = get_current_tenant()
    nested = db.session.begin_nested()
    try:
        period = last_closed_period()
        if period is None:
            return {"tenant": tenant.slug, "tenant_name": tenant.name, "period": None,
                    "message": _("Đơn vị chưa có kỳ đánh giá đã đóng.")}  # fmt: skip
        current = rollout_apply.current_config()
        unit = read_unit(tenant)
        base = None if current is None else current.base_payload
        plan = plan_merge(base, version.payload, unit.state)
        people = scores._load(period, None)
        item_of = {
            str(aid): item_id
            for aid, item_id in db.session.execute(
                sa.select(Assignment.id, Assignment.item_id).where(
                    Assignment.period_id == period.id
                )
            ).all()
        }
        staff = {
            s.id: s
            for s in db.session.execute(
                sa.select(StaffMember).where(StaffMember.id.in_(list(people)))
            ).scalars()
        }
        before_params = params_of(period)
        before = _score_all(
            period, people, before_params, period.rule_set, {}, item_of, period.rule_sets
        )
        rule_set, after_params = _rules_after(plan, unit)
        after = _score_all(
            period,
            people,
            after_params,
            rule_set,
            _coefficients_after(plan, unit),
            item_of,
            _rule_sets_after(after_params, period),
        )
        settings_now = unit.state.settings
        settings_after = plan.settings if plan.settings is not None else settings_now
        scheme_now = settings_now.get("income_scheme") or "coefficient_salary"
        scheme_after = settings_after.get("income_scheme") or "coefficient_salary"
        return {
            "tenant": tenant.slug,
            "tenant_name": tenant.name,
            "period": period.code,
            "people": len(before),
            "changed": sum(1 for sid in before if before.get(sid) != after.get(sid)),
            "conflicts": len(plan.conflicts),
            "before": _summary(
                before, staff, before_params, tenant, scheme_now,
                settings_now.get("income_settings"),
            ),
            "after": _summary(
                after, staff, after_params, tenant, scheme_after,
                settings_after.get("income_settings"),
            ),
        }  # fmt: skip
    finally:
        nested.rollback()


def preview(version: TemplateVersion, tenants, *, actor=None) -> list[dict]:
    """The impact of ``version`` on each of ``tenants``, one tenant context at a time; the
    preview itself is audited on the province chain (who looked at which units). Commits."""
    results = []
    for tenant in tenants:
        with tenant_context(tenant):
            results.append(preview_tenant(version))
            db.session.rollback()
    audit.record(
        "rollout.impact_previewed",
        object_type="template_version",
        object_id=version.id,
        after={"tenants": [t.slug for t in tenants]},
        actor=actor,
        province=True,
    )
    db.session.commit()
    return results
