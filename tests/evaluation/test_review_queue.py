"""Thẩm định at scale: the review queue's filters, counts and pages, and review in place."""

from __future__ import annotations

import re

import pytest

from tenant_app.models.audit import AuditEvent
from tenant_app.models.evaluation import Report
from tests.evaluation.big_ward import build_big_ward
from tests.evaluation.view_helpers import assign, count, report, ward_today
from tests.helpers import login, post_form

PAGE = "/t/phuong-a/review"
CARD = re.compile(r'<section class="card" id="p-')


def _accept(**extra):
    return {"decision": "accept", "major_errors": "0", "delays": "0", "exempt_errors": "0",
            "exempt_delays": "0", **extra}  # fmt: skip


def _json_post(client, url, data, page=PAGE):
    return post_form(client, url, data, page=page, headers={"Accept": "application/json"})


@pytest.fixture()
def big(factory, tenant_a):
    """45 people in six divisions (three pages), with work and reports in every state."""
    return build_big_ward(factory, tenant_a, people=45)


def test_review_queue_defaults_to_waiting_with_counts(client, factory, tenant_a):
    """By default only people with a report waiting are listed; both tabs show their counts."""
    ward = ward_today(factory, tenant_a)
    report(tenant_a, ward, assign(tenant_a, ward), 3)
    factory.user(tenant_a, "khac", ("staff",))
    login(client, "phuong-a", "truong")
    html = client.get(PAGE).get_data(as_text=True)
    assert 'Chờ tôi duyệt (<span data-count="waiting">1</span>)' in html
    assert 'Tất cả (<span data-count="all">1</span>)' in html
    assert "Trần Thị Văn" in html


def test_review_queue_without_waiting_work_lists_nobody_by_default(client, factory, tenant_a):
    """With nothing submitted the default tab is empty and says so; "Tất cả" lists the clerk."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Không còn việc nào chờ bạn duyệt." in html and "Trần Thị Văn" not in html
    assert "Trần Thị Văn" in client.get(f"{PAGE}?show=all").get_data(as_text=True)


def test_review_queue_pages_of_twenty_keep_the_filters(client, big):
    """46 people in "Tất cả": 20 cards on page 1, and page links carry the state filter."""
    login(client, "phuong-a", "truong")
    html = client.get(f"{PAGE}?show=all").get_data(as_text=True)
    assert len(CARD.findall(html)) == 20
    assert 'data-count="all">46<' in html
    assert "show=all&amp;page=3" in html
    third = client.get(f"{PAGE}?show=all&page=3").get_data(as_text=True)
    assert len(CARD.findall(third)) == 6


def test_review_queue_division_filter_lists_only_that_division(client, big):
    """The division filter keeps its people (45 / 6 → 8) and counts them in its option."""
    login(client, "phuong-a", "truong")
    unit = big["divisions"][0]
    html = client.get(f"{PAGE}?show=all&unit={unit}").get_data(as_text=True)
    assert len(CARD.findall(html)) == 8
    assert f'<option value="{unit}" selected>Bộ phận 1 (8)</option>' in html
    assert "BW001" in html and "BW002" not in html


def test_review_queue_search_finds_name_without_accents_and_code(client, big):
    """Searching "bw007" or the name typed without diacritics finds the one person."""
    login(client, "phuong-a", "truong")
    by_code = client.get(f"{PAGE}?show=all&q=bw007").get_data(as_text=True)
    assert len(CARD.findall(by_code)) == 1 and "BW007" in by_code
    by_name = client.get(f"{PAGE}?show=all&q=dang+van+an+7").get_data(as_text=True)
    assert len(CARD.findall(by_name)) == 1 and "Đặng Văn An 7" in by_name


def test_review_queue_item_filter_shows_only_that_items_rows(client, big):
    """The item filter keeps people with that item and shows only its rows."""
    login(client, "phuong-a", "truong")
    item = big["items"]["T3"]
    html = client.get(f"{PAGE}?show=all&q=BW001&item={item}").get_data(as_text=True)
    assert html.count('class="review-item"') == 1 and "Sản phẩm T3" in html


def test_review_queue_person_filter_shows_one_card(client, big):
    """ "Chỉ xem người này" narrows the page to one person's card."""
    login(client, "phuong-a", "truong")
    html = client.get(f"{PAGE}?show=all&person={big['people'][4]}").get_data(as_text=True)
    assert len(CARD.findall(html)) == 1 and "BW005" in html


