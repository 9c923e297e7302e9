"""General-criteria assessments by stage, the head's approval, and publication of a period.

Chain: the period's own (``chain``): by default self-assessment → direct manager → head of the
agency approves → published to the unit; 2 to 4 stages as configured (self → head for a small
unit; self → manager → deputy in charge → head). Each stage's points are kept; the score uses
the latest stage present, and each stage's own total and grade are kept with it.

Separation of duties lives here, so HTML, API, imports and jobs all get it: nobody assesses
(beyond the self stage) or approves their own record, and the head of the unit (``unit_head``)
is assessed at the manager stage and approved only by the competent higher level, a province
account with the ``head_reviewer`` duty acting through ``tenancy.door.head_review_write``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.formatting import normalise_number
from tenant_app.models.base import tenant_join, utcnow
from tenant_app.models.evaluation import (
    Assessment,
    Assignment,
    Period,
    PeriodScore,
    Report,
    label,
)
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import AssessmentStage, ReportStatus
from tenant_app.services.comparison import aggregates
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import assignments, chain, deciding, periods, scores
from tenant_app.services.evaluation.unit_head import unit_head
from tenant_app.services.workspace import notifications, staff

STAGE_WINDOW = chain.STAGE_WINDOW


def is_head_of_agency(user) -> bool:
    """The head approves: a manager whose staff record is the unit's head (the explicit
    ``unit_head`` setting), or an account named in the tenant's ``approvers`` setting."""
    if user is None or getattr(user, "is_province", False) or not user.has_role("manager"):
        return False
    from tenant_app.tenancy.context import get_current_tenant

    if user.username in ((get_current_tenant().settings or {}).get("approvers") or []):
        return True
    head = unit_head()
    return head is not None and head.user_id is not None and head.user_id == user.id


def is_head_reviewer(user) -> bool:
    """Whether ``user`` is a province account with the competent higher level's duty."""
    return bool(
        user is not None
        and getattr(user, "is_province", False)
        and getattr(user, "is_active", False)
        and getattr(user, "head_reviewer", False)
    )


def is_own_record(actor, person: StaffMember) -> bool:
    """Whether ``person`` is the staff record linked to ``actor``'s own account."""
    return (
        actor is not None
        and not getattr(actor, "is_province", False)
        and person.user_id is not None
        and person.user_id == getattr(actor, "id", None)
    )


def ensure_not_own_record(actor, person: StaffMember) -> None:
    """Raise ServiceError ``own_record`` (403) when ``person`` is ``actor``'s own record."""
    if is_own_record(actor, person):
        raise ServiceError(
            "own_record",
            _(
                "Không ai được tự đánh giá ở bước của cấp trên hoặc tự phê duyệt kết quả "
                "của chính mình."
            ),
            status=403,
        )


def _head_refusal() -> ServiceError:
    return ServiceError(
        "higher_level",
        _("Việc đánh giá và phê duyệt người đứng đầu do cấp có thẩm quyền cấp trên thực hiện."),
        status=403,
    )


def _vc_refusal(names) -> ServiceError:
    return ServiceError(
        "higher_level",
        _(
            "Kết quả của viên chức %(names)s do cấp có thẩm quyền cấp trên quyết định và phê "
            "duyệt (cấu hình của kỳ: cấp quyết định xếp loại viên chức là cấp trên).",
            names=", ".join(names),
        ),
        status=403,
    )


def reserved_ids(staff_ids, *, actor, higher_level=None) -> set:
    """The people among ``staff_ids`` whom ``actor`` may not approve: their own record, and
    unless ``actor`` is the competent higher level, the unit's head and ``higher_level`` (the
    people whose decision is the higher level's: ``deciding.period_reserved`` or
    ``deciding.year_reserved``; the head only when not given)."""
    ids = set(staff_ids)
    if not ids:
        return set()
    head = unit_head()
    reserved = set()
    if not is_head_reviewer(actor):
        if head is not None and head.id in ids:
            reserved.add(head.id)
        reserved |= set(higher_level or ()) & ids
    if actor is not None and not getattr(actor, "is_province", False):
        own = staff.staff_for_user(actor)
        if own is not None and own.id in ids:
            reserved.add(own.id)
    return reserved


