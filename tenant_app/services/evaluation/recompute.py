"""Bulk re-scoring of one period code across the province's tenants (``kpi recompute``).

Each tenant is processed inside its own ``tenant_context`` with ``scores.score_people`` (a few
set-based queries per tenant, whatever its size) and committed on its own, so a tenant that fails
does not undo the others.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.models.staff import StaffMember
from tenant_app.models.tenants import Tenant
from tenant_app.services.evaluation import scores
from tenant_app.tenancy.context import tenant_context


@dataclass(frozen=True)
class TenantRecompute:
    """What happened in one tenant: people scored, seconds taken, or the error."""

    slug: str
    scored: int
    seconds: float
    skipped: str | None = None
    error: str | None = None


def tenant_ids(slug: str | None = None) -> list[int]:
    """The tenants to process: one by slug, or every tenant (province table, not tenant-owned)."""
    stmt = sa.select(Tenant.id).order_by(Tenant.slug)
    if slug is not None:
        stmt = stmt.where(Tenant.slug == slug)
    return list(db.session.execute(stmt).scalars())


def recompute_tenant(tenant_id: int, code: str) -> TenantRecompute:
    """Re-score everyone with work in period ``code`` of tenant ``tenant_id`` and commit."""
    started = time.perf_counter()
    tenant = db.session.get(Tenant, tenant_id)
    slug = tenant.slug
    try:
        with tenant_context(tenant):
            period = db.session.execute(
                sa.select(Period).where(Period.code == code)
            ).scalar_one_or_none()
            if period is None:
                return TenantRecompute(slug, 0, time.perf_counter() - started, "no period")
            stored = scores.score_people(period)
            db.session.commit()
    except Exception as exc:  # one tenant's failure is reported, the others go on
        db.session.rollback()
        return TenantRecompute(slug, 0, time.perf_counter() - started, error=str(exc)[:300])
    finally:
        db.session.expunge_all()  # keep memory flat across hundreds of tenants
    return TenantRecompute(slug, len(stored), time.perf_counter() - started)


def recompute_period(code: str, slug: str | None = None, on_tenant=None) -> list[TenantRecompute]:
    """Re-score period ``code`` in every tenant (or the named one); ``on_tenant`` sees each."""
    results = []
    for tenant_id in tenant_ids(slug):
        result = recompute_tenant(tenant_id, code)
        results.append(result)
        if on_tenant is not None:
            on_tenant(result)
    return results


def dry_run_period(code: str, slug: str | None = None) -> list[str] | None:
    """Lines naming each person whose stored total or grade differs from a fresh computation.

    Writes nothing (each unit's session is rolled back). Returns None when ``slug`` names no
    unit. A line: ``unit  staff code  name  69.999999 HTNV (engine 1) → 70.000000 HTT``.
    """
    ids = tenant_ids(slug)
    if slug is not None and not ids:
        return None
    lines = []
    for tenant_id in ids:
        tenant = db.session.get(Tenant, tenant_id)
        try:
            with tenant_context(tenant):
                period = db.session.execute(
                    sa.select(Period).where(Period.code == code)
                ).scalar_one_or_none()
                if period is None:
                    continue
                found = scores.changes(period)
                names = dict(
                    db.session.execute(
                        sa.select(StaffMember.id, StaffMember.code + " " + StaffMember.full_name)
                    ).all()
                )
                for change in found:
                    lines.append(_change_line(tenant.slug, names.get(change["staff_id"]), change))
        finally:
            db.session.rollback()
            db.session.expunge_all()
    return lines


def _change_line(slug: str, who: str | None, change: dict) -> str:
    def side(value, engine=None):
        if value is None:
            return "—"
        total, grade = value
        text = f"{format(total, 'f')} {grade}"
        return f"{text} (engine {engine})" if engine else text

    after = side(change["after"]) if change["problem"] is None else f"lỗi: {change['problem']}"
    before = side(change["before"], change.get("before_engine"))
    return f"{slug:24} {who or change['staff_id']}: {before} → {after}"