def test_review_in_place_accept_answers_row_and_counts(client, factory, tenant_a):
    """An in-place accept answers JSON: the row says "Đã chấp nhận", counts drop, audit kept."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward), 3)
    login(client, "phuong-a", "truong")
    response = _json_post(client, f"{PAGE}/reports/{rid}", _accept())
    body = response.get_json()
    assert response.status_code == 200 and body["ok"] is True
    assert body["counts"] == {"waiting": 0, "all": 1}
    assert "Đã chấp nhận." in body["html"] and "data-row" in body["html"]
    assert count(Report, tenant_a, Report.status == "accepted") == 1
    assert count(AuditEvent, tenant_a, AuditEvent.action == "report.reviewed") == 1


def test_review_in_place_return_without_comment_answers_the_error(client, factory, tenant_a):
    """Returning without a reason in place: 400 JSON, the message next to the comment field."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward), 3)
    login(client, "phuong-a", "truong")
    response = _json_post(client, f"{PAGE}/reports/{rid}", _accept(decision="return"))
    body = response.get_json()
    assert response.status_code == 400 and body["ok"] is False
    assert '-comment-err">Trả lại báo cáo cần ghi rõ lý do.' in body["html"]
    assert count(Report, tenant_a, Report.status == "submitted") == 1


def test_review_in_place_return_with_comment_is_stored(client, factory, tenant_a):
    """Returning with a reason in place stores it and the row says "Đã trả lại"."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward), 3)
    login(client, "phuong-a", "truong")
    data = _accept(decision="return", comment="Thiếu biên bản")
    body = _json_post(client, f"{PAGE}/reports/{rid}", data).get_json()
    assert body["ok"] is True and "Đã trả lại." in body["html"]
    assert count(Report, tenant_a, Report.review_comment == "Thiếu biên bản") == 1


def test_review_without_js_redirects_to_the_same_filtered_page(client, big):
    """A normal POST from page 2 of a search in "Tất cả" redirects back to that page."""
    login(client, "phuong-a", "truong")
    page = f"{PAGE}?show=all&q=van&page=2"
    html = client.get(page).get_data(as_text=True)
    action = re.search(r'action="(/t/phuong-a/review/reports/[^"]+)"', html).group(1)
    action = action.replace("&amp;", "&")
    assert "q=van&page=2" in action
    response = post_form(client, action, _accept(), page=page)
    assert response.status_code == 302
    assert "show=all&q=van&page=2#p-" in response.headers["Location"]


def test_review_in_place_by_another_tenants_manager_is_404(client, factory, tenant_a, tenant_b):
    """Tenant A's report id posted in tenant B by B's manager is not found and stays as it was."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward), 3)
    ward_today(factory, tenant_b, "b")
    login(client, "phuong-b", "truongb")
    url = f"/t/phuong-b/review/reports/{rid}"
    response = _json_post(client, url, _accept(), page="/t/phuong-b/review")
    assert response.status_code == 404
    assert count(Report, tenant_a, Report.status == "submitted") == 1


def test_review_in_place_by_a_manager_of_others_is_forbidden(client, factory, tenant_a):
    """A manager who does not manage the clerk gets 403 in place too; nothing changes."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward), 3)
    factory.user(tenant_a, "truong.khac", ("manager", "staff"))
    login(client, "phuong-a", "truong.khac")
    assert _json_post(client, f"{PAGE}/reports/{rid}", _accept()).status_code == 403
    assert count(Report, tenant_a, Report.status == "submitted") == 1


def test_review_queue_lists_only_people_the_manager_manages(client, factory, tenant_a, big):
    """A manager without people sees none of the ward's 46 in either tab."""
    factory.user(tenant_a, "truong.khac", ("manager", "staff"))
    login(client, "phuong-a", "truong.khac")
    html = client.get(f"{PAGE}?show=all").get_data(as_text=True)
    assert 'data-count="all">0<' in html and not CARD.findall(html)


def test_review_page_for_300_people_stays_under_200_kb(client, factory, tenant_a):
    """The default review page of a 300-person ward weighs under 200 KB."""
    build_big_ward(factory, tenant_a)
    login(client, "phuong-a", "truong")
    response = client.get(PAGE)
    assert response.status_code == 200 and 'data-count="waiting">' in response.get_data(True)
    assert len(response.data) < 200_000