def _may_assess(stage: str, actor, person: StaffMember) -> bool:
    """Whether ``actor`` may record ``stage`` for ``person`` (raises for reserved records)."""
    if stage == AssessmentStage.SELF:
        return (
            person.user_id is not None
            and person.user_id == getattr(actor, "id", None)
            and (not getattr(actor, "is_province", False))
        )
    ensure_not_own_record(actor, person)
    head = unit_head()
    if head is not None and head.id == person.id:
        # The head's manager stage belongs to the competent higher level; there is no
        # leader stage above the head inside the unit.
        if stage == AssessmentStage.MANAGER and is_head_reviewer(actor):
            return True
        raise _head_refusal()
    if getattr(actor, "is_province", False):
        return False
    if stage == AssessmentStage.MANAGER:
        return assignments.can_manage(actor, person)
    if stage == AssessmentStage.DEPUTY:
        return chain.is_deputy_in_charge(actor, person)
    return is_head_of_agency(actor)


def acting_stage(period: Period, person: StaffMember, actor) -> str | None:
    """The stage ``actor`` records for ``person`` from the review page, or None.

    Among the period's stages for ``person`` after the self-assessment, the one of ``actor``'s
    most specific role: the direct manager's, then the deputy in charge's, then the earliest
    stage ``actor`` may record at all (a head who directs everyone records the manager stage
    of the default chain and the head's stage of self → head).
    """
    stages = [s for s in chain.chain_for(period, person) if s != AssessmentStage.SELF]

    def may(stage) -> bool:
        try:
            return _may_assess(stage, actor, person)
        except ServiceError:
            return False

    own = None if getattr(actor, "is_province", False) else staff.staff_for_user(actor)
    if (
        AssessmentStage.MANAGER in stages
        and own is not None
        and person.manager_id == own.id
        and may(AssessmentStage.MANAGER)
    ):
        return AssessmentStage.MANAGER
    if AssessmentStage.DEPUTY in stages and may(AssessmentStage.DEPUTY):
        return AssessmentStage.DEPUTY
    return next((s for s in stages if may(s)), None)


def _ensure_in_chain(period: Period, person: StaffMember, stage: str) -> None:
    """Raise ServiceError unless ``stage`` is one of the period's stages for ``person``, and the
    deputy's stage comes after the stage before it."""
    stages = chain.chain_for(period, person)
    if stage not in stages:
        raise ServiceError(
            "stage_not_in_chain",
            _(
                "Bước “%(stage)s” không có trong trình tự phê duyệt của kỳ %(code)s (%(chain)s).",
                stage=label(stage),
                code=period.code,
                chain=chain.chain_label(stages),
            ),
            field="stage",
            status=409,
        )
    before = chain.previous_stage(stages, stage)
    if stage == AssessmentStage.DEPUTY and get_assessment(period, person, before) is None:
        raise ServiceError(
            "previous_stage_missing",
            _(
                "%(name)s chưa qua bước “%(stage)s”: cấp phó phụ trách đánh giá sau bước này.",
                name=person.full_name,
                stage=label(before),
            ),
            status=409,
        )


def _points(general, params) -> list[Decimal]:
    criteria = params.general_criteria
    if not isinstance(general, list | tuple) or len(general) != len(criteria):
        raise ServiceError(
            "invalid_general",
            _("Cần chấm đủ %(n)d tiêu chí chung.", n=len(criteria)),
            field="general",
        )
    points = []
    for i, (value, criterion) in enumerate(zip(general, criteria, strict=True)):
        try:
            number = Decimal(normalise_number(str(value)))
        except (InvalidOperation, ValueError):
            number = Decimal(-1)
        if not number.is_finite() or number < 0 or number > criterion.max_points:
            raise ServiceError(
                "invalid_general",
                _(
                    "Điểm tiêu chí “%(name)s” phải từ 0 đến %(max)s.",
                    name=criterion.label,
                    max=f"{criterion.max_points.normalize():f}",
                ),
                field=f"general[{i}]",
            )
        points.append(number)
    return points


def get_assessment(period: Period, person: StaffMember, stage: str) -> Assessment | None:
    return db.session.execute(
        sa.select(Assessment).where(
            Assessment.period_id == period.id,
            Assessment.staff_id == person.id,
            Assessment.stage == stage,
        )
    ).scalar_one_or_none()


