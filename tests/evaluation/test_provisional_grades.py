"""Grades of a running period are marked "Tạm tính" until approved; final ones are not."""

from __future__ import annotations

import pytest

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.evaluation import Period, PeriodScore
from tenant_app.services.evaluation import assessments, periods, score_display
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import get, golden_month, ward_today
from tests.helpers import bearer, login, token_for

MARK = 'class="badge provisional"'
WHY = "Kỳ đang diễn ra: điểm và xếp loại sẽ thay đổi đến khi kỳ được phê duyệt"
PAGES = ("/t/phuong-a/dashboard", "/t/phuong-a/dashboard/unit")


@pytest.fixture()
def month(factory, tenant_a):
    """A ward whose clerk is scored (78,63 HTT) in the running month, not yet approved."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    return ward


def _approve(tenant, ward):
    with tenant_context(tenant):
        period = get(Period, tenant, ward["period"])
        assessments.approve(period, [ward["clerk"]], actor=get(User, tenant, ward["head_user"]))
        db.session.commit()


@pytest.mark.parametrize("path", PAGES)
def test_dashboards_mark_grades_of_a_running_period(client, month, path):
    """The manager's and the unit's dashboards mark the grades "Tạm tính", with the reason."""
    login(client, "phuong-a", "truong")
    html = client.get(path).get_data(as_text=True)
    assert MARK in html and f'title="{WHY}"' in html and ">Tạm tính</span>" in html


@pytest.mark.parametrize("path", PAGES)
def test_dashboards_drop_the_mark_once_approved(client, tenant_a, month, path):
    """After the head approves the score, the dashboards show the grade without the mark."""
    _approve(tenant_a, month)
    login(client, "phuong-a", "truong")
    assert MARK not in client.get(path).get_data(as_text=True)


def test_score_page_marks_a_provisional_grade_until_approved(client, tenant_a, month):
    """The clerk's score page marks the grade "Tạm tính" before approval, not after."""
    login(client, "phuong-a", "vanthu")
    before = client.get("/t/phuong-a/my/score").get_data(as_text=True)
    _approve(tenant_a, month)
    after = client.get("/t/phuong-a/my/score").get_data(as_text=True)
    assert MARK in before and "provisional-stat" in before
    assert MARK not in after and "provisional-stat" not in after


def test_api_scores_say_whether_the_grade_is_provisional(client, tenant_a, month):
    """The API's score rows carry grade_provisional: true while running, false once approved."""
    headers = bearer(token_for(client, "phuong-a", "vanthu"))
    code = f"/api/v1/t/phuong-a/scores?period={_period_code(tenant_a, month)}"
    before = client.get(code, headers=headers).get_json()
    _approve(tenant_a, month)
    after = client.get(code, headers=headers).get_json()
    assert [row["grade_provisional"] for row in before] == [True]
    assert [row["grade_provisional"] for row in after] == [False]


def test_locked_period_grades_are_final(tenant_a, month):
    """A locked period's grades are final even where a score was never approved."""
    with tenant_context(tenant_a):
        period = get(Period, tenant_a, month["period"])
        score = db.session.query(PeriodScore).filter_by(period_id=period.id).one()
        assert score_display.grade_provisional(score, period)
        assert score_display.grades_provisional(period)
        periods.close_period(period)
        periods.lock_period(period)
        db.session.commit()
        assert not score_display.grade_provisional(score, period)
        assert not score_display.grades_provisional(period)


def _period_code(tenant, ward) -> str:
    with tenant_context(tenant):
        return get(Period, tenant, ward["period"]).code
