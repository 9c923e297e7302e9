"""Issue 12 finding 2: nobody assesses or approves their own record; the head of the unit is an
explicit setting; the competent higher level assesses and approves the head, through one narrow
audited door."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, ProvinceAuditEvent, Tenant, User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assessment, Period, PeriodScore
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import (
    annual,
    assessments,
    assignments,
    reports,
    scores,
    unit_head,
)
from tenant_app.tenancy import tenant_context
from tenant_app.tenancy.door import DoorRefused, head_review_write
from tests.evaluation.view_helpers import golden_month, ward_today
from tests.helpers import bearer, login, post_form, token_for

API = "/api/v1/t/phuong-a"
APPROVAL = "/t/phuong-a/approval"
SETTINGS = "/t/phuong-a/settings/unit-head"
GENERAL = {"general_0": "9", "general_1": "9", "general_2": "9"}


def _get(model, tenant, key):
    return db.session.get(model, (tenant.id, key))


def _count(tenant, model, *where) -> int:
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(sa.func.count()).select_from(model).where(*where)
        ).scalar_one()


def _head_with_a_result(tenant, ward, admin) -> None:
    """The head gets work from the unit administrator, reports it, self-assesses; scored."""
    with tenant_context(tenant):
        period = _get(Period, tenant, ward["period"])
        head = _get(StaffMember, tenant, ward["head"])
        head_user = _get(User, tenant, ward["head_user"])
        admin = _get(User, tenant, admin.id)
        assignment = assignments.assign(
            period,
            head,
            _get(CatalogueItem, tenant, ward["items"]["T2"]),
            quantity=2,
            due_on=period.ends_on,
            actor=admin,
            directing=True,
        )
        report = reports.save_report(
            assignment, actor=head_user, completed=2, completed_on=date.today(), submit=True
        )
        reports.review_report(report, actor=admin, accept=True)
        assessments.save_assessment(
            period, head, stage="self", general=[10, 10, 10], actor=head_user
        )
        scores.rescore_person(period, head.id)
        db.session.commit()


def _head_score(tenant, ward) -> PeriodScore:
    with tenant_context(tenant):
        db.session.expire_all()
        return db.session.execute(
            sa.select(PeriodScore).where(
                PeriodScore.period_id == ward["period"], PeriodScore.staff_id == ward["head"]
            )
        ).scalar_one()


@pytest.fixture()
def ward(factory, tenant_a):
    """A ward (head ``truong``, clerk ``vanthu``) whose open period contains today."""
    return ward_today(factory, tenant_a)


@pytest.fixture()
def head_result(tenant_a, ward, admin_a):
    """The ward of ``ward`` with a scored, self-assessed result for its head."""
    _head_with_a_result(tenant_a, ward, admin_a)
    return ward


# --- nobody assesses or approves their own record ---------------------------------------------


def test_finding2_chairman_leader_stage_on_own_record_via_api_is_refused(client, tenant_a, ward):
    """The head posting a leader-stage assessment of his own record gets 403 ``own_record``
    (201 with 30/30 and organising 100 before the fix); nothing is stored."""
    response = client.post(
        f"{API}/assessments",
        json={
            "period_id": str(ward["period"]),
            "staff_id": str(ward["head"]),
            "stage": "leader",
            "general": [10, 10, 10],
            "organising": 100,
        },
        headers=bearer(token_for(client, "phuong-a", "truong")),
    )
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"]["code"] == "own_record"
    assert _count(tenant_a, Assessment, Assessment.staff_id == ward["head"]) == 0


def test_finding2_manager_stage_on_own_record_is_refused_in_the_service(tenant_a, ward):
    """The service itself (not only a view) refuses the head's manager stage on himself."""
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward["period"])
        with pytest.raises(ServiceError) as refused:
            assessments.save_assessment(
                period,
                _get(StaffMember, tenant_a, ward["head"]),
                stage="manager",
                general=[10, 10, 10],
                actor=_get(User, tenant_a, ward["head_user"]),
            )
    assert (refused.value.code, refused.value.status) == ("own_record", 403)


def test_finding2_approving_own_record_is_refused(tenant_a, head_result):
    """The head approving his own result is refused (``own_record``); nothing approved."""
    ward = head_result
    with tenant_context(tenant_a):
        period = _get(Period, tenant_a, ward["period"])
        with pytest.raises(ServiceError) as refused:
            assessments.approve(
                period, [ward["head"]], actor=_get(User, tenant_a, ward["head_user"])
            )
    assert refused.value.code == "own_record"
    assert _head_score(tenant_a, ward).approved_at is None


