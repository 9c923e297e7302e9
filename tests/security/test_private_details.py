"""Finding 3: a published period shows colleagues' name, post, total and grade, never their detail.

The scores API and the score page decide with one rule (``score_access.reads_in_full``): the
person and whoever directs them read a score in full; everyone else reads the public view.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import AnnualClassification, Period, PeriodScore
from tenant_app.models.staff import StaffMember
from tenant_app.services.workspace import staff
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.helpers import bearer, login, token_for

SCORES = "/api/v1/t/phuong-a/scores?period=2026-11"
PUBLIC_KEYS = {"id", "period_id", "staff_id", "full_name", "position", "total", "total_exact",
               "grade", "grade_provisional", "detail"}  # fmt: skip
DETAIL_KEYS = {"a", "b", "c", "self_total", "forced_fail", "explanation", "general_points"}
REASON = "Bị kỷ luật khiển trách trong kỳ"


def _score(ward, staff_id, total, grade, *, forced_fail=None, step="Điểm"):
    return PeriodScore(
        period_id=ward["period"], staff_id=staff_id, a=70, b=80, c=90, task_score=80,
        task_points=56, general_points=25, total=total, grade=grade, self_total=95,
        forced_fail=forced_fail, explanation=[{"code": "note", "label": step}],
        rule_set="nd335", inputs_digest="x",
    )  # fmt: skip


@pytest.fixture()
def published(factory, tenant_a):
    """Ward A's period 2026-11 published with scores for the clerk, the head and a colleague
    posted in the committee (outside the head's office), disciplined; plus a unit admin."""
    ward = build_ward(factory, tenant_a)
    colleague_user = factory.user(tenant_a, "dongnghiep", ("staff",), full_name="Phạm Thị Đồng")
    factory.user(tenant_a, "quantri", ("unit_admin",), full_name="Quản trị")
    with tenant_context(tenant_a):
        clerk_post = staff.current_assignment(ward["clerk"])
        colleague = staff.create_staff(
            {"code": "NS3", "full_name": "Phạm Thị Đồng", "staff_type": "cong_chuc",
             "start_date": date(2025, 7, 1), "org_unit_id": ward["root"],
             "position_id": clerk_post.position_id}
        )  # fmt: skip
        db.session.execute(
            sa.update(StaffMember)
            .where(StaffMember.id == colleague.id)
            .values(user_id=colleague_user.id)
        )
        db.session.add_all(
            [
                _score(ward, ward["clerk"], 78, "HTT", step="Bước của văn thư"),
                _score(ward, ward["head"], 85, "HTT", step="Bước của chánh văn phòng"),
                _score(ward, colleague.id, 40, "KHTNV", forced_fail="discipline", step=REASON),
            ]
        )
        db.session.execute(
            sa.update(Period).where(Period.id == ward["period"]).values(published_at=datetime.now())
        )
        db.session.commit()
    return {**ward, "colleague": colleague.id}


def _rows(client, username) -> dict[str, dict]:
    response = client.get(SCORES, headers=bearer(token_for(client, "phuong-a", username)))
    assert response.status_code == 200, response.get_json()
    return {row["full_name"]: row for row in response.get_json()}


def test_finding3_colleague_rows_carry_name_post_total_and_grade_only(client, published):
    """A staff member reads their own row in full, a colleague's as name, post, total, grade:
    no a, b, c, self score, forced fail or its reason, no explanation."""
    rows = _rows(client, "vanthu")
    own, colleague = rows["Trần Thị Văn"], rows["Phạm Thị Đồng"]
    assert own["detail"] is True and set(own) >= DETAIL_KEYS
    assert set(colleague) == PUBLIC_KEYS and colleague["detail"] is False
    assert colleague["position"] == "Chuyên viên văn thư" and colleague["grade"] == "KHTNV"
    assert set(rows["Lê Văn Chánh"]) == PUBLIC_KEYS


def test_finding3_discipline_reason_of_a_colleague_never_leaves_the_server(client, published):
    """The colleague's forced fail and its reason appear nowhere in the clerk's answer."""
    response = client.get(SCORES, headers=bearer(token_for(client, "phuong-a", "vanthu")))
    text = response.get_data(as_text=True)
    assert "discipline" not in text and REASON not in text


def test_finding3_manager_reads_the_people_they_direct_in_full(client, published):
    """The head reads their own row and their clerk's in full, the colleague elsewhere not."""
    rows = _rows(client, "truong")
    assert rows["Lê Văn Chánh"]["detail"] is True
    assert rows["Trần Thị Văn"]["explanation"] == [{"code": "note", "label": "Bước của văn thư"}]
    assert set(rows["Phạm Thị Đồng"]) == PUBLIC_KEYS


def test_finding3_unit_admin_reads_every_row_in_full(client, published):
    """The unit administrator reads every row in full."""
    rows = _rows(client, "quantri")
    assert [row["detail"] for row in rows.values()] == [True, True, True]
    assert rows["Phạm Thị Đồng"]["forced_fail"] == "discipline"


@pytest.mark.parametrize("username", ["vanthu", "truong", "dongnghiep", "quantri"])
def test_finding3_api_detail_follows_the_score_page_rule(app, published, username):
    """For every caller and every row, the API gives the detail exactly when the score page
    of that person opens (200) for the caller, and the public view when it is refused (403)."""
    rows = _rows(app.test_client(), username)
    web = app.test_client()
    login(web, "phuong-a", username)
    for row in rows.values():
        page = web.get(f"/t/phuong-a/scores/{row['staff_id']}")
        assert page.status_code in (200, 403)
        assert row["detail"] is (page.status_code == 200), (username, row["full_name"])


def test_finding3_openapi_declares_full_and_public_score_rows(client):
    """The document's list of scores is oneOf Score / PublicScore; PublicScore has no detail."""
    spec = client.get("/api/v1/openapi.json").get_json()
    answer = spec["paths"]["/api/v1/t/{tenant_slug}/scores"]["get"]["responses"]["200"]
    items = answer["content"]["application/json"]["schema"]["items"]
    assert items == {
        "oneOf": [
            {"$ref": "#/components/schemas/Score"},
            {"$ref": "#/components/schemas/PublicScore"},
        ]
    }
    public = spec["components"]["schemas"]["PublicScore"]["properties"]
    assert set(public) == PUBLIC_KEYS and public["detail"]["enum"] == [False]
    assert spec["components"]["schemas"]["Score"]["properties"]["detail"]["enum"] == [True]


CLASSIFICATIONS = "/api/v1/t/phuong-a/classifications?year=2026"
PUBLIC_CLASSIFICATION_KEYS = {"id", "year", "staff_id", "full_name", "final_grade", "status",
                              "detail"}  # fmt: skip


def _classification(staff_id, grade, *, forced_fail=None, reason=None):
    return AnnualClassification(
        year=2026, staff_id=staff_id, average=Decimal("60"), periods_counted=12,
        proposed_grade=grade, final_grade=grade, forced_fail=forced_fail,
        decision_reason=reason, status="published", explanation=[{"code": "note", "label": "x"}],
    )  # fmt: skip


@pytest.fixture()
def published_year(published, tenant_a):
    """The same ward with year 2026 classified and published; the colleague forced to fail."""
    with tenant_context(tenant_a):
        db.session.add_all(
            [
                _classification(published["clerk"], "HTT"),
                _classification(published["head"], "HTT"),
                _classification(published["colleague"], "KHTNV", forced_fail="discipline",
                                reason=REASON),
            ]
        )  # fmt: skip
        db.session.commit()
    return published


def test_finding3_published_year_shows_colleagues_name_and_grade_only(client, published_year):
    """The annual twin of the scores list: a colleague's classification carries no average,
    forced fail, decision reason or explanation; one's own row is in full."""
    response = client.get(CLASSIFICATIONS, headers=bearer(token_for(client, "phuong-a", "vanthu")))
    assert response.status_code == 200, response.get_json()
    rows = {row["full_name"]: row for row in response.get_json()}
    colleague = rows["Phạm Thị Đồng"]
    assert set(colleague) == PUBLIC_CLASSIFICATION_KEYS
    assert colleague["detail"] is False and colleague["final_grade"] == "KHTNV"
    assert REASON not in response.get_data(as_text=True)
    own = next(row for row in rows.values() if row["staff_id"] == str(published_year["clerk"]))
    assert own["detail"] is True and "average" in own and "explanation" in own


def test_finding3_unit_admin_reads_every_classification_in_full(client, published_year):
    """The unit administrator still reads every row of the year in full."""
    response = client.get(CLASSIFICATIONS, headers=bearer(token_for(client, "phuong-a", "quantri")))
    rows = response.get_json()
    assert len(rows) == 3 and all(row["detail"] is True for row in rows)
    assert any(row["decision_reason"] == REASON for row in rows)


@pytest.mark.parametrize("username", ["vanthu", "truong", "dongnghiep", "quantri"])
def test_finding3_list_rule_is_the_score_page_rule(tenant_a, published, username):
    """The lists decide for a whole page at once (``full_read_ids``) exactly as the score page
    decides for one person (``reads_in_full``), for staff, manager and unit administrator."""
    from tenant_app.models import User
    from tenant_app.services.evaluation import score_access

    with tenant_context(tenant_a):
        user = db.session.execute(sa.select(User).where(User.username == username)).scalar_one()
        people = list(db.session.execute(sa.select(StaffMember)).scalars())
        one_by_one = {p.id for p in people if score_access.reads_in_full(user, p)}
        assert score_access.full_read_ids(user, people) == one_by_one
        assert one_by_one  # everyone reads at least their own row (the admin: all of them)
