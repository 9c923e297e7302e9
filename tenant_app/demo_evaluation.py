"""Demo evaluation data: last month locked and published, this month open with work in every state.

Driven through the real services (assign, report, review, assess, score, approve, publish), so the
demo exercises the same rules as production; deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import DisciplineRecord
from tenant_app.models.org import JobPosition, OrgUnit
from tenant_app.models.staff import Absence, StaffAssignment, StaffMember
from tenant_app.models.users import User
from tenant_app.models.vocabulary import AssessmentStage, ReportStatus
from tenant_app.services.evaluation import (
    annual,
    assessments,
    assignments,
    income,
    periods,
    reports,
    scores,
)
from tenant_app.services.workspace import catalogue, deputy_fields, salaries

LEADER_GROUPS = ("leader_head", "leader_deputy")


def _previous_month(today: date) -> tuple[int, int]:
    first = today.replace(day=1) - timedelta(days=1)
    return first.year, first.month


def _people():
    """(staff, user, position group, applicable work items) of everyone with an account."""
    users = {u.id: u for u in db.session.execute(sa.select(User)).scalars()}
    posts = {
        a.staff_id: a
        for a in db.session.execute(
            sa.select(StaffAssignment).where(StaffAssignment.effective_to.is_(None))
        ).scalars()
    }
    groups = {p.id: p.position_group for p in db.session.execute(sa.select(JobPosition)).scalars()}
    items = [
        i
        for i in db.session.execute(
            sa.select(CatalogueItem)
            .where(CatalogueItem.kind == "work_item", CatalogueItem.active.is_(True))
            .order_by(CatalogueItem.code)
        ).scalars()
    ]
    by_position = catalogue.items_by_position([p.position_id for p in posts.values()])
    result = []
    for person in db.session.execute(sa.select(StaffMember).order_by(StaffMember.code)).scalars():
        if person.user_id not in users or person.id not in posts:
            continue
        post = posts[person.id]
        applicable = [i for i in by_position.get(post.position_id, []) if i.kind == "work_item"]
        result.append((person, users[person.user_id], groups.get(post.position_id), applicable))
    return result, items


def _actor_for(person, users_by_staff, admin):
    manager = users_by_staff.get(person.manager_id)
    return manager if manager is not None and manager.has_role("manager") else admin


def _assign_month(period, people, items, users_by_staff, admin, rng, today):
    """Assign 2–4 items to every person (leaders: one directing item); return assignments."""
    made = []
    for person, _user, group, applicable in people:
        if person.manager_id is None:
            continue  # the chairman is evaluated by the level above
        actor = _actor_for(person, users_by_staff, admin)
        if group in LEADER_GROUPS or not applicable:
            choice, directing = [rng.choice(items)], True
        else:
            choice, directing = (
                rng.sample(applicable, min(len(applicable), rng.randint(2, 4))),
                False,
            )
        for item in choice:
            qty = rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20])
            due = min(period.ends_on, period.starts_on + timedelta(days=rng.randint(10, 27)))
            made.append(
                (
                    person,
                    assignments.assign(
                        period,
                        person,
                        item,
                        quantity=qty,
                        due_on=due,
                        actor=actor,
                        directing=directing,
                    ),
                )
            )
    return made


def _profile(rng) -> str:
    return rng.choices(["perfect", "good", "partial", "weak"], weights=[18, 60, 17, 5])[0]


def _report_and_review(period, made, users_by_staff, admin, rng, profiles, *, states=None):
    """Report every assignment (by its person) and review it (by their manager)."""
    day = min(period.ends_on, date.today())
    for n, (person, assignment) in enumerate(made):
        user = users_by_staff[person.id]
        state = states[n % len(states)] if states else ReportStatus.ACCEPTED
        if state == "none":
            continue
        profile = profiles.setdefault(person.id, _profile(rng))
        qty = assignment.quantity
        share = {
            "perfect": Decimal(1),
            "good": Decimal("0.85"),
            "partial": Decimal("0.55"),
            "weak": Decimal("0.45"),
        }[profile]
        done = min(qty, (qty * share).to_integral_value())
        report = reports.save_report(
            assignment,
            actor=user,
            completed=done,
            completed_on=day,
            note="Đã hoàn thành theo kế hoạch."
            if done == qty
            else "Hoàn thành một phần, phần còn lại chuyển kỳ sau.",
            submit=state != ReportStatus.DRAFT,
            today=day,
        )
        if state in (ReportStatus.DRAFT, ReportStatus.SUBMITTED):
            continue
        reviewer = _actor_for(person, users_by_staff, admin)
        errors = 0 if profile == "perfect" or done == 0 else rng.choice([0, 1, 1])
        delays = 0 if profile == "perfect" or done == 0 else rng.choice([1, 1, 2])
        delays = min(delays, int(done) * 4)
        # Exemptions need an attached proof and the head's approval (not demo data here); the
        # random delays stand in for the reviewer's correction of the dates' proposal.
        rng.random()
        reports.review_report(
            report,
            actor=reviewer,
            accept=state == ReportStatus.ACCEPTED,
            major_errors=min(errors, int(done) * 4),
            delays=delays,
            delay_reason="Đối chiếu sổ theo dõi văn bản đi của đơn vị",
            comment=None
            if state == ReportStatus.ACCEPTED
            else "Bổ sung số, ngày văn bản làm minh chứng.",
            today=day,
        )


def _assess(period, people, users_by_staff, admin, rng, profiles, *, manager_stage=True):
    day = min(period.ends_on, date.today())
    for person, user, group, _applicable in people:
        if person.manager_id is None:
            continue
        good = profiles.get(person.id) in ("perfect", "good")
        self_points = [rng.choice([9, 9, 10] if good else [8, 9]) for _ in range(3)]
        assessments.save_assessment(
            period, person, stage=AssessmentStage.SELF, general=self_points, actor=user, today=day
        )
        if manager_stage:
            manager_points = [min(p, rng.choice([8, 9, 9, 10])) for p in self_points]
            organising = rng.choice([80, 90, 100]) if group in LEADER_GROUPS else None
            assessments.save_assessment(
                period,
                person,
                stage=AssessmentStage.MANAGER,
                general=manager_points,
                organising=organising,
                actor=_actor_for(person, users_by_staff, admin),
                today=day,
            )


def _concurrent_post(people, admin) -> None:
    """A deputy who also heads a division (kiêm nhiệm) on a higher salary: the income run pays
    on the highest of the posts."""
    deputy = next((p for p, _u, group, _a in people if group == "leader_deputy"), None)
    other = next((p for p, _u, group, _a in people if group not in LEADER_GROUPS), None)
    if deputy is None or other is None or deputy.monthly_salary is None:
        return
    post = db.session.execute(
        sa.select(StaffAssignment).where(
            StaffAssignment.staff_id == other.id, StaffAssignment.effective_to.is_(None)
        )
    ).scalar_one()
    salaries.add_concurrent_post(
        deputy,
        {
            "position_id": post.position_id,
            "org_unit_id": post.org_unit_id,
            "effective_from": deputy.start_date,
            "monthly_salary": deputy.monthly_salary + 1_500_000,
            "decision_ref": "Quyết định phân công kiêm nhiệm",
        },
        actor=admin,
    )


def holding(post_name: str) -> StaffMember | None:
    """The first person (by code) whose current post is ``post_name``."""
    return db.session.execute(
        sa.select(StaffMember)
        .join(StaffAssignment, tenant_join(StaffAssignment.staff_id, StaffMember.id))
        .join(JobPosition, tenant_join(JobPosition.id, StaffAssignment.position_id))
        .where(JobPosition.name == post_name, StaffAssignment.effective_to.is_(None))
        .order_by(StaffMember.code)
        .limit(1)
    ).scalar()


def _deputy_in_charge(admin, since: date) -> None:
    """A vice-chairman in charge of two divisions (lĩnh vực phụ trách): their unit result
    counts the people of both, not only their direct reports."""
    vice = holding("Phó Chủ tịch UBND")
    if vice is None:
        return
    divisions = db.session.execute(
        sa.select(OrgUnit).where(OrgUnit.code.in_(("KT", "VHXH"))).order_by(OrgUnit.code)
    ).scalars()
    for division in divisions:
        deputy_fields.assign(
            vice,
            {
                "org_unit_id": division.id,
                "starts_on": since,
                "ends_on": None,
                "reference": "Quyết định phân công nhiệm vụ Phó Chủ tịch UBND",
            },
            actor=admin,
        )


def _public_employee(people) -> None:
    """The IT specialist is employed as a public employee (viên chức): scored under the rule
    set the configuration names for viên chức, and outside the civil servants' HTXS quota."""
    person = holding("Chuyên viên công nghệ thông tin")
    if person is None:
        person = next((p for p, _u, group, _a in reversed(people) if group not in LEADER_GROUPS))
    person.staff_type = "vien_chuc"


