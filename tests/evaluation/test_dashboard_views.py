"""Dashboards: the manager's progress table and the unit's grades and quota, with live JSON."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import PeriodScore
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import assign, golden_month, report, review, ward_today
from tests.helpers import login

DASH = "/t/phuong-a/dashboard"
UNIT = "/t/phuong-a/dashboard/unit"


def test_dashboard_shows_progress_of_each_person(client, factory, tenant_a):
    """The head sees assigned, reported and accepted converted units of the clerk."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    login(client, "phuong-a", "truong")
    html = client.get(DASH).get_data(as_text=True)
    assert f'data-live="{ward["clerk"]}:assigned_text">20,00<' in html
    assert f'data-live="{ward["clerk"]}:accepted_text">15,00<' in html
    assert f'data-live="{ward["clerk"]}:score">78,63<' in html
    assert "js/live.js" in html


def test_dashboard_live_json_follows_a_review(client, factory, tenant_a):
    """After a review the polled JSON shows the accepted units and the new score."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward, "T2", 2), 2)
    login(client, "phuong-a", "truong")
    before = client.get(f"{DASH}/live").get_json()["values"]
    assert before[f"{ward['clerk']}:accepted_text"] == "0,00"
    review(tenant_a, ward, rid)
    after = client.get(f"{DASH}/live").get_json()["values"]
    assert after[f"{ward['clerk']}:accepted_text"] == "5,00"


def test_dashboard_forbidden_to_staff(client, factory, tenant_a):
    """A staff member gets 403 on the dashboard and its JSON."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "vanthu")
    assert client.get(DASH).status_code == 403
    assert client.get(f"{DASH}/live").status_code == 403


def test_unit_dashboard_shows_grades_and_quota(client, factory, tenant_a):
    """The unit dashboard counts one HTT and allows floor(0.2 × 1) = 0 HTXS in group CV."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    login(client, "phuong-a", "truong")
    html = client.get(UNIT).get_data(as_text=True)
    assert 'data-live="grade:HTT">1<' in html
    assert "Nhóm CV" in html and "Trong hạn mức" in html


def test_unit_dashboard_live_json_counts_grades(client, factory, tenant_a):
    """The unit JSON has the count per grade."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    login(client, "phuong-a", "truong")
    values = client.get(f"{UNIT}/live").get_json()["values"]
    assert values["grade:HTT"] == 1 and values["grade:HTXS"] == 0


def test_unit_dashboard_forbidden_to_a_manager_who_is_not_head(client, factory, tenant_a):
    """A manager who is neither head nor unit administrator gets 403."""
    ward_today(factory, tenant_a)
    factory.user(tenant_a, "pho.phong", ("manager", "staff"))
    login(client, "phuong-a", "pho.phong")
    assert client.get(UNIT).status_code == 403


def test_dashboard_never_shows_a_total_at_a_threshold_it_misses(client, factory, tenant_a):
    """A total just under 70 (HTNV) is shown 69,99 beside its grade, never 70,00."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    with tenant_context(tenant_a):
        score = db.session.execute(
            sa.select(PeriodScore).where(PeriodScore.staff_id == ward["clerk"])
        ).scalar_one()
        score.total, score.grade = Decimal("69.999999"), "HTNV"
        score.total_exact = "699999999/10000000"  # 69.9999999
        db.session.commit()
    login(client, "phuong-a", "truong")
    html = client.get(DASH).get_data(as_text=True)
    assert f'data-live="{ward["clerk"]}:score">69,99<' in html
    values = client.get(f"{DASH}/live").get_json()["values"]
    assert values[f"{ward['clerk']}:score"] == "69,99"
