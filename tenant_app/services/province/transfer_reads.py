"""Transfers between units, the reads: what leaves the old unit and where the person lands.

Run inside one unit's scope each (the console's preview through ``tenancy.door.read_one_tenant``,
the transfer itself through ``tenancy.door.transfer_write``); nothing here writes.

- ``departure`` (in X): the person, their published period results of D's year for periods
  starting before D (they move), and the work of unpublished periods (it stays, listed).
- ``check_arrival`` (in Y): the staff code is free, the org unit and position exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from scoring.numbers import exact_text
from scoring.service_time import period_service
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Assignment, Period, PeriodScore
from tenant_app.models.org import JobPosition, OrgUnit
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import PeriodStatus
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.evaluation.scores import exact_total
from tenant_app.services.workspace import absences
from tenant_app.services.workspace import staff as staff_service
from tenant_app.tenancy.context import current_tenant_id


@dataclass(frozen=True)
class MovingResult:
    """A published period result that moves with the person (plain values, no row)."""

    period_id: str
    code: str
    label: str
    kind: str
    year: int
    starts_on: date
    ends_on: date
    total: Decimal
    total_exact: str
    grade: str
    forced_fail: str | None
    service: dict | None


@dataclass(frozen=True)
class StayingWork:
    """Work of an unpublished period that stays in the old unit: the period and what it holds."""

    code: str
    label: str
    status: str
    assignments: int
    scored: bool


@dataclass(frozen=True)
class Departure:
    """What the old unit hands over (read in X): the person, the results, the work that stays."""

    staff_id: uuid.UUID
    code: str
    full_name: str
    staff_type: str
    rank_code: str | None
    monthly_salary: Decimal | None
    quota_group: str | None
    start_date: date
    user_id: uuid.UUID | None
    effective_on: date
    results: tuple[MovingResult, ...] = ()
    staying: tuple[StayingWork, ...] = ()


@dataclass(frozen=True)
class Arrival:
    """Where the person lands in Y: the org unit and position (names for the preview)."""

    org_unit_id: uuid.UUID
    org_unit_name: str
    position_id: uuid.UUID
    position_name: str


def movable_people() -> list[StaffMember]:
    """The people in post in the unit in context, by name (the transfer form's list)."""
    return list(
        db.session.execute(
            sa.select(StaffMember)
            .where(StaffMember.end_date.is_(None))
            .order_by(StaffMember.full_name, StaffMember.code)
        ).scalars()
    )


def destinations() -> tuple[list[OrgUnit], list[JobPosition]]:
    """The active org units and positions of the unit in context (the transfer form's lists)."""
    units = db.session.execute(
        sa.select(OrgUnit).where(OrgUnit.active.is_(True)).order_by(OrgUnit.code)
    ).scalars()
    posts = db.session.execute(
        sa.select(JobPosition).where(JobPosition.active.is_(True)).order_by(JobPosition.code)
    ).scalars()
    return list(units), list(posts)


def _published():
    return sa.or_(Period.published_at.is_not(None), Period.status == PeriodStatus.LOCKED)


def _service_dict(service) -> dict | None:
    if service is None or service.full:
        return None
    return {
        "days_in_period": service.days_in_period,
        "days_in_post": service.days_in_post,
        "days_absent": service.days_absent,
        "absences": [
            {
                "kind": a.kind,
                "starts_on": a.starts_on.isoformat(),
                "ends_on": a.ends_on.isoformat(),
                "reference": a.reference,
            }
            for a in service.absences
        ],
    }


def departure(staff_id, effective_on: date) -> Departure:
    """Read what leaves X with the person (call inside X's scope; writes nothing).

    The results that move are those of published or locked periods of ``effective_on``'s year
    that start before it, each with the person's service in it (leaves, days in post up to the
    day before). Raises NotFound for an unknown person, ServiceError when the person has already
    left or the date is not after their first day.
    """
    try:
        person = staff_service.get_staff(staff_id)
    except NotFound:
        raise NotFound(
            "unknown_staff", _("Không tìm thấy nhân sự ở đơn vị chuyển đi."), field="staff_id"
        ) from None
    if person.end_date is not None:
        raise ServiceError(
            "already_left",
            _("%(name)s đã thôi công tác ở đơn vị này.", name=person.full_name),
            field="staff_id",
        )
    if effective_on <= person.start_date:
        raise ServiceError(
            "before_start",
            _(
                "Ngày hiệu lực phải sau ngày bắt đầu công tác của người này (%(d)s).",
                d=person.start_date.strftime("%d/%m/%Y"),
            ),
            field="effective_on",
        )
    last_day = effective_on - timedelta(days=1)
    rows = db.session.execute(
        sa.select(PeriodScore, Period)
        .join(Period, tenant_join(Period.id, PeriodScore.period_id))
        .where(
            PeriodScore.staff_id == person.id,
            Period.year == effective_on.year,
            Period.starts_on < effective_on,
            _published(),
        )
        .order_by(Period.starts_on)
    ).all()
    spans = absences.spans_by_staff([person.id], date(effective_on.year, 1, 1), last_day)
    results = []
    for score, period in rows:
        service = period_service(
            period.starts_on,
            period.ends_on,
            joined=person.start_date,
            left=last_day,
            absences=spans.get(person.id, ()),
        )
        results.append(
            MovingResult(
                period_id=str(period.id), code=period.code, label=str(period.label),
                kind=period.kind, year=period.year, starts_on=period.starts_on,
                ends_on=period.ends_on, total=score.total,
                total_exact=exact_text(exact_total(score)), grade=score.grade,
                forced_fail=score.forced_fail, service=_service_dict(service),
            )
        )  # fmt: skip
    moved = {r.code for r in results}
    return Departure(
        staff_id=person.id, code=person.code, full_name=person.full_name,
        staff_type=person.staff_type, rank_code=person.rank_code,
        monthly_salary=person.monthly_salary, quota_group=person.quota_group,
        start_date=person.start_date, user_id=person.user_id, effective_on=effective_on,
        results=tuple(results), staying=tuple(_staying(person.id, moved)),
    )  # fmt: skip


def _staying(staff_id, moved: set[str]) -> list[StayingWork]:
    """Periods with the person's work or score that do not move (unpublished, or not of the
    year before the date): they stay in X, read only once the record has ended."""
    assigned = dict(
        db.session.execute(
            sa.select(Assignment.period_id, sa.func.count())
            .where(Assignment.staff_id == staff_id)
            .group_by(Assignment.period_id)
        ).all()
    )
    scored = set(
        db.session.execute(
            sa.select(PeriodScore.period_id).where(PeriodScore.staff_id == staff_id)
        ).scalars()
    )
    ids = set(assigned) | scored
    if not ids:
        return []
    periods = db.session.execute(
        sa.select(Period).where(Period.id.in_(list(ids))).order_by(Period.starts_on)
    ).scalars()
    return [
        StayingWork(p.code, str(p.label), p.status, assigned.get(p.id, 0), p.id in scored)
        for p in periods
        if p.code not in moved and p.published_at is None and p.status != PeriodStatus.LOCKED
    ]


def check_arrival(leaving: Departure, org_unit_id, position_id, *, unit_name: str) -> Arrival:
    """Check in Y (read only) that the person's code is free and the post exists.

    Raises ServiceError naming the field: ``code_taken`` names the person already holding the
    code in ``unit_name``; ``unknown_unit`` / ``unknown_position`` for a post not of Y.
    """
    holder = staff_service.find_staff(leaving.code)
    if holder is not None:
        raise ServiceError(
            "code_taken",
            _(
                "Mã nhân sự %(code)s đã được dùng ở %(unit)s (%(name)s): đổi mã ở một trong hai "
                "đơn vị trước khi chuyển.",
                code=leaving.code,
                unit=unit_name,
                name=holder.full_name,
            ),
            field="staff_id",
        )
    unit = db.session.get(OrgUnit, (_tid(), org_unit_id))
    if unit is None or not unit.active:
        raise ServiceError(
            "unknown_unit",
            _("Đơn vị công tác không tồn tại ở đơn vị chuyển đến."),
            field="org_unit_id",
        )
    post = db.session.get(JobPosition, (_tid(), position_id))
    if post is None or not post.active:
        raise ServiceError(
            "unknown_position",
            _("Vị trí việc làm không tồn tại ở đơn vị chuyển đến."),
            field="position_id",
        )
    return Arrival(unit.id, unit.name, post.id, post.name)


def _tid() -> int:
    return current_tenant_id()
