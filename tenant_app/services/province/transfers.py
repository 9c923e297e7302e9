"""Transfers between units of the province: the steps on each side, run by the door.

A province administrator moves a person from unit X to unit Y from an effective date D. The
steps below each run inside one unit's ordinary scope; ``tenancy.door.transfer_write`` is the
only caller of the writing steps (``leave`` in X, ``arrive`` in Y), in one transaction, with the
audit events of both units and of the province (a test checks that nothing else calls them).

- ``departure`` (in X, read only): the person, their published period results of D's year that
  ended before D (they move), and the work of unpublished periods (it stays, listed).
- ``check_arrival`` (in Y, read only): the staff code is free, the org unit and position exist.
- ``leave`` (in X): the record ends the day before D, the account is disabled, nothing deleted.
- ``arrive`` (in Y): a new record from D with the same code, type, rank, salary and quota group,
  one ``ReceivedResult`` per result moved, and the ``StaffTransfer`` row of each side.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from scoring.numbers import exact_text
from scoring.service_time import period_service
from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.audit import ProvinceAuditEvent
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Assignment, Period, PeriodScore
from tenant_app.models.org import JobPosition, OrgUnit
from tenant_app.models.staff import StaffMember
from tenant_app.models.tenants import Tenant
from tenant_app.models.transfers import ReceivedResult, StaffTransfer
from tenant_app.models.users import User
from tenant_app.models.vocabulary import PeriodStatus
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.evaluation.scores import exact_total
from tenant_app.services.workspace import absences, accounts
from tenant_app.services.workspace import staff as staff_service
from tenant_app.tenancy.context import current_tenant_id

MIN_REFERENCE = 3
MAX_REFERENCE = 100
MIN_REASON = 10
MAX_REASON = 1000
# A transfer takes effect within the product's years: nothing before its records, nothing far off.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


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


@dataclass(frozen=True)
class TransferRequest:
    """The administrator's request, validated: who, from when, where to, on what decision."""

    staff_id: uuid.UUID
    effective_on: date
    org_unit_id: uuid.UUID
    position_id: uuid.UUID
    reference: str
    reason: str
    warnings: list = field(default_factory=list)


