"""Annual classification: average of the periods worked, forced fails, HTXS quota, head's call.

``compute_year`` proposes a grade per person from every period score of the year in the tenant
and the results received on transfer from another unit (``received``: each shows its source;
a period covered by both counts once), with each period's days worked (join/leave dates and
recorded leaves, ``services.workspace.absences``): a period not worked leaves the average, or is
weighted by its days, as the year's ``absence_policy`` says; ``quota`` counts HTXS against HTT
per agency and quota group (scoring.check_quota) on the *final* grades; only ``decide`` makes a
final grade differ from the proposed one, with a recorded reason; ``approve`` is refused while a
violation is undecided.

Separation of duties, as for period scores: nobody decides or approves their own row, and the
row of the unit's head (``unit_head``) is decided and approved by the competent higher level
(``decide`` / ``approve_head`` for a province account with the ``head_reviewer`` duty, called
through ``tenancy.door.head_review_write``). The head approves everyone else; the year can be
published once the head's row is approved too.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scoring import (
    Grade,
    NotClassified,
    Params,
    PeriodTotal,
    QuotaEntry,
    QuotaReport,
    ScoringInputError,
    check_htxs_share,
    check_quota,
    classify_year,
    classify_year_nd90,
    explanation_to_dict,
    year_service,
)
from scoring.numbers import exact_text
from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join, utcnow
from tenant_app.models.evaluation import (
    AnnualClassification,
    AnnualNotClassified,
    DisciplineRecord,
    Period,
    PeriodScore,
)
from tenant_app.models.org import JobPosition
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.models.vocabulary import AnnualStatus
from tenant_app.services.comparison import aggregates
from tenant_app.services.errors import Conflict, ServiceError
from tenant_app.services.evaluation import deciding, received, unit_ratings
from tenant_app.services.evaluation.assessments import (
    ensure_not_own_record,
    is_head_of_agency,
    is_head_reviewer,
    reserved_ids,
)
from tenant_app.services.evaluation.periods import params_of
from tenant_app.services.evaluation.scores import LEADER_GROUPS, exact_total
from tenant_app.services.evaluation.unit_head import unit_head
from tenant_app.services.workspace import absences, notifications
from tenant_app.services.workspace.lookup import get_scoped
from tenant_app.tenancy.context import get_current_tenant

GRADE_RANK = {"HTXS": 3, "HTT": 2, "HTNV": 1, "KHTNV": 0}
# A person whose latest period of the year was scored under this rule set is classified by the
# old regime's annual rules (public employees before the 2026 decree).
OLD_REGIME = "nd90_2020"
MIN_REASON = 10


@dataclass
class YearView:
    """The year as the head sees it: rows, the quota report, and the people still to decide on."""

    year: int
    rows: list[AnnualClassification]
    report: QuotaReport
    status: str | None
    # People not classified for the year ("Không xếp loại"), with the reason.
    not_classified: list[AnnualNotClassified] = ()

    @property
    def violations(self):
        return self.report.violations

    @property
    def undecided(self) -> bool:
        return bool(self.report.violations)

    @property
    def awaiting_higher_level(self) -> bool:
        """Everyone is approved but the rows the competent higher level decides (the head's,
        and viên chức's when ``vc_deciding_role`` is ``higher_level``), which wait for it."""
        pending = [r for r in self.rows if r.status == AnnualStatus.PROPOSED]
        if not pending:
            return False
        higher = deciding.year_reserved(self.year, [r.staff_id for r in pending])
        return all(r.staff_id in higher for r in pending)

    @property
    def higher_level(self) -> dict:
        """{staff id: "head" or "vien_chuc"}: whose classification the higher level decides."""
        return deciding.year_reserved(self.year, [r.staff_id for r in self.rows])


def _require_head(actor) -> None:
    if not is_head_of_agency(actor):
        raise ServiceError(
            "forbidden",
            _("Chỉ người đứng đầu cơ quan mới xếp loại cuối năm."),
            status=403,
        )


def _higher_level_refusal() -> ServiceError:
    return ServiceError(
        "higher_level",
        _("Xếp loại năm của người đứng đầu do cấp có thẩm quyền cấp trên quyết định và phê duyệt."),
        status=403,
    )


def _vc_year_refusal() -> ServiceError:
    return ServiceError(
        "higher_level",
        _(
            "Xếp loại năm của viên chức này do cấp có thẩm quyền cấp trên quyết định và phê "
            "duyệt (cấu hình: cấp quyết định xếp loại viên chức là cấp trên)."
        ),
        status=403,
    )


def _may_decide(row: AnnualClassification, actor) -> None:
    """The head's row, and a viên chức's when ``vc_deciding_role`` is ``higher_level``, are the
    competent higher level's; any other row the head's (or a named approver's), never one's
    own. Raises ServiceError (403) otherwise."""
    why = deciding.year_reserved(row.year, [row.staff_id]).get(row.staff_id)
    if why is not None:
        if not is_head_reviewer(actor):
            raise _higher_level_refusal() if why == "head" else _vc_year_refusal()
        return
    _require_head(actor)
    person = db.session.get(StaffMember, (row.tenant_id, row.staff_id))
    if person is not None:
        ensure_not_own_record(actor, person)


def head_row(year: int) -> AnnualClassification | None:
    """The head's classification of ``year``, if the unit has a head and the year a row."""
    head = unit_head()
    if head is None:
        return None
    return db.session.execute(
        sa.select(AnnualClassification).where(
            AnnualClassification.year == year, AnnualClassification.staff_id == head.id
        )
    ).scalar_one_or_none()


def _refuse_quota_violations(year: int, rows) -> None:
    report = quota(year, rows)
    if report.violations:
        need = sum(v.must_lower for v in report.violations)
        raise ServiceError(
            "quota_undecided",
            _(
                "Số người HTXS vượt tỷ lệ cho phép: cần quyết định hạ mức ít nhất %(n)d người "
                "(ghi rõ lý do) trước khi phê duyệt.",
                n=need,
            ),
            status=409,
        )


def _year_params(year: int) -> Params:
    latest = db.session.execute(
        sa.select(Period).where(Period.year == year).order_by(Period.ends_on.desc()).limit(1)
    ).scalar_one_or_none()
    return params_of(latest) if latest is not None else Params()


def _leaders(on: date) -> set[uuid.UUID]:
    rows = db.session.execute(
        sa.select(StaffAssignment.staff_id, JobPosition.position_group)
        .join(JobPosition, tenant_join(JobPosition.id, StaffAssignment.position_id))
        .where(
            StaffAssignment.effective_from <= on,
            sa.or_(StaffAssignment.effective_to.is_(None), StaffAssignment.effective_to > on),
        )
    ).all()
    return {sid for sid, group in rows if group in LEADER_GROUPS}


def rows_of(year: int) -> list[AnnualClassification]:
    """The stored classifications of ``year``, by staff name."""
    return list(
        db.session.execute(
            sa.select(AnnualClassification)
            .join(StaffMember, tenant_join(StaffMember.id, AnnualClassification.staff_id))
            .where(AnnualClassification.year == year)
            .order_by(StaffMember.full_name, StaffMember.code)
        ).scalars()
    )


def year_status(rows) -> str | None:
    """``None`` (nothing computed), ``proposed``, ``approved`` or ``published``."""
    statuses = {r.status for r in rows}
    for status in AnnualStatus:
        if status in statuses:
            return status
    return None


def compute_year(year: int, *, actor) -> list[AnnualClassification]:
    """Propose every person's grade for ``year`` from their period scores (the head only).

    A person's earlier decision is kept when their proposed grade does not change. Raises
    ServiceError when the year is already approved or no period of the year has a score.
    """
    _require_head(actor)
    return _compute(year, actor)


def propose_by_calendar(year: int) -> list[AnnualClassification]:
    """Propose ``year``'s grades as the scheduler when the annual stage opens and nothing is
    proposed yet (the engine's proposal; deciding and approving stay with people). Returns []
    when there is nothing to propose or the year is already approved."""
    if rows_of(year):
        return []
    try:
        return _compute(year, None)
    except ServiceError:
        return []


def _compute(year: int, actor) -> list[AnnualClassification]:
    existing = {r.staff_id: r for r in rows_of(year)}
    if any(r.status != AnnualStatus.PROPOSED for r in existing.values()):
        raise Conflict("year_approved", _("Xếp loại năm %(y)d đã được phê duyệt.", y=year))
    params = _year_params(year)
    scores = db.session.execute(
        sa.select(PeriodScore, Period.code, Period.starts_on, Period.ends_on)
        .join(Period, tenant_join(Period.id, PeriodScore.period_id))
        .where(Period.year == year)
        .order_by(Period.starts_on)
    ).all()
    # Results handed over by a previous unit on transfer count beside the unit's own.
    handed = received.received_of(year)
    if not scores and not handed:
        raise ServiceError(
            "no_scores", _("Năm %(y)d chưa có kết quả đánh giá kỳ nào.", y=year), status=409
        )
    people = {s.staff_id for s, *_rest in scores} | set(handed)
    members = {
        p.id: p
        for p in db.session.execute(
            sa.select(StaffMember).where(StaffMember.id.in_(list(people)))
        ).scalars()
    }
    spans = (
        absences.spans_by_staff(
            people,
            min(starts for _s, _c, starts, _e in scores),
            max(ends for _s, _c, _b, ends in scores),
        )
        if scores
        else {}
    )
    own: dict[uuid.UUID, list[received.Dated]] = defaultdict(list)
    # The rule set of each person's latest period of the year (scores are by period start).
    year_rule_set = {score.staff_id: score.rule_set for score, *_rest in scores}
    old_regime = {sid for sid, code in year_rule_set.items() if code == OLD_REGIME}
    year_spans = (
        absences.spans_by_staff(old_regime, date(year, 1, 1), date(year, 12, 31))
        if old_regime
        else {}
    )
    not_classified: list[str] = []
    excluded: list[AnnualNotClassified] = []
    for score, code, starts_on, ends_on in scores:
        # The exact total (engine 2), so an average of exact 70s is 70 and never 69.999…
        exact = exact_total(score)
        person = members.get(score.staff_id)
        # Days worked in the period (join/leave dates, leaves): a period not worked leaves the
        # average, or is weighted by its days under the rule set's ``absence_policy``.
        service = (
            absences.service_in(person, starts_on, ends_on, spans.get(person.id, ()))
            if person is not None
            else None
        )
        total = PeriodTotal(code, exact, forced_fail=score.forced_fail, service=service)
        own[score.staff_id].append(received.Dated(starts_on, ends_on, total))
    arrived = received.arrival_dates(handed) if handed else {}
    totals = {
        staff_id: received.merge(
            own.get(staff_id, []), handed.get(staff_id, []), arrived.get(staff_id)
        )
        for staff_id in people
    }
    discipline = dict(
        db.session.execute(
            sa.select(DisciplineRecord.staff_id, DisciplineRecord.reason).where(
                DisciplineRecord.decision_date.between(date(year, 1, 1), date(year, 12, 31))
            )
        ).all()
    )
    leaders = _leaders(date(year, 12, 31))
    # The head of a public service unit is not rated above the unit's rating of the year.
    head = unit_head(on=date(year, 12, 31))
    head_cap = unit_ratings.cap_for_year(year) if head is not None else None
    stored = []
    for staff_id, periods in totals.items():
        leader = staff_id in leaders
        forced = discipline.get(staff_id)
        person = members.get(staff_id)
        try:
            if staff_id in old_regime and person is not None:
                # Decree 90/2020: months worked and absent in the whole year, from the join and
                # leave dates and the recorded leaves.
                service = year_service(
                    year,
                    joined=person.start_date,
                    left=person.end_date,
                    absences=year_spans.get(staff_id, ()),
                )
                result = classify_year_nd90(
                    periods, service, params, forced_fail=forced, leader=leader
                )
            else:
                result = classify_year(periods, params, forced_fail=forced, leader=leader)
        except ScoringInputError:
            # An invalid total, or no period worked in the year (absent throughout): the person
            # stays out of the proposal rather than grading wrongly; an earlier proposal goes.
            if staff_id in existing:
                db.session.delete(existing.pop(staff_id))
            continue
        if isinstance(result, NotClassified):
            # Under 6 months worked without maternity leave: not classified, shown as "Không
            # xếp loại" with the reason (and named in the audit event); an earlier proposal goes.
            not_classified.append(str(staff_id))
            excluded.append(
                AnnualNotClassified(
                    year=year,
                    staff_id=staff_id,
                    reason=result.reason,
                    explanation=explanation_to_dict(result.explanation),
                )
            )
            if staff_id in existing:
                db.session.delete(existing.pop(staff_id))
            continue
        row = existing.get(staff_id)
        proposed = result.grade.value
        explanation = explanation_to_dict(result.explanation)
        if head_cap is not None and staff_id == head.id:
            proposed = unit_ratings.capped(result.grade, head_cap).value
            explanation.append(unit_ratings.explanation_step(head_cap, result.grade))
        if row is None:
            row = AnnualClassification(year=year, staff_id=staff_id, final_grade=proposed)
            db.session.add(row)
        elif row.proposed_grade != proposed:
            row.final_grade, row.decision_reason = proposed, None
            row.decided_by = row.decided_at = row.decided_by_province = None
        row.average = result.average_stored  # floored to 6 places: agrees with the grade
        row.average_exact = exact_text(result.average)
        row.periods_counted = result.period_count
        row.proposed_grade = proposed
        row.forced_fail = result.forced_fail
        row.status = AnnualStatus.PROPOSED
        row.explanation = explanation
        stored.append(row)
    db.session.execute(sa.delete(AnnualNotClassified).where(AnnualNotClassified.year == year))
    db.session.add_all(excluded)
    db.session.flush()
    after = {"year": year, "people": len(stored)}
    if not_classified:
        after["not_classified"] = sorted(not_classified)
    audit.record(
        "annual.computed",
        object_type="annual_classification",
        object_id=year,
        after=after,
        actor=actor,
    )
    return stored


def quota(year: int, rows=None) -> QuotaReport:
    """The HTXS quota on the final grades of ``year``: per agency (the unit) and quota group.

    Only the kinds of person the year's ``quota_staff_types`` names count (Decree 335's quota
    concerns civil servants: ``cong_chuc`` by default); the others are neither HTXS nor HTT in it.
    """
    rows = rows_of(year) if rows is None else rows
    tenant = get_current_tenant()
    params = _year_params(year)
    people = {
        sid: (group, kind)
        for sid, group, kind in db.session.execute(
            sa.select(StaffMember.id, StaffMember.quota_group, StaffMember.staff_type).where(
                StaffMember.id.in_([r.staff_id for r in rows])
            )
        ).all()
    }
    settings = tenant.settings or {}
    outstanding = (tenant.slug,) if settings.get("quota_outstanding") else ()
    counted = set(params.quota_staff_types)
    entries = [
        QuotaEntry(
            str(r.staff_id), Grade(r.final_grade), tenant.slug, people.get(r.staff_id, (None,))[0]
        )
        for r in rows
        if people.get(r.staff_id, (None, None))[1] in counted
    ]
    report = check_quota(entries, params, outstanding_agencies=outstanding)
    if params.nd90_htxs_share_limit is None:
        return report
    # Decree 90/2020 (as amended by 48/2023): the HTXS share of the people classified under it
    # in the year is at most the unit's Party-member HTXS share (``nd90_htxs_share_limit``).
    old = deciding.year_rule_sets(year, [r.staff_id for r in rows])
    classified = [
        QuotaEntry(str(r.staff_id), Grade(r.final_grade), tenant.slug)
        for r in rows
        if old.get(r.staff_id) == OLD_REGIME
    ]
    if not classified:
        return report
    check, step = check_htxs_share(classified, params, agency=tenant.slug)
    return dataclasses.replace(
        report,
        checks=(*report.checks, check),
        violations=(*report.violations, *(() if check.ok else (check,))),
        explanation=(*report.explanation, step),
    )


NOT_CLASSIFIED_LABELS = {
    "under_min_months": _l(
        "Thời gian công tác trong năm dưới mức tối thiểu, không nghỉ thai sản (Nghị định 90/2020)"
    ),
    "no_period_worked": _l("Không có kỳ nào đã công tác trong năm (Nghị định 90/2020)"),
}


def not_classified_label(reason: str) -> str:
    """The reason a person is not classified, as the screens and exports say it."""
    return str(NOT_CLASSIFIED_LABELS.get(reason, reason))


def not_classified_of(year: int) -> list[AnnualNotClassified]:
    """The people of ``year`` the rule set does not classify ("Không xếp loại"), by name."""
    return list(
        db.session.execute(
            sa.select(AnnualNotClassified)
            .join(StaffMember, tenant_join(StaffMember.id, AnnualNotClassified.staff_id))
            .where(AnnualNotClassified.year == year)
            .order_by(StaffMember.full_name, StaffMember.code)
        ).scalars()
    )


def view(year: int) -> YearView:
    rows = rows_of(year)
    return YearView(year, rows, quota(year, rows), year_status(rows), not_classified_of(year))


def get_classification(classification_id) -> AnnualClassification:
    return get_scoped(
        AnnualClassification, classification_id, _("Không tìm thấy kết quả xếp loại năm.")
    )


def decide(row: AnnualClassification, *, final_grade: str, reason: str, actor):
    """The head sets the final grade of one person, never above the proposal, with a reason.

    Raises ServiceError for a missing reason, an unknown grade, a grade above the proposal, or a
    year already approved; ServiceError (403) for one's own row (``own_record``) and for the
    head's row unless ``actor`` is the competent higher level (``higher_level``). Audited with
    the before and after grades.
    """
    _may_decide(row, actor)
    if row.status != AnnualStatus.PROPOSED:
        raise Conflict("year_approved", _("Xếp loại năm %(y)d đã được phê duyệt.", y=row.year))
    if final_grade not in GRADE_RANK:
        raise ServiceError("invalid_grade", _("Mức xếp loại không hợp lệ."), field="final_grade")
    if GRADE_RANK[final_grade] > GRADE_RANK[row.proposed_grade]:
        raise ServiceError(
            "grade_above_proposal",
            _("Không được xếp loại cao hơn mức đề xuất (%(g)s).", g=row.proposed_grade),
            field="final_grade",
        )
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ServiceError(
            "reason_required",
            _("Cần ghi rõ lý do quyết định (ít nhất %(n)d ký tự).", n=MIN_REASON),
            field="reason",
        )
    before = {"final_grade": row.final_grade, "reason": row.decision_reason}
    row.final_grade = final_grade
    row.decision_reason = reason
    if getattr(actor, "is_province", False):
        row.decided_by, row.decided_by_province = None, actor.id
    else:
        row.decided_by, row.decided_by_province = actor.id, None
    row.decided_at = utcnow()
    audit.record(
        "annual.decided",
        object_type="annual_classification",
        object_id=row.id,
        before=before,
        after={
            "staff_id": row.staff_id,
            "proposed_grade": row.proposed_grade,
            "final_grade": final_grade,
            "reason": reason,
        },
        actor=actor,
    )
    return row


def approve(year: int, *, actor) -> list[AnnualClassification]:
    """Approve the year's classification of everyone but the approver's own row and the head's
    (the competent higher level approves that one: ``approve_head``); refused while any quota
    scope is over its limit. Returns the rows approved now."""
    _require_head(actor)
    rows = rows_of(year)
    if not rows:
        raise ServiceError("nothing_to_approve", _("Chưa có kết quả xếp loại năm."), status=409)
    if year_status(rows) != AnnualStatus.PROPOSED:
        raise Conflict("year_approved", _("Xếp loại năm %(y)d đã được phê duyệt.", y=year))
    _refuse_quota_violations(year, rows)
    ids = [r.staff_id for r in rows]
    reserved = reserved_ids(ids, actor=actor, higher_level=deciding.year_reserved(year, ids))
    approved = [r for r in rows if r.status == AnnualStatus.PROPOSED and r.staff_id not in reserved]
    if not approved:
        raise ServiceError(
            "awaiting_higher_level",
            _(
                "Chỉ còn kết quả do cấp có thẩm quyền cấp trên phê duyệt (người đứng đầu; viên "
                "chức khi cấu hình giao cho cấp trên)."
            ),
            status=409,
        )
    for row in approved:
        row.status = AnnualStatus.APPROVED
    aggregates.mark_year_changed(year)
    audit.record(
        "annual.approved",
        object_type="annual_classification",
        object_id=year,
        after={
            "year": year,
            "people": len(approved),
            "grades": _counts(approved),
            "left_to_higher_level": sorted(str(i) for i in reserved),
        },
        actor=actor,
    )
    return approved


def reserved_row(year: int, staff_id) -> AnnualClassification | None:
    """The classification of ``year`` of ``staff_id`` when the competent higher level decides it
    (``deciding.year_reserved``); None otherwise or without a row."""
    if staff_id not in deciding.year_reserved(year, [staff_id]):
        return None
    return db.session.execute(
        sa.select(AnnualClassification).where(
            AnnualClassification.year == year, AnnualClassification.staff_id == staff_id
        )
    ).scalar_one_or_none()


def approve_head(year: int, *, actor, staff_id=None) -> AnnualClassification:
    """The competent higher level approves (and so locks) the head's classification of
    ``year``, or with ``staff_id`` that of a viên chức it decides (``vc_deciding_role``).

    Only a province account with the ``head_reviewer`` duty (ServiceError 403 otherwise); refused
    while a quota scope is over its limit, when the person has no row (or is not one the higher
    level decides), or once it is approved.
    """
    if not is_head_reviewer(actor):
        raise _higher_level_refusal()
    row = head_row(year) if staff_id is None else reserved_row(year, staff_id)
    if row is None:
        raise ServiceError(
            "nothing_to_approve",
            _("Người đứng đầu chưa có kết quả xếp loại năm %(y)d.", y=year)
            if staff_id is None
            else _(
                "Không có kết quả xếp loại năm %(y)d do cấp có thẩm quyền cấp trên quyết định "
                "của người này.",
                y=year,
            ),
            status=409,
        )
    if row.status != AnnualStatus.PROPOSED:
        raise Conflict("year_approved", _("Xếp loại năm %(y)d đã được phê duyệt.", y=year))
    _refuse_quota_violations(year, rows_of(year))
    row.status = AnnualStatus.APPROVED
    aggregates.mark_year_changed(year)
    audit.record(
        "annual.head_approved" if staff_id is None else "annual.higher_level_approved",
        object_type="annual_classification",
        object_id=row.id,
        after={"year": year, "staff_id": row.staff_id, "final_grade": row.final_grade},
        actor=actor,
    )
    return row


def publish(year: int, *, actor) -> list[AnnualClassification]:
    """Publish an approved year to the unit and notify each person."""
    _require_head(actor)
    return _publish(year, actor)


def publish_by_calendar(year: int) -> list[AnnualClassification]:
    """Publish, as the scheduler at the annual deadline, a year everyone's approval (the
    head's by the competent higher level) has reached; [] when it has not or is published."""
    try:
        return _publish(year, None)
    except ServiceError:
        return []


def _publish(year: int, actor) -> list[AnnualClassification]:
    rows = rows_of(year)
    if view(year).awaiting_higher_level:
        raise ServiceError(
            "awaiting_higher_level",
            _(
                "Kết quả xếp loại năm của người đứng đầu đang chờ cấp có thẩm quyền cấp trên "
                "phê duyệt."
            ),
            status=409,
        )
    if year_status(rows) != AnnualStatus.APPROVED:
        raise ServiceError(
            "not_approved", _("Chỉ công khai được kết quả đã phê duyệt."), status=409
        )
    for row in rows:
        row.status = AnnualStatus.PUBLISHED
    aggregates.mark_year_changed(year)
    audit.record(
        "annual.published",
        object_type="annual_classification",
        object_id=year,
        after={"year": year, "people": len(rows)},
        actor=actor,
    )
    people = db.session.execute(
        sa.select(StaffMember).where(StaffMember.id.in_([r.staff_id for r in rows]))
    ).scalars()
    for person in people:
        notifications.notify_staff(
            person,
            "annual_published",
            _("Kết quả xếp loại năm %(y)d đã được công khai.", y=year),
            link="scores",
            dedupe=f"annual:{year}",
        )
    return rows


def _counts(rows) -> dict[str, int]:
    counts = {g: 0 for g in GRADE_RANK}
    for row in rows:
        counts[row.final_grade] += 1
    return counts
