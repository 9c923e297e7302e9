"""Scores explained line by line, who may see them, the live JSON and the published results."""

from __future__ import annotations

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.evaluation import Period
from tenant_app.services.evaluation import assessments
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import get, golden_month, ward_today
from tests.helpers import login

MY = "/t/phuong-a/my/score"


def test_my_score_explains_the_golden_month(client, factory, tenant_a):
    """The clerk sees 78,63, HTT and each step (a 75,00, b 73,75, c 72,50) in Vietnamese."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    html = client.get(MY).get_data(as_text=True)
    assert '<span class="big" data-live="total">78,63</span>' in html
    assert "Hoàn thành tốt nhiệm vụ" in html
    for text in ("a. Số lượng", "75,00", "73,75", "72,50", "51,63", "27,00", "27 + 51,63 ≈ 78,63"):
        assert text in html


def test_my_score_lists_past_periods(client, factory, tenant_a):
    """The history table names the period with the score."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    html = client.get(MY).get_data(as_text=True)
    with tenant_context(tenant_a):
        label = get(Period, tenant_a, ward["period"]).label
    assert "Các kỳ đã đánh giá" in html and html.count(label) >= 2


def test_score_of_a_colleague_is_forbidden_to_staff(client, factory, tenant_a):
    """The clerk may not open the head's score page (403)."""
    ward = ward_today(factory, tenant_a)
    login(client, "phuong-a", "vanthu")
    assert client.get(f"/t/phuong-a/scores/{ward['head']}").status_code == 403


def test_score_of_another_tenants_person_is_404(client, factory, tenant_a, tenant_b):
    """Tenant B's staff id under tenant A is not found, also as JSON."""
    ward_today(factory, tenant_a)
    ward_b = ward_today(factory, tenant_b, "b")
    login(client, "phuong-a", "truong")
    assert client.get(f"/t/phuong-a/scores/{ward_b['clerk']}").status_code == 404
    assert client.get(f"/t/phuong-a/scores/{ward_b['clerk']}/live").status_code == 404


def test_score_visible_to_the_manager(client, factory, tenant_a):
    """The head sees the clerk's explained score."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    login(client, "phuong-a", "truong")
    html = client.get(f"/t/phuong-a/scores/{ward['clerk']}").get_data(as_text=True)
    assert "Trần Thị Văn" in html and "78,63" in html


def test_score_live_json_carries_total_and_fragment(client, factory, tenant_a):
    """The polled JSON has the displayed total and the re-rendered explanation."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    login(client, "phuong-a", "vanthu")
    data = client.get(f"/t/phuong-a/scores/{ward['clerk']}/live").get_json()
    assert data["values"]["total"] == "78,63"
    assert "Hoàn thành tốt nhiệm vụ" in data["html"]["score"]


def test_results_hidden_until_published(client, factory, tenant_a):
    """Before publication the unit's results list shows nobody's score."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    factory.user(tenant_a, "dongnghiep", ("staff",))
    login(client, "phuong-a", "dongnghiep")
    html = client.get("/t/phuong-a/results").get_data(as_text=True)
    assert "Chưa có kỳ nào được công khai kết quả." in html and "78,63" not in html


def test_results_shown_to_the_unit_once_published(client, factory, tenant_a):
    """After approval and publication any account of the unit reads the results."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    with tenant_context(tenant_a):
        period = get(Period, tenant_a, ward["period"])
        head = get(User, tenant_a, ward["head_user"])
        assessments.approve(period, [ward["clerk"]], actor=head)
        assessments.publish(period, actor=head)
        db.session.commit()
    factory.user(tenant_a, "dongnghiep", ("staff",))
    login(client, "phuong-a", "dongnghiep")
    html = client.get("/t/phuong-a/results").get_data(as_text=True)
    assert "Trần Thị Văn" in html and "78,63" in html