def _uuid(value, name: str, label: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise ServiceError("required", _("Cần chọn %(f)s.", f=label), field=name) from None


def check_request(
    *, staff_id, effective_on, org_unit_id, position_id, reference, reason
) -> TransferRequest:
    """Validate the request's fields (not yet against either unit); raises ServiceError naming
    the field."""
    if not isinstance(effective_on, date):
        raise ServiceError(
            "required", _("Cần nhập ngày hiệu lực của việc chuyển."), field="effective_on"
        )
    if not EARLIEST <= effective_on <= LATEST:
        raise ServiceError(
            "date_out_of_range",
            _("Ngày hiệu lực nằm ngoài khoảng cho phép."),
            field="effective_on",
        )
    reference = (reference or "").strip()
    if not MIN_REFERENCE <= len(reference) <= MAX_REFERENCE:
        raise ServiceError(
            "reference_required",
            _(
                "Cần ghi số quyết định điều động, luân chuyển (%(a)d đến %(b)d ký tự).",
                a=MIN_REFERENCE,
                b=MAX_REFERENCE,
            ),
            field="reference",
        )
    reason = (reason or "").strip()
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise ServiceError(
            "reason_required",
            _("Cần ghi lý do chuyển (%(a)d đến %(b)d ký tự).", a=MIN_REASON, b=MAX_REASON),
            field="reason",
        )
    return TransferRequest(
        staff_id=_uuid(staff_id, "staff_id", _("người được chuyển")),
        effective_on=effective_on,
        org_unit_id=_uuid(org_unit_id, "org_unit_id", _("đơn vị công tác ở nơi đến")),
        position_id=_uuid(position_id, "position_id", _("vị trí việc làm ở nơi đến")),
        reference=reference,
        reason=reason,
    )


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


def _side(transfer_id, direction, person_id, leaving: Departure, request, other, actor, moved):
    row = StaffTransfer(
        transfer_id=transfer_id, direction=direction, staff_id=person_id,
        staff_code=leaving.code, full_name=leaving.full_name,
        effective_on=request.effective_on, other_unit_name=other.name,
        other_unit_slug=other.slug, reference=request.reference, reason=request.reason,
        results_moved=moved, made_by_province=getattr(actor, "id", None),
    )  # fmt: skip
    db.session.add(row)
    return row


def _detail(transfer_id, leaving: Departure, request, source, target) -> dict:
    return {
        "transfer_id": transfer_id,
        "staff_code": leaving.code,
        "full_name": leaving.full_name,
        "effective_on": request.effective_on,
        "from_unit": source.slug,
        "to_unit": target.slug,
        "reference": request.reference,
        "reason": request.reason,
        "results_moved": [r.code for r in leaving.results],
    }


def leave(leaving: Departure, request: TransferRequest, *, transfer_id, source, target, actor):
    """In X: end the record the day before, disable the account, keep everything, record the
    ``out`` side and the ``staff.transfer_out`` event. Returns the StaffTransfer row."""
    person = staff_service.get_staff(leaving.staff_id)
    staff_service.end_staff(person, request.effective_on - timedelta(days=1))
    if person.user_id is not None:
        user = db.session.get(User, (person.tenant_id, person.user_id))
        if user is not None and user.active:
            accounts.update_user(user, actor=actor, active=False)
    row = _side(
        transfer_id, "out", person.id, leaving, request, target, actor, len(leaving.results)
    )
    audit.record(
        "staff.transfer_out",
        object_type="staff",
        object_id=person.id,
        after=_detail(transfer_id, leaving, request, source, target),
        actor=actor,
    )
    return row


def arrive(
    leaving: Departure, request: TransferRequest, *, transfer_id, source, target, actor
) -> StaffMember:
    """In Y: the new record from the date (same code, type, rank, salary, quota group; the post
    chosen), the received results, the ``in`` side and the ``staff.transfer_in`` event.

    Returns the new StaffMember; raises ServiceError as ``staff.create_staff`` does.
    """
    person = staff_service.create_staff(
        {
            "code": leaving.code,
            "full_name": leaving.full_name,
            "staff_type": leaving.staff_type,
            "rank_code": leaving.rank_code,
            "quota_group": leaving.quota_group,
            "monthly_salary": leaving.monthly_salary,
            "start_date": request.effective_on,
            "org_unit_id": request.org_unit_id,
            "position_id": request.position_id,
            "decision_ref": request.reference,
        }
    )
    db.session.flush()
    for result in leaving.results:
        db.session.add(
            ReceivedResult(
                staff_id=person.id, transfer_id=transfer_id, year=result.year,
                period_code=result.code, period_label=result.label, period_kind=result.kind,
                starts_on=result.starts_on, ends_on=result.ends_on, total=result.total,
                total_exact=result.total_exact, grade=result.grade,
                forced_fail=result.forced_fail, service=result.service,
                source_unit_name=source.name, source_unit_slug=source.slug,
                source_period_id=result.period_id, source_staff_code=leaving.code,
            )
        )  # fmt: skip
    _side(transfer_id, "in", person.id, leaving, request, source, actor, len(leaving.results))
    audit.record(
        "staff.transfer_in",
        object_type="staff",
        object_id=person.id,
        after=_detail(transfer_id, leaving, request, source, target),
        actor=actor,
    )
    return person


def transfers_of(staff_ids=None) -> dict[uuid.UUID, list[StaffTransfer]]:
    """{staff id: [StaffTransfer]} of the unit in context, newest first (for the staff pages)."""
    stmt = sa.select(StaffTransfer).order_by(StaffTransfer.effective_on.desc())
    if staff_ids is not None:
        stmt = stmt.where(StaffTransfer.staff_id.in_(list(staff_ids)))
    found: dict[uuid.UUID, list[StaffTransfer]] = {}
    for row in db.session.execute(stmt).scalars():
        found.setdefault(row.staff_id, []).append(row)
    return found


@dataclass(frozen=True)
class RecentTransfer:
    """A transfer as the province console lists it (from the province audit chain)."""

    occurred_at: object
    actor_name: str | None
    full_name: str
    staff_code: str
    from_unit: str
    to_unit: str
    effective_on: date
    reference: str
    results_moved: int


def recent(limit: int = 50) -> list[RecentTransfer]:
    """The province's latest transfers (its audit events ``staff.transfer``), newest first,
    units by name."""
    names = dict(db.session.execute(sa.select(Tenant.slug, Tenant.name)).all())
    events = db.session.execute(
        sa.select(ProvinceAuditEvent)
        .where(ProvinceAuditEvent.action == "staff.transfer")
        .order_by(ProvinceAuditEvent.seq.desc())
        .limit(limit)
    ).scalars()
    return [
        RecentTransfer(
            occurred_at=e.occurred_at, actor_name=e.actor_name,
            full_name=e.after.get("full_name", ""), staff_code=e.after.get("staff_code", ""),
            from_unit=names.get(e.after.get("from_unit"), e.after.get("from_unit", "")),
            to_unit=names.get(e.after.get("to_unit"), e.after.get("to_unit", "")),
            effective_on=date.fromisoformat(str(e.after.get("effective_on"))),
            reference=e.after.get("reference", ""),
            results_moved=len(e.after.get("results_moved") or ()),
        )
        for e in events
    ]  # fmt: skip


def note(row: StaffTransfer) -> str:
    """``Chuyển đến từ Phường A ngày 01/10/2026`` or ``Đã chuyển đến Phường B ngày 01/10/2026``
    (the date is the first day in the new unit), with the decision."""
    day = row.effective_on.strftime("%d/%m/%Y")
    if row.direction == "in":
        text = _("Chuyển đến từ %(unit)s ngày %(d)s", unit=row.other_unit_name, d=day)
    else:
        text = _("Đã chuyển đến %(unit)s ngày %(d)s", unit=row.other_unit_name, d=day)
    return text + " " + _("(quyết định %(ref)s)", ref=row.reference)


def notes_of(staff_ids) -> dict[uuid.UUID, list[str]]:
    """{staff id: [note]} of the unit in context, newest first (for the staff pages)."""
    return {sid: [note(r) for r in rows] for sid, rows in transfers_of(staff_ids).items()}