def test_finding2_approving_own_record_via_api_is_refused(client, tenant_a, head_result):
    """``POST /scores/approve`` naming the approver's own record is 403 ``own_record``."""
    ward = head_result
    response = client.post(
        f"{API}/scores/approve",
        json={"period_id": str(ward["period"]), "staff_ids": [str(ward["head"])]},
        headers=bearer(token_for(client, "phuong-a", "truong")),
    )
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"]["code"] == "own_record"
    assert _head_score(tenant_a, ward).approved_at is None


def test_finding2_approve_all_skips_own_record_and_says_so(client, tenant_a, head_result):
    """ "Approve all" approves the clerk, never the head's own result, and names who was left."""
    ward = head_result
    golden_month(tenant_a, ward)
    login(client, "phuong-a", "truong")
    response = post_form(client, APPROVAL, {"approve_all": "1"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Lê Văn Chánh" in html and "cấp có thẩm quyền cấp trên phê duyệt" in html
    assert _head_score(tenant_a, ward).approved_at is None
    approved = _count(tenant_a, PeriodScore, PeriodScore.approved_at.is_not(None))
    assert approved == 1


def test_finding2_unit_admin_cannot_assess_the_head_at_manager_stage(tenant_a, ward, admin_a):
    """Inside the unit nobody does the head's manager stage: it is the higher level's."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as refused:
        assessments.save_assessment(
            _get(Period, tenant_a, ward["period"]),
            _get(StaffMember, tenant_a, ward["head"]),
            stage="manager",
            general=[10, 10, 10],
            actor=_get(User, tenant_a, admin_a.id),
        )
    assert refused.value.code == "higher_level"


def test_finding2_delegated_approver_cannot_approve_the_head(tenant_a, head_result, factory):
    """An account named in ``approvers`` approves others, never the head (higher level's)."""
    ward = head_result
    deputy = factory.user(tenant_a, "pho.chutich", ("manager", "staff"))
    tenant_a.settings = {**tenant_a.settings, "approvers": ["pho.chutich"]}
    db.session.commit()
    with tenant_context(tenant_a), pytest.raises(ServiceError) as refused:
        assessments.approve(
            _get(Period, tenant_a, ward["period"]),
            [ward["head"]],
            actor=_get(User, tenant_a, deputy.id),
        )
    assert refused.value.code == "higher_level"


# --- the head of the unit is an explicit setting -----------------------------------------------


def test_finding2_head_by_top_org_unit_is_the_highest_unit_with_a_head(tenant_a, ward):
    """Default mode: the head of the highest unit that has one (the office here)."""
    with tenant_context(tenant_a):
        assert unit_head.head_setting()["mode"] == "top_org_unit"
        assert unit_head.unit_head().id == ward["head"]


def test_finding2_head_is_not_a_manager_with_no_manager(tenant_a, ward, factory):
    """A manager with no manager of their own is not the head (the old inference)."""
    from tenant_app.services.workspace import staff

    loose = factory.user(tenant_a, "vo.quanly", ("manager", "staff"))
    with tenant_context(tenant_a):
        record = staff.create_staff(
            {"code": "NS9", "full_name": "Võ Quản Lý", "staff_type": "cong_chuc",
             "start_date": date(2025, 7, 1), "org_unit_id": ward["body"],
             "position_id": ward["clerk_pos"], "user_id": loose.id}
        )  # fmt: skip
        db.session.commit()
        assert record.manager_id is None
        assert not assessments.is_head_of_agency(_get(User, tenant_a, loose.id))
        assert assessments.is_head_of_agency(_get(User, tenant_a, ward["head_user"]))


def test_finding2_head_by_post_names_the_holder_of_the_position(tenant_a, ward, admin_a):
    """Mode ``post``: the one person holding the named position is the head."""
    with tenant_context(tenant_a):
        unit_head.set_head_setting(mode="post", position="CV", actor=admin_a)
        db.session.commit()
        assert unit_head.unit_head().id == ward["clerk"]
        assert assessments.is_head_of_agency(_get(User, tenant_a, ward["head_user"])) is False


def test_finding2_head_setting_is_edited_by_the_unit_admin_and_audited(
    client, tenant_a, ward, admin_a
):
    """The unit administrator changes the setting on the settings page; an audit event says so."""
    login(client, "phuong-a", "admin.a")
    response = post_form(client, SETTINGS, {"mode": "post", "position": "LD", "org_unit": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = db.session.execute(
        sa.select(Tenant.settings).where(Tenant.id == tenant_a.id)
    ).scalar_one()
    assert stored["unit_head"] == {"mode": "post", "org_unit": None, "position": "LD"}
    with tenant_context(tenant_a):
        event = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "tenant.unit_head_changed")
        ).scalar_one()
    assert event.after["position"] == "LD" and event.after["head_staff_id"] == str(ward["head"])


def test_finding2_head_setting_refused_to_a_manager(client, tenant_a, ward):
    """A manager (even the head) cannot change who the head is."""
    login(client, "phuong-a", "truong")
    assert client.get(SETTINGS).status_code == 403
    with tenant_context(tenant_a), pytest.raises(ServiceError):
        unit_head.set_head_setting(
            mode="post", position="CV", actor=_get(User, tenant_a, ward["head_user"])
        )


def test_finding2_head_setting_of_another_unit_is_out_of_reach(
    client, factory, tenant_a, ward, tenant_b, admin_b
):
    """Unit B's administrator cannot read or change unit A's setting; A keeps its own."""
    login(client, "phuong-b", "admin.b")
    assert client.get(SETTINGS).status_code in (302, 401, 403, 404)
    response = client.post(SETTINGS, data={"mode": "post", "position": "CV"})
    assert response.status_code in (302, 400, 401, 403, 404)
    db.session.expire_all()
    assert "unit_head" not in (tenant_a.settings or {})
    with tenant_context(tenant_b):
        unit_head.set_head_setting(mode="top_org_unit", actor=_get(User, tenant_b, admin_b.id))
        db.session.commit()
    db.session.expire_all()
    assert "unit_head" not in (tenant_a.settings or {})
    with tenant_context(tenant_a):
        assert unit_head.unit_head().id == ward["head"]


# --- the competent higher level --------------------------------------------------------------


def _assess_head(client, ward, slug="phuong-a", reason="Biên bản họp số 12/BB"):
    return post_form(
        client,
        f"/admin/units/{slug}/head-review/{ward['period']}/assess",
        {**GENERAL, "organising": "90", "comment": "Hoàn thành tốt", "reason": reason},
        page=f"/admin/units/{slug}/head-review",
    )


def test_finding2_head_reviewer_assesses_and_approves_the_head(
    client, tenant_a, head_result, head_reviewer
):
    """The higher level records the head's manager stage, then approves; both written in the
    unit with the province account named."""
    ward = head_result
    login(client, None, "tinh.thamquyen")
    page = client.get("/admin/units/phuong-a/head-review")
    assert page.status_code == 200 and "Lê Văn Chánh" in page.get_data(as_text=True)
    assert _assess_head(client, ward).status_code == 302
    with tenant_context(tenant_a):
        row = db.session.execute(
            sa.select(Assessment).where(
                Assessment.staff_id == ward["head"], Assessment.stage == "manager"
            )
        ).scalar_one()
        assert (row.by_user, row.by_province_user) == (None, head_reviewer.id)
    assert _head_score(tenant_a, ward).stage == "manager"
    response = post_form(
        client,
        f"/admin/units/phuong-a/head-review/{ward['period']}/approve",
        {"reason": "Quyết định phê duyệt số 7/QĐ"},
        page="/admin/units/phuong-a/head-review",
    )
    assert response.status_code == 302
    score = _head_score(tenant_a, ward)
    assert score.approved_at is not None and score.approved_by_province == head_reviewer.id


def test_finding2_head_review_is_audited_in_both_chains(tenant_a, head_result, head_reviewer):
    """Each action is an event in the unit's chain and in the province chain, with the reason."""
    ward = head_result
    head_review_write(
        tenant_a,
        "Biên bản họp số 12/BB",
        action="assess",
        period_id=ward["period"],
        general=[9, 9, 9],
        actor=head_reviewer,
    )
    with tenant_context(tenant_a):
        unit_event = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "head_review.assess")
        ).scalar_one()
        assessed = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "assessment.manager")
        ).scalar_one()
    province_event = db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "head_review.assess")
    ).scalar_one()
    assert unit_event.actor_type == "province_user" and unit_event.actor_name == "tinh.thamquyen"
    assert assessed.actor_type == "province_user"
    assert province_event.subject_tenant_id == tenant_a.id
    assert province_event.after["reason"] == unit_event.after["reason"] == "Biên bản họp số 12/BB"


