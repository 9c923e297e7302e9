"""The approval chain as configured: 2 to 4 stages read from the period, each stage's score kept.

Hand-computed month used throughout (period 2026-12): the clerk is assigned T1, 10 dossiers × 1.0,
all done on time, one major error. a = 100, b = (10 − 0.25)/10 = 97.5, c = 100; task score
297.5/3; task points 0.7 × 297.5/3 = 833/12 (69.41666…). A stage's total = its general points +
833/12: 27 → 1157/12 (96.42, HTXS), 24 → 1121/12 (93.42, HTXS), 18 → 1049/12 (87.42, HTT),
15 → 1013/12 (84.42, HTT).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Period
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import (
    assessments,
    assignments,
    chain,
    periods,
    reports,
    score_display,
    scores,
    worklist,
)
from tenant_app.services.rollout.payload_format import setting_leaves, settings_from_leaves
from tenant_app.services.rollout.template_payload import (
    PayloadInvalid,
    default_payload,
    validate_payload,
)
from tenant_app.services.workspace import positions, staff
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.helpers import login, post_form

DAY = date(2027, 1, 2)  # inside every window of period 2026-12
TASK_POINTS = Fraction(833, 12)
FOUR = ["self", "manager", "deputy", "leader"]
TWO = ["self", "leader"]


def _get(model, tenant, key):
    return db.session.get(model, (tenant.id, key))


def _add_deputy(factory, tenant, ward, suffix=""):
    """A vice-chairman (leader_deputy) in the committee above the office, with a manager
    account; returns (staff id, user id)."""
    user = factory.user(tenant, f"phoct{suffix}", ("manager", "staff"), full_name="Phạm Phó")
    with tenant_context(tenant):
        post = positions.create_position(
            {"code": f"PCT{suffix}", "name": "Phó Chủ tịch UBND", "position_group": "leader_deputy"}
        )
        deputy = staff.create_staff(
            {"code": f"NS9{suffix}", "full_name": "Phạm Phó", "staff_type": "can_bo",
             "start_date": date(2025, 7, 1), "org_unit_id": ward["root"],
             "position_id": post.id, "user_id": user.id}
        )  # fmt: skip
        db.session.commit()
        return deputy.id, user.id


def _open_december(tenant, approval_chain) -> Period:
    tenant.settings = {**(tenant.settings or {}), "approval_chain": approval_chain}
    db.session.flush()
    return periods.open_period(year=2026, number=12, kind="month")


def _work(tenant, ward, period):
    """The hand-computed month: T1 10 × 1.0, all done, one major error, reviewed by the head."""
    head = _get(User, tenant, ward["head_user"])
    clerk = _get(StaffMember, tenant, ward["clerk"])
    item = _get(CatalogueItem, tenant, ward["items"]["T1"])
    assignment = assignments.assign(
        period, clerk, item, quantity=10, due_on=date(2026, 12, 25), actor=head
    )
    report = reports.save_report(
        assignment,
        actor=_get(User, tenant, ward["clerk_user"]),
        completed=10,
        completed_on=date(2026, 12, 20),
        submit=True,
        today=DAY,
    )
    reports.review_report(report, actor=head, accept=True, major_errors=1, today=DAY)


def _assess(period, person, stage, points, actor):
    return assessments.save_assessment(
        period, person, stage=stage, general=[points] * 3, actor=actor, today=DAY
    )


def _results(score) -> dict:
    return {
        stage: (Fraction(found["total"]), found["grade"])
        for stage, found in (score.stage_results or {}).items()
    }


# --- the chain's rule


@pytest.mark.parametrize(
    "good", [TWO, ["self", "manager", "leader"], FOUR, ["self", "deputy", "leader"]]
)
def test_chain_problem_accepts_two_to_four_ordered_stages(good):
    """Self first, the head last, in order, 2 to 4 stages: valid."""
    assert chain.chain_problem(good) is None


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (["self"], "từ 2 đến 4 bước"),
        (["self", "manager", "manager", "leader"], "trùng lặp"),
        (["manager", "leader"], "Bước đầu tiên"),
        (["self", "manager"], "Bước cuối"),
        (["self", "deputy", "manager", "leader"], "theo thứ tự"),
        (["self", "boss", "leader"], "không hợp lệ: boss"),
    ],
)
def test_chain_problem_names_what_is_wrong_in_vietnamese(app, bad, words):
    """Each broken rule gets its own Vietnamese message."""
    with app.test_request_context():
        assert words in chain.chain_problem(bad)


def test_template_accepts_a_four_stage_chain(app):
    """A template version may name the deputy's stage: self → manager → deputy → head."""
    with app.test_request_context():
        payload = default_payload()
        payload["approval"]["chain"] = FOUR
        assert validate_payload(payload)["approval"]["chain"] == FOUR
        payload["approval"]["chain"] = ["leader", "self"]
        with pytest.raises(PayloadInvalid) as refused:
            validate_payload(payload)
        assert list(refused.value.errors) == ["approval.chain"]


