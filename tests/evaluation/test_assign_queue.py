"""Giao việc at scale: the people to assign are filtered, counted and paged, never all at once."""

from __future__ import annotations

import re

import pytest

from tenant_app.models.evaluation import Assignment
from tests.evaluation.big_ward import build_big_ward
from tests.evaluation.view_helpers import count, ward_today
from tests.helpers import login, post_form

PAGE = "/t/phuong-a/assign"
CARD = re.compile(r'<section class="card" id="p-')


@pytest.fixture()
def big(factory, tenant_a):
    """45 people in six divisions (three pages), each with four assignments."""
    return build_big_ward(factory, tenant_a, people=45)


def test_assign_queue_pages_of_twenty_with_counts(client, big):
    """46 people: 20 cards per page, "Tất cả (46)", page links to page 3."""
    login(client, "phuong-a", "truong")
    html = client.get(PAGE).get_data(as_text=True)
    assert len(CARD.findall(html)) == 20
    assert 'Tất cả (<span data-count="all">46</span>)' in html and "page=3" in html
    assert len(CARD.findall(client.get(f"{PAGE}?page=3").get_data(as_text=True))) == 6


def test_assign_queue_unassigned_filter_lists_people_without_work(client, big):
    """ "Chưa giao việc" keeps only the clerk, who has no work yet."""
    login(client, "phuong-a", "truong")
    html = client.get(f"{PAGE}?show=unassigned").get_data(as_text=True)
    assert 'data-count="unassigned">1<' in html
    assert len(CARD.findall(html)) == 1 and "Trần Thị Văn" in html


def test_assign_queue_division_and_search_filters(client, big):
    """A division keeps its 8 people; a search within it finds one by code."""
    login(client, "phuong-a", "truong")
    unit = big["divisions"][0]
    html = client.get(f"{PAGE}?unit={unit}").get_data(as_text=True)
    assert len(CARD.findall(html)) == 8
    one = client.get(f"{PAGE}?unit={unit}&q=BW007").get_data(as_text=True)
    assert len(CARD.findall(one)) == 1 and "BW007" in one


def test_assign_from_a_filtered_page_redirects_back_to_it(client, big):
    """Assigning from a division's page returns to that filtered page, at the person."""
    login(client, "phuong-a", "truong")
    unit = big["divisions"][2]
    page = f"{PAGE}?unit={unit}"
    html = client.get(page).get_data(as_text=True)
    action = re.search(r'action="(/t/phuong-a/assign/[0-9a-f-]{36}[^"]*)"', html).group(1)
    action = action.replace("&amp;", "&")
    due = re.search(r'name="due_on" type="date" value="([^"]+)"', html)
    data = {
        "item_id": str(big["items"]["T1"]),
        "quantity": "2",
        "due_on": due.group(1) if due else "",
    }
    response = post_form(client, action, data, page=page)
    assert response.status_code == 302
    assert f"unit={unit}" in response.headers["Location"] and "#p-" in response.headers["Location"]


def test_assign_queue_hides_people_the_manager_does_not_manage(client, factory, tenant_a, big):
    """A manager of nobody sees none of the ward's people on the assignment page."""
    factory.user(tenant_a, "truong.khac", ("manager", "staff"))
    login(client, "phuong-a", "truong.khac")
    html = client.get(PAGE).get_data(as_text=True)
    assert not CARD.findall(html) and "BW001" not in html


def test_assign_page_of_another_tenant_lists_none_of_its_people(
    client, factory, tenant_a, tenant_b
):
    """Tenant B's manager filtering by tenant A's division sees nobody of tenant A."""
    ward_a = build_big_ward(factory, tenant_a, people=5)
    ward_today(factory, tenant_b, "b")
    login(client, "phuong-b", "truongb")
    html = client.get(f"/t/phuong-b/assign?unit={ward_a['divisions'][0]}").get_data(as_text=True)
    assert "BW001" not in html and not CARD.findall(html)
    assert count(Assignment, tenant_a) == 20


def test_assign_page_for_300_people_stays_under_200_kb(client, factory, tenant_a):
    """The default assignment page of a 300-person ward weighs under 200 KB."""
    build_big_ward(factory, tenant_a)
    login(client, "phuong-a", "truong")
    response = client.get(PAGE)
    assert response.status_code == 200 and len(CARD.findall(response.get_data(True))) == 20
    assert len(response.data) < 200_000
