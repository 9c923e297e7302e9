"""People not classified for a year (Decree 90/2020) are shown, not only audited (issue 17).

The clerk, a viên chức, joined on 1 Aug 2025: August to December 2025 scored 95 under
``nd90_2020``; 5 months worked < 6, no maternity leave → not classified. The head (công chức)
has 80 in December → HTT. The annual screen lists the clerk as "Không xếp loại" with the reason
and the explanation ("Công tác 5 tháng, dưới 6 tháng …"); the API returns the row to the head
and to the clerk (their own explanation), nobody else; another unit sees nothing of it; a
recomputation after the clerk counts again (a maternity leave) removes the row.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import Absence, AnnualNotClassified, StaffMember, User
from tenant_app.services.evaluation import annual, periods
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.evaluation.scores_helpers import open_month, stored_score
from tests.helpers import bearer, login, token_for

REASON = "Thời gian công tác trong năm dưới mức tối thiểu, không nghỉ thai sản (Nghị định 90/2020)"


def _year_2025(tenant, ward):
    with tenant_context(tenant):
        db.session.execute(
            sa.update(StaffMember)
            .where(StaffMember.id == ward["clerk"])
            .values(staff_type="vien_chuc", start_date=date(2025, 8, 1))
        )
        for month in range(8, 13):
            period = open_month(month, 2025)
            row = stored_score(period, ward["clerk"], 95, "HTXS")
            row.rule_set = periods.rule_set_for(period, "vien_chuc")
        stored_score(open_month(12, 2025), ward["head"], 80, "HTT")
        db.session.flush()
        annual.compute_year(2025, actor=db.session.get(User, (tenant.id, ward["head_user"])))
        db.session.commit()


def test_not_classified_is_stored_with_reason_and_explanation(tenant_a, ward_a):
    _year_2025(tenant_a, ward_a)
    with tenant_context(tenant_a):
        assert {r.staff_id for r in annual.rows_of(2025)} == {ward_a["head"]}
        (row,) = annual.view(2025).not_classified
        assert (row.staff_id, row.reason) == (ward_a["clerk"], "under_min_months")
        assert row.explanation[-1]["formula"] == (
            "Công tác 5 tháng, dưới 6 tháng trong năm, không nghỉ thai sản → không đánh giá, "
            "xếp loại"
        )
        assert annual.not_classified_label(row.reason) == REASON
        # The quota never counts them: one HTT, nobody HTXS.
        assert not annual.quota(2025).violations


def test_annual_screen_shows_not_classified_with_the_reason(client, tenant_a, ward_a):
    _year_2025(tenant_a, ward_a)
    login(client, "phuong-a", "truong")
    page = client.get("/t/phuong-a/annual?year=2025").get_data(as_text=True)
    assert "Trần Thị Văn" in page
    assert "Không xếp loại" in page
    assert REASON in page
    assert "Công tác 5 tháng, dưới 6 tháng trong năm" in page


def test_api_returns_the_row_to_the_head_and_to_the_person_only(client, factory, tenant_a, ward_a):
    _year_2025(tenant_a, ward_a)
    url = "/api/v1/t/phuong-a/classifications/not-classified?year=2025"
    head = client.get(url, headers=bearer(token_for(client, "phuong-a", "truong"))).get_json()
    assert [(r["staff_id"], r["grade"], r["grade_label"], r["reason"]) for r in head] == [
        (str(ward_a["clerk"]), None, "Không xếp loại", "under_min_months")
    ]
    assert head[0]["full_name"] == "Trần Thị Văn" and head[0]["reason_label"] == REASON
    own = client.get(url, headers=bearer(token_for(client, "phuong-a", "vanthu"))).get_json()
    assert [r["staff_id"] for r in own] == [str(ward_a["clerk"])]
    assert own[0]["explanation"][-1]["code"] == "old_regime"
    factory.user(tenant_a, "khac", ("staff",), full_name="Người Khác")
    other = client.get(url, headers=bearer(token_for(client, "phuong-a", "khac"))).get_json()
    assert other == []


def test_another_unit_sees_nothing(client, factory, tenant_a, tenant_b, ward_a):
    _year_2025(tenant_a, ward_a)
    build_ward(factory, tenant_b, "b")
    with tenant_context(tenant_b):
        assert annual.not_classified_of(2025) == []
        assert db.session.execute(sa.select(AnnualNotClassified)).scalars().all() == []
    url = "/api/v1/t/phuong-b/classifications/not-classified?year=2025"
    rows = client.get(url, headers=bearer(token_for(client, "phuong-b", "truongb"))).get_json()
    assert rows == []


def test_recomputing_after_a_maternity_leave_classifies_the_person(tenant_a, ward_a):
    """Maternity leave in the year: under 6 months worked is classified after all (Decree 90
    excepts maternity): the row goes and a classification appears."""
    _year_2025(tenant_a, ward_a)
    with tenant_context(tenant_a):
        db.session.add(
            Absence(
                staff_id=ward_a["clerk"], kind="maternity", starts_on=date(2025, 8, 1),
                ends_on=date(2025, 8, 20), reference="3/QĐ",
            )
        )  # fmt: skip
        db.session.flush()
        annual.compute_year(2025, actor=db.session.get(User, (tenant_a.id, ward_a["head_user"])))
        db.session.commit()
        assert annual.not_classified_of(2025) == []
        assert ward_a["clerk"] in {r.staff_id for r in annual.rows_of(2025)}