def test_open_period_refuses_an_invalid_configured_chain(tenant_a, ward_a):
    """A unit whose stored chain is broken cannot open a period with it (named field)."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as refused:
        _open_december(tenant_a, ["self", "manager"])
    assert refused.value.code == "invalid_chain"


# --- self → head (a small unit)


def test_two_stage_chain_head_decides_after_self(tenant_a, ward_a):
    """self → head: no manager stage; the head's 15 points give 1013/12 (84.42, HTT) where the
    self-assessment gave 1121/12 (93.42, HTXS); both kept; the approved result is the head's."""
    with tenant_context(tenant_a):
        period = _open_december(tenant_a, TWO)
        assert period.approval_chain == TWO
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        head = _get(User, tenant_a, ward_a["head_user"])
        _work(tenant_a, ward_a, period)
        _assess(period, clerk, "self", 8, _get(User, tenant_a, ward_a["clerk_user"]))
        with pytest.raises(ServiceError) as refused:
            _assess(period, clerk, "manager", 8, head)
        assert refused.value.code == "stage_not_in_chain"
        assert assessments.acting_stage(period, clerk, head) == "leader"
        _assess(period, clerk, "leader", 5, head)
        score = scores.score_people(period)[clerk.id]
        assert _results(score) == {
            "self": (24 + TASK_POINTS, "HTXS"),
            "leader": (15 + TASK_POINTS, "HTT"),
        }
        (approved,) = assessments.approve(period, [clerk.id], actor=head, today=DAY)
        assert approved.stage == "leader" and approved.grade == "HTT"
        assert Fraction(approved.total_exact) == Fraction(1013, 12)


def test_two_stage_chain_approves_the_self_assessment_directly(tenant_a, ward_a):
    """self → head: the head may approve on the self-assessment alone (the default chain would
    refuse it for want of a manager's assessment); the final score is the self stage's."""
    with tenant_context(tenant_a):
        period = _open_december(tenant_a, TWO)
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        _work(tenant_a, ward_a, period)
        _assess(period, clerk, "self", 8, _get(User, tenant_a, ward_a["clerk_user"]))
        scores.score_people(period)
        head = _get(User, tenant_a, ward_a["head_user"])
        (approved,) = assessments.approve(period, [clerk.id], actor=head, today=DAY)
        assert Fraction(approved.total_exact) == Fraction(1121, 12) and approved.grade == "HTXS"


# --- self → manager → deputy → head


def test_four_stage_chain_to_final_keeps_every_stage(factory, tenant_a, ward_a):
    """self 27 → manager 24 → deputy 18, then the head approves: each stage's total and grade
    kept (1157/12 HTXS, 1121/12 HTXS, 1049/12 HTT), the final score is the deputy's 87.42 HTT."""
    deputy_id, deputy_user = _add_deputy(factory, tenant_a, ward_a)
    with tenant_context(tenant_a):
        period = _open_december(tenant_a, FOUR)
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        head = _get(User, tenant_a, ward_a["head_user"])
        deputy = _get(User, tenant_a, deputy_user)
        assert chain.chain_for(period, clerk) == tuple(FOUR)
        _work(tenant_a, ward_a, period)
        _assess(period, clerk, "self", 9, _get(User, tenant_a, ward_a["clerk_user"]))
        with pytest.raises(ServiceError) as early:
            _assess(period, clerk, "deputy", 6, deputy)
        assert early.value.code == "previous_stage_missing"
        _assess(period, clerk, "manager", 8, head)
        scores.score_people(period)
        with pytest.raises(ServiceError) as waiting:
            assessments.approve(period, [clerk.id], actor=head, today=DAY)
        assert (
            waiting.value.code == "stage_missing" and "Cấp phó phụ trách" in waiting.value.message
        )
        assert assessments.acting_stage(period, clerk, deputy) == "deputy"
        _assess(period, clerk, "deputy", 6, deputy)
        score = scores.score_people(period)[clerk.id]
        assert _results(score) == {
            "self": (27 + TASK_POINTS, "HTXS"),
            "manager": (24 + TASK_POINTS, "HTXS"),
            "deputy": (18 + TASK_POINTS, "HTT"),
        }
        (final,) = assessments.approve(period, [clerk.id], actor=head, today=DAY)
        assert final.stage == "deputy" and final.grade == "HTT"
        assert Fraction(final.total_exact) == Fraction(1049, 12)
        db.session.commit()
        rows = score_display.stage_history(final, period, clerk)
        assert [(r["stage"], r["who"], r["total"], r["grade"]) for r in rows] == [
            ("self", "Trần Thị Văn", "96,42", "HTXS"),
            ("manager", "Lê Văn Chánh", "93,42", "HTXS"),
            ("deputy", "Phạm Phó", "87,42", "HTT"),
            ("leader", "—", "—", None),
        ]
        actions = list(
            db.session.execute(
                sa.select(AuditEvent.action, AuditEvent.after).where(
                    AuditEvent.action.in_(["assessment.deputy", "score.approved"])
                )
            ).all()
        )
        assert [a for a, _after in actions] == ["assessment.deputy", "score.approved"]
        assert actions[1][1]["stage"] == "deputy"