@pytest.mark.parametrize("role", ["province_admin", "auditor"])
def test_finding2_province_account_without_the_duty_is_403(client, factory, head_result, role):
    """A province administrator or auditor without the duty sees and changes nothing."""
    ward = head_result
    factory.province_user("tinh.khac", role)
    login(client, None, "tinh.khac")
    assert client.get("/admin/units/phuong-a/head-review").status_code == 403
    response = client.post(
        f"/admin/units/phuong-a/head-review/{ward['period']}/approve",
        data={"reason": "Không có thẩm quyền"},
    )
    assert response.status_code in (400, 403)
    with pytest.raises(DoorRefused):
        head_review_write(
            ward_tenant(),
            "Không có thẩm quyền",
            action="approve",
            period_id=ward["period"],
            actor=_province("tinh.khac"),
        )
    assert _head_score(ward_tenant(), ward).approved_at is None


def ward_tenant():
    from tenant_app.models import Tenant

    return db.session.execute(sa.select(Tenant).where(Tenant.slug == "phuong-a")).scalar_one()


def _province(username):
    from tenant_app.models import ProvinceUser

    return db.session.execute(
        sa.select(ProvinceUser).where(ProvinceUser.username == username)
    ).scalar_one()


def test_finding2_head_reviewer_cannot_reach_another_units_head_through_the_wrong_slug(
    client, factory, tenant_a, head_result, tenant_b, head_reviewer
):
    """Unit A's period posted under unit B's slug is not found; A's head is untouched."""
    ward = head_result
    ward_today(factory, tenant_b, "b")
    login(client, None, "tinh.thamquyen")
    response = _assess_head(client, ward, slug="phuong-b")
    assert response.status_code == 404
    assert _count(tenant_a, Assessment, Assessment.stage == "manager") == 0
    assert _count(tenant_b, Assessment, Assessment.stage == "manager") == 0