# The post whose holder the demo moves between the wards (``demo._transfer``): its holders take
# none of the one-off roles below, so the choice of the mother on leave, the failing person or the
# concurrent post does not change when one of them leaves or arrives.
MOVING_POST = "Chuyên viên địa chính"


def _settled(people):
    """``people`` without the holders of ``MOVING_POST`` (see there)."""
    movers = set(
        db.session.execute(
            sa.select(StaffAssignment.staff_id)
            .join(JobPosition, tenant_join(JobPosition.id, StaffAssignment.position_id))
            .where(JobPosition.name == MOVING_POST, StaffAssignment.effective_to.is_(None))
        ).scalars()
    )
    return [row for row in people if row[0].id not in movers]


def _failing_and_on_leave(people):
    """The person failed by a reprimand and the mother on maternity leave (never the same)."""
    settled = _settled(people)
    failing = next(p for p, _u, group, _a in reversed(settled) if group not in LEADER_GROUPS)
    on_leave = next(
        p for p, _u, group, _a in settled if group not in LEADER_GROUPS and p is not failing
    )
    return failing, on_leave


def _publish(period, chairman) -> None:
    """Score, approve, publish, close and lock ``period`` (the head approves on the last day)."""
    scores.score_people(period)
    scored = [s.staff_id for s in scores.scores_of(period)]
    assessments.approve(period, scored, actor=chairman, today=period.approval_until)
    assessments.publish(period, actor=chairman)
    periods.close_period(period, actor=chairman)
    periods.lock_period(period, actor=chairman)