def save_assessment(
    period: Period,
    person: StaffMember,
    *,
    stage: str,
    general,
    actor,
    organising=None,
    comment: str | None = None,
    today: date | None = None,
) -> Assessment:
    """Record ``stage``'s general-criteria points (and a leader's organising percent).

    Raises ServiceError for the wrong person at a stage (``own_record`` for one's own record
    beyond the self stage, ``higher_level`` for the unit's head), a closed window, or points
    out of range.
    """
    if stage not in STAGE_WINDOW:
        raise ServiceError("invalid_stage", _("Bước đánh giá không hợp lệ."), field="stage")
    periods.ensure_window(period, STAGE_WINDOW[stage], today)
    _ensure_in_chain(period, person, stage)
    if not _may_assess(stage, actor, person):
        raise ServiceError(
            "forbidden", _("Bạn không thực hiện được bước đánh giá này."), status=403
        )
    points = _points(general, periods.params_of(period))
    org_value = None
    if organising not in (None, ""):
        try:
            org_value = Decimal(normalise_number(str(organising)))
        except (InvalidOperation, ValueError):
            org_value = Decimal(-1)
        if not org_value.is_finite() or not 0 <= org_value <= 100:
            raise ServiceError(
                "invalid_organising",
                _("Năng lực tổ chức thực hiện phải từ 0 đến 100%."),
                field="organising",
            )
    row = get_assessment(period, person, stage)
    before = None if row is None else {"general": row.general, "organising": row.organising}
    if row is None:
        row = Assessment(period_id=period.id, staff_id=person.id, stage=stage)
        db.session.add(row)
    row.general = [str(p) for p in points]
    row.organising = org_value
    row.comment = (comment or "").strip() or None
    row.by_user, row.by_province_user = _actor_ids(actor)
    db.session.flush()
    audit.record(
        f"assessment.{stage}",
        object_type="assessment",
        object_id=row.id,
        before=before,
        after={"general": row.general, "organising": org_value, "staff_id": person.id},
        actor=actor,
    )
    scores.mark_stale(period, person.id)
    return row


def _actor_ids(actor) -> tuple:
    """(tenant user id, province user id) of ``actor``: one of them is None."""
    if getattr(actor, "is_province", False):
        return None, actor.id
    return actor.id, None


def pending_reviews(period: Period, staff_ids) -> dict:
    """Submitted reports not yet reviewed, counted per person."""
    rows = db.session.execute(
        sa.select(Assignment.staff_id, sa.func.count())
        .join(Report, tenant_join(Report.assignment_id, Assignment.id))
        .where(
            Assignment.period_id == period.id,
            Report.status == ReportStatus.SUBMITTED,
            Assignment.staff_id.in_(list(staff_ids)),
        )
        .group_by(Assignment.staff_id)
    ).all()
    return dict(rows)


def approve(period: Period, staff_ids, *, actor, today: date | None = None) -> list[PeriodScore]:
    """The head of the agency approves the scores of ``staff_ids``; the competent higher level
    (``head_reviewer``) approves the head's.

    Refused (nothing approved) if any of them is the approver's own record (``own_record``) or
    the unit's head approved from inside the unit (``higher_level``), has a report not yet
    reviewed, no manager assessment, or no score.
    """
    periods.ensure_window(period, "approval", today)
    ids = list(staff_ids)
    # The head's result, and a viên chức's under vc_2026 when ``vc_deciding_role`` names the
    # higher level, are decided (and locked by the approval) by the competent higher level.
    higher = deciding.period_reserved(period, ids)
    if is_head_reviewer(actor):
        if not ids or any(sid not in higher for sid in ids):
            raise ServiceError(
                "forbidden",
                _(
                    "Cấp có thẩm quyền cấp trên chỉ phê duyệt kết quả của người đứng đầu và của "
                    "viên chức mà cấu hình của kỳ giao cho cấp trên quyết định."
                ),
                status=403,
            )
    elif not is_head_of_agency(actor):
        raise ServiceError("forbidden", _("Chỉ người đứng đầu cơ quan mới phê duyệt."), status=403)
    reserved = reserved_ids(ids, actor=actor, higher_level=higher)
    if reserved:
        own = staff.staff_for_user(actor) if not getattr(actor, "is_province", False) else None
        if own is not None and own.id in reserved:
            ensure_not_own_record(actor, own)
        employees = [sid for sid in reserved if higher.get(sid) == "vien_chuc"]
        if employees:
            named = db.session.execute(
                sa.select(StaffMember.full_name)
                .where(StaffMember.id.in_(employees))
                .order_by(StaffMember.full_name)
            ).scalars()
            raise _vc_refusal(list(named))
        raise _head_refusal()
    waiting = pending_reviews(period, ids)
    scores = {
        s.staff_id: s
        for s in db.session.execute(
            sa.select(PeriodScore).where(
                PeriodScore.period_id == period.id, PeriodScore.staff_id.in_(ids)
            )
        ).scalars()
    }
    people = {
        p.id: p
        for p in db.session.execute(sa.select(StaffMember).where(StaffMember.id.in_(ids))).scalars()
    }
    chains = chain.chains_for(period, people.values())
    for sid in ids:
        name = people[sid].full_name if sid in people else str(sid)
        if waiting.get(sid):
            raise ServiceError(
                "unreviewed", _("%(name)s còn báo cáo chưa được thẩm định.", name=name), status=409
            )
        if sid not in scores:
            raise ServiceError(
                "no_score", _("%(name)s chưa có điểm để phê duyệt.", name=name), status=409
            )
        stages = chains[sid]
        if not chain.decision_stage_reached(stages, scores[sid].stage):
            raise _stage_missing(stages, scores[sid].stage, name)
    now = utcnow()
    for sid in ids:
        row = scores[sid]
        (row.approved_by, row.approved_by_province), row.approved_at = _actor_ids(actor), now
        audit.record(
            "score.approved",
            object_type="period_score",
            object_id=scores[sid].id,
            after={
                "staff_id": sid,
                "total": scores[sid].total,
                "grade": scores[sid].grade,
                "stage": scores[sid].stage,
            },
            actor=actor,
        )
    return [scores[sid] for sid in ids]


