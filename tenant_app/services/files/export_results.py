"""The ``results`` export: every evaluated person's result for a scope, across many units.

``write`` reads everything inside the audited cross-tenant door it is given. Scoping is lifted
there, so every query names its units with an explicit ``tenant_id`` filter and every join
carries the row's ``tenant_id``. ``plan`` counts the rows per (unit, period) in one grouped query;
``rows`` then reads whole groups in batches of about BATCH_ROWS rows, one query per batch, so the
number of queries grows with rows / BATCH_ROWS, never with people. Each batch is fetched
completely before its rows are handed out: progress may be committed between rows.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from scoring import Grade
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import LABELS as EVALUATION_LABELS
from tenant_app.models.evaluation import Period, PeriodScore
from tenant_app.models.org import JobPosition, OrgUnit
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.models.tenants import Tenant
from tenant_app.models.vocabulary import AssessmentStage, PeriodStatus
from tenant_app.services.audit import audit_log
from tenant_app.services.comparison.comparison import parse_scope
from tenant_app.services.files.export_writers import open_writer

BATCH_ROWS = 1000
WIDTHS = (28, 14, 28, 30, 30, 16, 12, 30, 16, 26, 18)


def header() -> list[str]:
    return [
        _("Đơn vị"),
        _("Mã nhân sự"),
        _("Họ và tên"),
        _("Phòng/ban"),
        _("Vị trí việc làm"),
        _("Kỳ"),
        _("Tổng điểm"),
        _("Xếp loại"),
        _("Điểm tự đánh giá"),
        _("Bước đánh giá"),
        _("Đã phê duyệt"),
    ]


def title() -> str:
    return _("Kết quả đánh giá")


@dataclass(frozen=True)
class Group:
    """The scores of one period of one unit: the unit of batching (never split)."""

    tenant_id: int
    period_id: uuid.UUID
    rows: int


@dataclass
class Plan:
    groups: list[Group]
    tenant_names: dict[int, str]
    period_labels: dict[tuple[int, uuid.UUID], str]

    @property
    def total(self) -> int:
        return sum(g.rows for g in self.groups)


def scope_filter(scope: str, kind: str):
    """The periods counted in ``scope`` (as ``aggregates.periods_in``, without its query)."""
    year = int(scope[:4])
    if kind == "month":
        return sa.and_(Period.kind == "month", Period.year == year, Period.number == int(scope[5:]))
    if kind == "quarter":
        number = int(scope[-1])
        months = list(range(3 * number - 2, 3 * number + 1))
        return sa.and_(
            Period.year == year,
            sa.or_(
                sa.and_(Period.kind == "quarter", Period.number == number),
                sa.and_(Period.kind == "month", Period.number.in_(months)),
            ),
        )
    return Period.year == year


def visible_filter():
    """Published or locked periods (``aggregates.visible`` as SQL): what a plain auditor sees."""
    return sa.or_(Period.published_at.is_not(None), Period.status == PeriodStatus.LOCKED)


def _period_label(kind: str, number: int, year: int) -> str:
    if kind == "month":
        return f"{_('Tháng')} {number:02d}/{year}"
    return f"{_('Quý')} {number}/{year}"


def plan(scope: str, kind: str, tenant_ids: list[int], visibility: str) -> Plan:
    """Count the rows of each (unit, period) in ``scope``: unit name, then period start order."""
    stmt = (
        sa.select(
            PeriodScore.tenant_id,
            PeriodScore.period_id,
            sa.func.count(),
            Tenant.name,
            Period.kind,
            Period.number,
            Period.year,
        )
        .join(Period, tenant_join(Period.id, PeriodScore.period_id))
        .join(Tenant, Tenant.id == PeriodScore.tenant_id)
        .where(
            PeriodScore.tenant_id.in_(tenant_ids),
            Period.tenant_id.in_(tenant_ids),
            scope_filter(scope, kind),
        )
        .group_by(
            PeriodScore.tenant_id,
            PeriodScore.period_id,
            Tenant.name,
            Period.kind,
            Period.number,
            Period.year,
            Period.starts_on,
        )
        .order_by(Tenant.name, PeriodScore.tenant_id, Period.starts_on, Period.kind)
    )
    if visibility != "all":
        stmt = stmt.where(visible_filter())
    groups, names, labels = [], {}, {}
    for tid, pid, count, name, period_kind, number, year in db.session.execute(stmt):
        groups.append(Group(tid, pid, count))
        names[tid] = name
        labels[(tid, pid)] = _period_label(period_kind, number, year)
    return Plan(groups, names, labels)


def batches(groups: list[Group], size: int = BATCH_ROWS) -> Iterator[list[Group]]:
    """Consecutive groups adding up to at least ``size`` rows (a larger group goes alone)."""
    batch, rows = [], 0
    for group in groups:
        batch.append(group)
        rows += group.rows
        if rows >= size:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch


def _batch_statement(batch: list[Group]):
    by_tenant: dict[int, list[uuid.UUID]] = {}
    for group in batch:
        by_tenant.setdefault(group.tenant_id, []).append(group.period_id)
    ps = PeriodScore
    in_force = tenant_join(
        StaffAssignment.staff_id,
        ps.staff_id,
        StaffAssignment.effective_from <= Period.ends_on,
        sa.or_(
            StaffAssignment.effective_to.is_(None), StaffAssignment.effective_to > Period.ends_on
        ),
    )
    return (
        sa.select(
            # Only a key to drop a duplicated score: compared as text, never made a UUID.
            sa.type_coerce(ps.id, sa.String).label("id"),
            ps.tenant_id,
            ps.period_id,
            StaffMember.code,
            StaffMember.full_name,
            OrgUnit.name.label("unit_name"),
            JobPosition.name.label("position_name"),
            ps.total,
            ps.grade,
            ps.self_total,
            ps.stage,
            ps.approved_at,
        )
        .join(Period, tenant_join(Period.id, ps.period_id))
        .join(StaffMember, tenant_join(StaffMember.id, ps.staff_id))
        .outerjoin(StaffAssignment, in_force)
        .outerjoin(OrgUnit, tenant_join(OrgUnit.id, StaffAssignment.org_unit_id))
        .outerjoin(JobPosition, tenant_join(JobPosition.id, StaffAssignment.position_id))
        .where(
            sa.or_(
                *(
                    sa.and_(ps.tenant_id == tid, ps.period_id.in_(pids))
                    for tid, pids in by_tenant.items()
                )
            )
        )
    )


@functools.lru_cache(maxsize=4096)
def _local(value: datetime | None) -> datetime | None:
    """A stored naive UTC time as naive Asia/Ho_Chi_Minh time (what the reader expects to see)."""
    return None if value is None else audit_log.to_local(value)


def rows(plan: Plan, size: int = BATCH_ROWS) -> Iterator[list]:
    """Yield one list of typed cells per score, in ``header()`` order (see ``export_writers``)."""
    grades = {g.value: g.label for g in Grade}
    stages = {code: str(EVALUATION_LABELS[code]) for code in AssessmentStage}
    order = {(g.tenant_id, g.period_id): i for i, g in enumerate(plan.groups)}
    for batch in batches(plan.groups, size):
        fetched = db.session.execute(_batch_statement(batch)).all()
        # One post per person at the period's end; a stray overlap must not duplicate a score.
        seen: set[str] = set()
        fetched.sort(key=lambda r: (order[r[1], r[2]], r[5] or "\uffff", r[3]))
        for sid, tid, pid, code, name, unit, position, total, grade, own, stage, when in fetched:
            if sid in seen:
                continue
            seen.add(sid)
            yield [
                plan.tenant_names[tid],
                code,
                name,
                unit,
                position,
                plan.period_labels[tid, pid],
                total,
                grades.get(grade, grade),
                own,
                stages.get(stage, stage),
                _local(when),
            ]


def write(
    period: str,
    tenant_ids: list[int],
    visibility: str,
    *,
    file_format: str,
    path: Path,
    reader,
    progress,
    every: int,
) -> int:
    """Write the export of ``period`` for ``tenant_ids`` (empty: every unit) to ``path``.

    ``reader(tenant_ids=…)`` opens the audited cross-tenant door (None: every unit), inside which
    everything is read; ``progress(done, total)`` is called (it commits) before the first row
    and every ``every`` rows. Returns the rows written; a partial file is left to the caller.
    """
    scope, kind = parse_scope(period)
    with reader(tenant_ids=tenant_ids or None):
        ids = tenant_ids or list(db.session.execute(sa.select(Tenant.id)).scalars())
        chosen = plan(scope, kind, ids, visibility)
        progress(0, chosen.total)
        writer = open_writer(file_format, path, header(), title(), WIDTHS)
        written = 0
        try:
            for row in rows(chosen):
                writer.write(row)
                written += 1
                if written % every == 0:
                    progress(written, chosen.total)
            writer.close()
        except BaseException:
            writer.abort()
            raise
    return written