def test_finding2_head_reviewer_writes_nothing_but_the_head(tenant_a, head_result, head_reviewer):
    """The duty approves only the head's result: the clerk's approval is refused."""
    ward = head_result
    golden_month(tenant_a, ward)
    with tenant_context(tenant_a):
        with pytest.raises(ServiceError) as refused:
            assessments.approve(
                _get(Period, tenant_a, ward["period"]), [ward["clerk"]], actor=head_reviewer
            )
        with pytest.raises(ServiceError):
            assessments.save_assessment(
                _get(Period, tenant_a, ward["period"]),
                _get(StaffMember, tenant_a, ward["clerk"]),
                stage="manager",
                general=[9, 9, 9],
                actor=head_reviewer,
            )
    assert refused.value.status == 403


def test_finding2_head_review_needs_a_reason(tenant_a, head_result, head_reviewer):
    """Without a reason (its document) nothing is written."""
    with pytest.raises(ServiceError) as refused:
        head_review_write(
            tenant_a, " ", action="approve", period_id=head_result["period"], actor=head_reviewer
        )
    assert refused.value.code == "reason_required"
    assert _head_score(tenant_a, head_result).approved_at is None


def test_finding2_province_admin_grants_the_duty_audited(client, province_admin, auditor):
    """A province administrator grants the duty; the province chain records it."""
    login(client, None, "tinh.admin")
    response = post_form(
        client, "/admin/head-reviewers", {"user_id": str(auditor.id), "head_reviewer": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(auditor), auditor.id).head_reviewer is True
    event = db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "head_reviewer.changed")
    ).scalar_one()
    assert event.after == {"username": "tinh.thanhtra", "head_reviewer": True}


def test_finding2_auditor_cannot_grant_the_duty(client, auditor):
    """Only a province administrator grants the duty."""
    login(client, None, "tinh.thanhtra")
    assert client.get("/admin/head-reviewers").status_code == 403


# --- the year: the head's classification belongs to the higher level too ----------------------

YEAR_PAGE = "/admin/units/phuong-a/head-review"


@pytest.fixture()
def year_computed(tenant_a, ward):
    """Year 2026 computed by the head: the clerk HTT, the head HTXS (one HTXS for one HTT is
    over the 20% quota, so somebody must be lowered before approval)."""
    from tests.evaluation.scores_helpers import open_month, stored_score

    with tenant_context(tenant_a):
        period = open_month(11)
        stored_score(period, ward["clerk"], "80", "HTT")
        stored_score(period, ward["head"], "95", "HTXS")
        head = _get(User, tenant_a, ward["head_user"])
        annual.compute_year(2026, actor=head)
        db.session.commit()
    return ward


def _year_rows(tenant) -> dict:
    with tenant_context(tenant):
        return {r.staff_id: r for r in annual.rows_of(2026)}