def seed_earlier(seed_value: int, today: date | None = None) -> str:
    """The month before last in the unit in context, published and locked, so that a person
    moved at the start of last month brings its result (``demo._transfer``). The mother is on
    leave the whole month: she has no work in it. Returns the period's code."""
    today = today or date.today()
    rng = random.Random(seed_value * 7919)
    people, items = _people()
    users_by_staff = {person.id: user for person, user, _g, _a in people}
    admin = next(u for _p, u, _g, _a in people if u.has_role("unit_admin"))
    chairman = next(u for p, u, _g, _a in people if p.manager_id is None)
    _failing, on_leave = _failing_and_on_leave(people)
    working = [row for row in people if row[0] is not on_leave]
    year, month = _previous_month(today.replace(day=1) - timedelta(days=1))
    earlier = periods.open_period(year=year, number=month, kind="month")
    made = _assign_month(earlier, working, items, users_by_staff, admin, rng, today)
    profiles: dict = {}
    _report_and_review(earlier, made, users_by_staff, admin, rng, profiles)
    _assess(earlier, working, users_by_staff, admin, rng, profiles)
    _publish(earlier, chairman)
    income.approve_run(income.run_income(earlier, actor=chairman), actor=chairman)
    return earlier.code


def seed(seed_value: int, today: date | None = None) -> dict:
    """Seed the tenant in context; returns the two periods' codes."""
    today = today or date.today()
    rng = random.Random(seed_value * 104729)
    people, items = _people()
    users_by_staff = {person.id: user for person, user, _g, _a in people}
    admin = next(u for _p, u, _g, _a in people if u.has_role("unit_admin"))
    chairman = next(u for p, u, _g, _a in people if p.manager_id is None)

    year, month = _previous_month(today)
    _public_employee(people)
    _deputy_in_charge(admin, date(year, month, 1))
    past = periods.open_period(year=year, number=month, kind="month")
    made = _assign_month(past, people, items, users_by_staff, admin, rng, today)
    profiles: dict = {}
    _report_and_review(past, made, users_by_staff, admin, rng, profiles)
    _assess(past, people, users_by_staff, admin, rng, profiles)
    # One forced fail: a reprimand decided this year.
    failing, on_leave = _failing_and_on_leave(people)
    db.session.add(
        DisciplineRecord(
            staff_id=failing.id,
            decision_number=f"{seed_value:02d}/QĐ-KL",
            decision_date=date(year, 3, 12),
            authority="Chủ tịch UBND phường",
            severity="khien_trach",
            reason="discipline",
            note="Vi phạm quy định về thời gian giải quyết hồ sơ, đã bị khiển trách.",
        )
    )
    # Four months of maternity leave ending mid-way through the past month: that month counts
    # with its days worked, and the annual explanation names the leave and its decision.
    leave_ends = date(year, month, 15)
    leave_starts = max(date(year - (month <= 4), (month - 5) % 12 + 1, 16), on_leave.start_date)
    db.session.add(
        Absence(
            staff_id=on_leave.id,
            kind="maternity",
            starts_on=leave_starts,
            ends_on=leave_ends,
            reference=f"{seed_value:02d}/QĐ-TS",
            note="Nghỉ chế độ thai sản bốn tháng.",
        )
    )
    db.session.flush()
    _publish(past, chairman)
    _concurrent_post(_settled(people), admin)
    # The month's supplementary income (the unit's scheme: Đà Nẵng by default), approved.
    income.approve_run(income.run_income(past, actor=chairman), actor=chairman)

    current = periods.open_period(year=today.year, number=today.month, kind="month")
    made = _assign_month(current, people, items, users_by_staff, admin, rng, today)
    _report_and_review(
        current,
        made,
        users_by_staff,
        admin,
        rng,
        profiles,
        states=[
            ReportStatus.ACCEPTED,
            ReportStatus.SUBMITTED,
            ReportStatus.DRAFT,
            ReportStatus.RETURNED,
            "none",
            ReportStatus.ACCEPTED,
        ],
    )
    _assess(
        current,
        people[: len(people) // 2],
        users_by_staff,
        admin,
        rng,
        profiles,
        manager_stage=False,
    )
    scores.score_people(current)
    db.session.flush()
    _annual_with_quota_decisions(year, chairman)
    return {"past": past.code, "current": current.code}


def reclassify_year(year: int) -> None:
    """Compute the year's classification of the unit in context again (after someone arrived
    with results received from another unit), resolving quota violations as ``seed`` does."""
    people, _items = _people()
    chairman = next(u for p, u, _g, _a in people if p.manager_id is None)
    _annual_with_quota_decisions(year, chairman)


def _annual_with_quota_decisions(year: int, chairman) -> None:
    """Propose the year's classification and resolve each HTXS quota violation by a decision."""
    rows = annual.compute_year(year, actor=chairman)
    by_staff = {str(r.staff_id): r for r in rows}
    for _round in range(10):  # lowering someone in a group can change the agency count
        report = annual.quota(year, list(by_staff.values()))
        if not report.violations:
            return
        check = report.violations[0]
        candidates = sorted(
            (by_staff[pid] for pid in check.htxs_person_ids), key=lambda r: r.average
        )
        for row in candidates[: check.must_lower]:
            annual.decide(
                row,
                final_grade="HTT",
                actor=chairman,
                reason="Vượt tỷ lệ 20% Hoàn thành xuất sắc trong "
                f"{'cơ quan' if check.group is None else 'nhóm ' + check.group}: "
                "hạ người có điểm bình quân thấp nhất theo quy chế của đơn vị.",
            )
        db.session.flush()