def test_four_stage_chain_wrong_people_cannot_act_at_the_deputy_stage(
    factory, tenant_a, tenant_b, ward_a
):
    """At the deputy's stage the manager, the person, another tenant's deputy and a deputy
    who is not in charge of the person are all refused (403); nothing is recorded."""
    _deputy_id, _deputy_user = _add_deputy(factory, tenant_a, ward_a)
    ward_b = build_ward(factory, tenant_b, "b")
    _other_deputy, other_user = _add_deputy(factory, tenant_b, ward_b, "b")
    with tenant_context(tenant_a):
        period = _open_december(tenant_a, FOUR)
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        head = _get(User, tenant_a, ward_a["head_user"])
        _work(tenant_a, ward_a, period)
        clerk_user = _get(User, tenant_a, ward_a["clerk_user"])
        _assess(period, clerk, "self", 9, clerk_user)
        _assess(period, clerk, "manager", 8, head)
        stranger = db.session.get(User, (tenant_b.id, other_user))
        for actor in (head, clerk_user, stranger):
            with pytest.raises(ServiceError) as refused:
                _assess(period, clerk, "deputy", 6, actor)
            assert refused.value.status == 403
        assert assessments.get_assessment(period, clerk, "deputy") is None


def test_four_stage_chain_skips_the_deputy_where_none_is_in_charge(tenant_a, ward_a):
    """Without a deputy above the person in the org chart the chain runs self → manager → head
    for them, and approval follows the manager's assessment as before."""
    with tenant_context(tenant_a):
        period = _open_december(tenant_a, FOUR)
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        assert chain.chain_for(period, clerk) == ("self", "manager", "leader")
        _work(tenant_a, ward_a, period)
        head = _get(User, tenant_a, ward_a["head_user"])
        _assess(period, clerk, "manager", 8, head)
        scores.score_people(period)
        (approved,) = assessments.approve(period, [clerk.id], actor=head, today=DAY)
        assert Fraction(approved.total_exact) == Fraction(1121, 12)


# --- a period keeps the chain it opened with


def test_chain_switch_never_changes_an_opened_or_closed_period(tenant_a, ward_a):
    """November opened with the default chain and was closed; switching the unit to self → head
    opens December with it, while November keeps self → manager → head, also once reopened."""
    with tenant_context(tenant_a):
        november = _get(Period, tenant_a, ward_a["period"])
        periods.close_period(november)
        december = _open_december(tenant_a, TWO)
        db.session.commit()
        assert december.approval_chain == TWO
        assert chain.chain_of(november) == ("self", "manager", "leader")
        periods.reopen_period(november, reason="Bổ sung kết quả tháng 11")
        db.session.commit()
        assert chain.chain_of(november) == ("self", "manager", "leader")
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        head = _get(User, tenant_a, ward_a["head_user"])
        kept = assessments.save_assessment(
            november, clerk, stage="manager", general=[8, 8, 8], actor=head,
            today=date(2026, 11, 20),
        )  # fmt: skip
        assert kept.stage == "manager"
        with pytest.raises(ServiceError) as refused:
            _assess(december, clerk, "manager", 8, head)
        assert refused.value.code == "stage_not_in_chain"