def _stage_missing(stages, stage: str | None, name: str) -> ServiceError:
    """The refusal of a decision on a score that has not reached the stage before it."""
    needed = stages[-2]
    if needed == AssessmentStage.MANAGER:
        return ServiceError(
            "no_manager_assessment",
            _("%(name)s chưa được người quản lý đánh giá.", name=name),
            status=409,
        )
    return ServiceError(
        "stage_missing",
        _("%(name)s chưa qua bước “%(stage)s”.", name=name, stage=label(needed)),
        status=409,
    )


def approve_all(
    period: Period, staff_ids, *, actor, today: date | None = None
) -> tuple[list[PeriodScore], list[StaffMember]]:
    """Approve everyone in ``staff_ids`` that ``actor`` may approve, as ``approve`` does.

    Returns (approved scores, people skipped): the approver's own record and the unit's head
    are skipped, never approved, and named for the screen to say so.
    """
    ids = list(staff_ids)
    reserved = reserved_ids(ids, actor=actor, higher_level=deciding.period_reserved(period, ids))
    skipped = []
    if reserved:
        skipped = list(
            db.session.execute(
                sa.select(StaffMember)
                .where(StaffMember.id.in_(list(reserved)))
                .order_by(StaffMember.full_name)
            ).scalars()
        )
    chosen = [sid for sid in ids if sid not in reserved]
    if not chosen:
        if skipped:
            raise ServiceError("only_reserved", skipped_message(skipped), status=409)
        return [], []
    return approve(period, chosen, actor=actor, today=today), skipped


def skipped_message(skipped) -> str:
    """What the approval screen says about the people ``approve_all`` left out."""
    return _(
        "Không phê duyệt %(names)s: không ai tự phê duyệt kết quả của chính mình; kết quả của "
        "người đứng đầu (và của viên chức khi cấu hình của kỳ giao cho cấp trên) do cấp có thẩm "
        "quyền cấp trên phê duyệt.",
        names=", ".join(p.full_name for p in skipped),
    )


def publish(period: Period, *, actor) -> Period:
    """Publish the period's results to the unit once every score is approved."""
    if not is_head_of_agency(actor):
        raise ServiceError(
            "forbidden", _("Chỉ người đứng đầu cơ quan mới công khai kết quả."), status=403
        )
    return _publish(period, actor)


def publish_by_calendar(period: Period) -> Period | None:
    """Publish, as the scheduler, a period whose every score the head (and the competent
    higher level) approved: publication follows the human approvals, it decides nothing.
    Returns None (nothing changed) when already published, without scores or not all approved.
    """
    try:
        return _publish(period, None)
    except ServiceError:
        return None


def _publish(period: Period, actor) -> Period:
    if period.published_at is not None:
        raise ServiceError("already_published", _("Kết quả kỳ này đã được công khai."), status=409)
    rows = (
        db.session.execute(sa.select(PeriodScore).where(PeriodScore.period_id == period.id))
        .scalars()
        .all()
    )
    if not rows:
        raise ServiceError("no_scores", _("Kỳ đánh giá chưa có kết quả."), status=409)
    unapproved = [r for r in rows if r.approved_at is None]
    if unapproved:
        raise ServiceError(
            "not_approved", _("Còn %(n)d người chưa được phê duyệt.", n=len(unapproved)), status=409
        )
    period.published_at = utcnow()
    aggregates.mark_changed(period)
    audit.record(
        "period.published",
        object_type="period",
        object_id=period.id,
        after={"code": period.code, "people": len(rows)},
        actor=actor,
    )
    people = db.session.execute(
        sa.select(StaffMember).where(StaffMember.id.in_([r.staff_id for r in rows]))
    ).scalars()
    for person in people:
        notifications.notify_staff(
            person,
            "score_published",
            _("Kết quả đánh giá kỳ %(code)s đã được công khai.", code=period.code),
            link="scores",
            dedupe=f"published:{period.id}",
        )
    return period