def test_finding2_head_cannot_decide_his_own_annual_grade(tenant_a, year_computed):
    """The head may not set his own final grade (to keep himself HTXS and lower others, or
    any other way): 403 ``higher_level``, nothing changes."""
    ward = year_computed
    with tenant_context(tenant_a):
        head = _get(User, tenant_a, ward["head_user"])
        row = _year_rows(tenant_a)[ward["head"]]
        with pytest.raises(ServiceError) as refused:
            annual.decide(row, final_grade="HTT", reason="Tự hạ để đủ tỷ lệ HTXS", actor=head)
        assert (refused.value.code, refused.value.status) == ("higher_level", 403)
        db.session.rollback()
    assert _year_rows(tenant_a)[ward["head"]].final_grade == "HTXS"


def test_finding2_year_approval_leaves_the_heads_row_to_the_higher_level(
    client, tenant_a, year_computed, head_reviewer
):
    """Through the API the head approves the year: everyone but himself is approved, his own
    row stays proposed, and publishing waits for the higher level (409)."""
    ward = year_computed
    headers = bearer(token_for(client, "phuong-a", "truong"))
    # Over the quota, and the head may not lower himself: approval waits for a decision.
    response = client.post(f"{API}/classifications/approve", json={"year": 2026}, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "quota_undecided"
    head_review_write(
        tenant_a, "Vượt tỷ lệ HTXS của phường", action="annual_decide", year=2026,
        final_grade="HTT", actor=head_reviewer,
    )  # fmt: skip
    response = client.post(f"{API}/classifications/approve", json={"year": 2026}, headers=headers)
    assert response.status_code == 200, response.get_json()
    rows = _year_rows(tenant_a)
    assert rows[ward["clerk"]].status == "approved"
    assert rows[ward["head"]].status == "proposed"
    again = client.post(f"{API}/classifications/approve", json={"year": 2026}, headers=headers)
    assert again.get_json()["error"]["code"] == "awaiting_higher_level"
    published = client.post(f"{API}/classifications/publish", json={"year": 2026}, headers=headers)
    assert published.status_code == 409
    assert published.get_json()["error"]["code"] == "awaiting_higher_level"


def test_finding2_higher_level_decides_and_approves_the_heads_year(
    client, tenant_a, year_computed, head_reviewer
):
    """On its page the higher level lowers the head to HTT with a reason (the quota then
    holds), the head approves everyone else, the higher level approves the head's row, and the
    head publishes. Both chains record the higher level's two actions."""
    ward = year_computed
    login(client, None, "tinh.thamquyen")
    page = client.get(YEAR_PAGE).get_data(as_text=True)
    assert "Xếp loại năm 2026" in page
    decided = post_form(
        client,
        f"{YEAR_PAGE}/years/2026/decide",
        {"final_grade": "HTT", "reason": "Vượt tỷ lệ HTXS của phường"},
        page=YEAR_PAGE,
    )
    assert decided.status_code == 302
    row = _year_rows(tenant_a)[ward["head"]]
    assert (row.final_grade, row.decided_by, row.decided_by_province) == (
        "HTT", None, head_reviewer.id,
    )  # fmt: skip
    headers = bearer(token_for(client, "phuong-a", "truong"))
    approved = client.post(f"{API}/classifications/approve", json={"year": 2026}, headers=headers)
    assert approved.status_code == 200, approved.get_json()
    login(client, None, "tinh.thamquyen")
    response = post_form(
        client, f"{YEAR_PAGE}/years/2026/approve", {"reason": "Công văn 9/UBND"}, page=YEAR_PAGE
    )
    assert response.status_code == 302
    assert _year_rows(tenant_a)[ward["head"]].status == "approved"
    published = client.post(f"{API}/classifications/publish", json={"year": 2026}, headers=headers)
    assert published.status_code == 200, published.get_json()
    with tenant_context(tenant_a):
        unit_actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
    assert {"head_review.annual_decide", "head_review.annual_approve"} <= unit_actions
    province_actions = set(db.session.execute(sa.select(ProvinceAuditEvent.action)).scalars())
    assert {"head_review.annual_decide", "head_review.annual_approve"} <= province_actions


def test_finding2_annual_actions_refused_without_the_duty(tenant_a, year_computed, auditor):
    """A province account without the duty cannot use the door's annual actions; the head's
    row is untouched."""
    ward = year_computed
    for action in ("annual_decide", "annual_approve"):
        with pytest.raises(DoorRefused):
            head_review_write(
                tenant_a, "Không có thẩm quyền", action=action, year=2026, final_grade="HTT",
                actor=auditor,
            )  # fmt: skip
    row = _year_rows(tenant_a)[ward["head"]]
    assert (row.final_grade, row.status) == ("HTXS", "proposed")
