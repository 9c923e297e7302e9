"""The competent higher level (cấp có thẩm quyền): who holds the duty, and what it sees of a head.

A province administrator grants or withdraws the ``head_reviewer`` duty on a province account
(``head_reviewer.changed`` on the province chain). ``overview`` is what the duty's page shows of
one unit, read inside that unit's context (the caller opens ``tenancy.door.read_one_tenant``);
the two writes go through ``tenancy.door.head_review_write``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.evaluation import AnnualClassification, Assessment, Period, PeriodScore
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.models.users import ProvinceUser
from tenant_app.models.vocabulary import AnnualStatus, AssessmentStage, PeriodStatus
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.evaluation import deciding
from tenant_app.services.evaluation.unit_head import unit_head
from tenant_app.services.workspace import staff


def province_accounts() -> list[ProvinceUser]:
    """Every province account, by name (the grant page lists them all)."""
    return list(
        db.session.execute(
            sa.select(ProvinceUser).order_by(ProvinceUser.full_name, ProvinceUser.username)
        ).scalars()
    )


def set_head_reviewer(user_id: int, allowed: bool, *, actor) -> ProvinceUser:
    """Grant or withdraw the competent higher level's duty; the caller commits.

    Raises ServiceError (403) unless ``actor`` is a province administrator, NotFound for an
    unknown account. A request that changes nothing records nothing.
    """
    if not getattr(actor, "is_province", False) or not actor.has_role("province_admin"):
        raise ServiceError(
            "forbidden",
            _("Chỉ quản trị cấp tỉnh mới giao nhiệm vụ đánh giá người đứng đầu."),
            status=403,
        )
    user = db.session.get(ProvinceUser, user_id)
    if user is None:
        raise NotFound("not_found", _("Không tìm thấy tài khoản cấp tỉnh."))
    before = bool(user.head_reviewer)
    if before == allowed:
        return user
    user.head_reviewer = allowed
    audit.record(
        "head_reviewer.changed",
        object_type="province_user",
        object_id=user.id,
        before={"username": user.username, "head_reviewer": before},
        after={"username": user.username, "head_reviewer": allowed},
        actor=actor,
        province=True,
    )
    return user


@dataclass(frozen=True)
class HeadPeriod:
    """One open period as the competent higher level sees the head in it."""

    period: Period
    self_assessment: Assessment | None
    manager_assessment: Assessment | None
    score: PeriodScore | None


@dataclass(frozen=True)
class ReservedPerson:
    """A viên chức whose decision the configuration gives to the higher level
    (``vc_deciding_role`` = ``higher_level``), in one open period: their result."""

    period: Period
    person: StaffMember
    score: PeriodScore | None


@dataclass(frozen=True)
class HeadOverview:
    head: StaffMember | None
    post: StaffAssignment | None
    periods: list[HeadPeriod]
    # The head's yearly classifications not yet published (newest year first).
    years: list[AnnualClassification] = ()
    # Viên chức the higher level decides, per open period and per year not yet published.
    employees: list[ReservedPerson] = ()
    employee_years: list[tuple[AnnualClassification, StaffMember]] = ()


def overview() -> HeadOverview:
    """The unit in context: its head, the head's post and, per open period, the head's
    self and manager assessments and result (newest period first); then the head's yearly
    classifications still to decide or approve, or approved and not yet published."""
    head = unit_head()
    employees, employee_years = _employees()
    if head is None:
        return HeadOverview(None, None, [], [], employees, employee_years)
    open_periods = db.session.execute(
        sa.select(Period)
        .where(Period.status == PeriodStatus.OPEN)
        .order_by(Period.starts_on.desc())
    ).scalars()
    rows = []
    for period in open_periods:
        stages = {
            a.stage: a
            for a in db.session.execute(
                sa.select(Assessment).where(
                    Assessment.period_id == period.id, Assessment.staff_id == head.id
                )
            ).scalars()
        }
        score = db.session.execute(
            sa.select(PeriodScore).where(
                PeriodScore.period_id == period.id, PeriodScore.staff_id == head.id
            )
        ).scalar_one_or_none()
        rows.append(
            HeadPeriod(
                period, stages.get(AssessmentStage.SELF), stages.get(AssessmentStage.MANAGER), score
            )
        )
    years = db.session.execute(
        sa.select(AnnualClassification)
        .where(
            AnnualClassification.staff_id == head.id,
            AnnualClassification.status != AnnualStatus.PUBLISHED,
        )
        .order_by(AnnualClassification.year.desc())
    ).scalars()
    return HeadOverview(
        head, staff.current_assignment(head.id), rows, list(years), employees, employee_years
    )


def _employees() -> tuple[list[ReservedPerson], list]:
    """The viên chức whose decision is the higher level's: per open period, everyone with a
    score (approved or not); per year not yet published, their classification."""
    out = []
    for period in db.session.execute(
        sa.select(Period)
        .where(Period.status == PeriodStatus.OPEN)
        .order_by(Period.starts_on.desc())
    ).scalars():
        if not deciding.vc_higher_level(period):
            continue
        scored = {
            s.staff_id: s
            for s in db.session.execute(
                sa.select(PeriodScore).where(PeriodScore.period_id == period.id)
            ).scalars()
        }
        reserved = deciding.period_reserved(period, scored)
        ids = [sid for sid, why in reserved.items() if why == "vien_chuc"]
        for person in _people(ids):
            out.append(ReservedPerson(period, person, scored.get(person.id)))
    years = []
    pending = db.session.execute(
        sa.select(AnnualClassification.year)
        .where(AnnualClassification.status != AnnualStatus.PUBLISHED)
        .distinct()
    ).scalars()
    for year in sorted(pending, reverse=True):
        rows = {
            r.staff_id: r
            for r in db.session.execute(
                sa.select(AnnualClassification).where(
                    AnnualClassification.year == year,
                    AnnualClassification.status != AnnualStatus.PUBLISHED,
                )
            ).scalars()
        }
        reserved = deciding.year_reserved(year, rows)
        ids = [sid for sid, why in reserved.items() if why == "vien_chuc"]
        years.extend((rows[p.id], p) for p in _people(ids))
    return out, years


def _people(ids) -> list[StaffMember]:
    if not ids:
        return []
    return list(
        db.session.execute(
            sa.select(StaffMember).where(StaffMember.id.in_(ids)).order_by(StaffMember.full_name)
        ).scalars()
    )