def test_score_and_review_pages_show_each_stage(client, factory, tenant_a, ward_a):
    """The explained score and the person's review card list each stage with who recorded it,
    its total and grade: the manager's 93,42 HTXS beside the deputy's 87,42 HTT."""
    _deputy_id, deputy_user = _add_deputy(factory, tenant_a, ward_a)
    with tenant_context(tenant_a):
        period = _open_december(tenant_a, FOUR)
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        _work(tenant_a, ward_a, period)
        _assess(period, clerk, "manager", 8, _get(User, tenant_a, ward_a["head_user"]))
        _assess(period, clerk, "deputy", 6, _get(User, tenant_a, deputy_user))
        scores.score_people(period)
        db.session.commit()
        period_id, clerk_id = period.id, clerk.id
    login(client, "phuong-a", "truong")
    pages = (
        f"/t/phuong-a/scores/{clerk_id}?period={period_id}",
        f"/t/phuong-a/review?period={period_id}&show=all&person={clerk_id}",
    )
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "Các bước đánh giá" in html
        for text in ("Cấp phó phụ trách", "Phạm Phó", "Lê Văn Chánh", "93,42", "87,42"):
            assert text in html, (url, text)
    html = client.get(f"/t/phuong-a/approval?period={period_id}").get_data(as_text=True)
    assert "Tự đánh giá → Người quản lý trực tiếp → Cấp phó phụ trách → Người đứng đầu" in html


def test_worklists_follow_the_chain(factory, tenant_a, ward_a):
    """After self and manager, the clerk waits for the deputy in charge, not for the manager;
    under self → head nobody's manager worklist holds a self-assessment."""
    deputy_id, _deputy_user = _add_deputy(factory, tenant_a, ward_a)
    with tenant_context(tenant_a):
        period = _open_december(tenant_a, FOUR)
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        head = _get(User, tenant_a, ward_a["head_user"])
        _assess(period, clerk, "self", 9, _get(User, tenant_a, ward_a["clerk_user"]))
        stages = worklist.assessment_stages(period, [clerk.id])
        assert worklist.waiting_in_chain(period, [clerk], [], stages, ward_a["head"]) == {clerk.id}
        assert worklist.waiting_in_chain(period, [clerk], [], stages, deputy_id) == {clerk.id}
        _assess(period, clerk, "manager", 8, head)
        stages = worklist.assessment_stages(period, [clerk.id])
        assert worklist.waiting_for_manager([], stages, chain.chains_for(period, [clerk])) == set()
        assert worklist.waiting_in_chain(period, [clerk], [], stages, deputy_id) == {clerk.id}
        two = {clerk.id: tuple(TWO)}
        assert worklist.waiting_for_manager([], {clerk.id: {"self"}}, two) == set()


def test_deputy_records_the_deputy_stage_from_the_review_page(client, factory, tenant_a, ward_a):
    """Under four stages the deputy in charge's assessment form records the deputy's stage
    (the manager's stays the manager's); under the default chain the same form records the
    manager stage, as before."""
    _deputy_id, deputy_user = _add_deputy(factory, tenant_a, ward_a)
    today = date.today()
    with tenant_context(tenant_a):
        tenant_a.settings = {**(tenant_a.settings or {}), "approval_chain": FOUR}
        code = periods.period_code("month", today.year, today.month)
        period = periods.find_period(code) or periods.open_period(
            year=today.year, number=today.month, kind="month"
        )
        if period.approval_chain != FOUR:
            pytest.skip("this month's period was opened with the default chain by the fixture")
        clerk = _get(StaffMember, tenant_a, ward_a["clerk"])
        assessments.save_assessment(
            period, clerk, stage="manager", general=[8, 8, 8],
            actor=_get(User, tenant_a, ward_a["head_user"]),
        )  # fmt: skip
        db.session.commit()
        period_id, clerk_id = period.id, clerk.id
    login(client, "phuong-a", "phoct")
    page = f"/t/phuong-a/review?period={period_id}&show=all&person={clerk_id}"
    data = {"general_0": "6", "general_1": "6", "general_2": "6"}
    url = f"/t/phuong-a/review/assess/{clerk_id}?period={period_id}"
    assert post_form(client, url, data, page=page).status_code == 302
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, period_id)
        clerk = _get(StaffMember, tenant_a, clerk_id)
        row = assessments.get_assessment(period, clerk, "deputy")
        assert row is not None and row.by_user == deputy_user and row.general == ["6", "6", "6"]
        assert assessments.get_assessment(period, clerk, "manager").general == ["8", "8", "8"]


def test_template_chain_reaches_the_next_period(tenant_a, ward_a):
    """A template version's four-stage chain, applied to the unit, is the chain its next period
    opens with; the period opened before keeps the default."""
    payload = default_payload()
    payload["approval"]["chain"] = FOUR
    settings = settings_from_leaves({}, setting_leaves(payload))
    assert settings["approval_chain"] == FOUR
    with tenant_context(tenant_a):
        tenant_a.settings = {**(tenant_a.settings or {}), **settings}
        december = periods.open_period(year=2026, number=12, kind="month")
        assert december.approval_chain == FOUR
        november = _get(Period, tenant_a, ward_a["period"])
        assert november.approval_chain == ["self", "manager", "leader"]
