"""Polled live endpoints answer 304 while nothing of the unit changed (the unit's revision)."""

from __future__ import annotations

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.tenancy import revisions, tenant_context
from tests.evaluation.view_helpers import assign, report, review, ward_today
from tests.helpers import REDIS_URL, login, requires_redis

DASH = "/t/phuong-a/dashboard"


def _etag(response) -> str:
    assert response.status_code == 200
    etag = response.headers.get("ETag")
    assert etag and response.headers["Cache-Control"] == "no-store"  # personal: never cached
    return etag


def _signed_in(app, slug: str, username: str):
    """A new client of ``app`` signed in as ``username`` of unit ``slug``."""
    client = app.test_client()
    login(client, slug, username)
    return client


def _poll(client, etag: str | None = None):
    """One poll of the manager's live dashboard, revalidating ``etag`` when given."""
    return client.get(f"{DASH}/live", headers={"If-None-Match": etag} if etag else {})


def _head_etag(client) -> str:
    """Sign ``client`` in as the unit head and return the ETag of their first poll."""
    login(client, "phuong-a", "truong")
    return _etag(_poll(client))


def _cached_pages() -> list:
    """The keys of the pages kept in Redis."""
    from redis import Redis

    return Redis.from_url(REDIS_URL).keys("kpi:page:*")


@requires_redis
def test_live_dashboard_is_not_modified_until_the_unit_changes(
    redis_app, client, factory, tenant_a
):
    """Same revision: 304 with no body; a committed review moves it: 200 with the new figure."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward, "T2", 2), 2)
    etag = _head_etag(client)
    again = _poll(client, etag)
    assert again.status_code == 304 and again.get_data() == b""
    review(tenant_a, ward, rid)
    after = _poll(client, etag)
    assert _etag(after) != etag
    assert after.get_json()["values"][f"{ward['clerk']}:accepted_text"] == "5,00"


@requires_redis
def test_a_rolled_back_change_moves_nothing_and_other_units_do_not_count(
    redis_app, factory, tenant_a, tenant_b
):
    """Only a commit moves the revision, and only the revision of the unit written."""
    ward = ward_today(factory, tenant_a)
    ward_today(factory, tenant_b)
    before_a, before_b = revisions.current(tenant_a.id), revisions.current(tenant_b.id)
    with tenant_context(tenant_a):
        assign(tenant_a, ward, "T3", 1)  # commits in unit A
    assert revisions.current(tenant_a.id) != before_a
    assert revisions.current(tenant_b.id) == before_b
    moved = revisions.current(tenant_a.id)
    with tenant_context(tenant_a):
        db.session.add(
            User(username="tam.thoi", full_name="Tạm Thời", roles=["staff"], password_hash="x")
        )
        db.session.flush()  # seen by the listener, then abandoned
        db.session.rollback()
    assert revisions.current(tenant_a.id) == moved


@requires_redis
def test_a_304_is_only_given_to_someone_allowed_the_answer(redis_app, client, factory, tenant_a):
    """A staff member presenting the manager's ETag still gets 403, not 304."""
    ward_today(factory, tenant_a)
    etag = _head_etag(client)
    other = _signed_in(redis_app, "phuong-a", "vanthu")
    assert _poll(other, etag).status_code == 403


def test_without_redis_every_poll_is_computed(client, factory, tenant_a):
    """The embedded default has no shared revision: no ETag, and a stale one is ignored."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "truong")
    first = _poll(client)
    assert first.status_code == 200 and "ETag" not in first.headers
    again = _poll(client, '"0123"')
    assert again.status_code == 200 and again.get_json()["values"]


# --- pages rendered once per revision ------------------------------------------------------


@requires_redis
def test_a_cached_page_shows_the_change_as_soon_as_it_is_committed(
    redis_app, client, factory, tenant_a
):
    """The dashboard is served from the cache until a review moves the unit's revision."""
    ward = ward_today(factory, tenant_a)
    rid = report(tenant_a, ward, assign(tenant_a, ward, "T2", 2), 2)
    login(client, "phuong-a", "truong")
    cell = f'data-live="{ward["clerk"]}:accepted_text">'
    first = client.get(DASH).get_data(as_text=True)
    assert f"{cell}0,00<" in first
    assert len(_cached_pages()) == 1
    # (Not compared byte for byte: a minute boundary or the session record's periodic touch may
    # move the key between two requests, and a fresh render carries a fresh CSRF token.)
    review(tenant_a, ward, rid)
    assert f"{cell}5,00<" in client.get(DASH).get_data(as_text=True)


@requires_redis
def test_a_cached_page_is_never_another_users_or_another_units(
    redis_app, client, factory, tenant_a, tenant_b
):
    """Two people of the unit each get their own page; a user of unit B gets no page of A."""
    ward_today(factory, tenant_a)
    ward_today(factory, tenant_b)
    login(client, "phuong-a", "vanthu")
    mine = client.get("/t/phuong-a/my/score").get_data(as_text=True)
    assert "Trần Thị Văn" in mine
    head = _signed_in(redis_app, "phuong-a", "truong")
    theirs = head.get("/t/phuong-a/my/score").get_data(as_text=True)
    assert "Lê Văn Chánh" in theirs and theirs != mine
    outsider = _signed_in(redis_app, "phuong-b", "vanthu")
    foreign = outsider.get("/t/phuong-a/my/score")
    assert foreign.status_code in (302, 403, 404)
    assert "Trần Thị Văn" not in foreign.get_data(as_text=True)


@requires_redis
def test_a_page_with_a_flashed_message_is_not_cached(redis_app, client, factory, tenant_a):
    """A notice is shown once: the page that carried it is not kept, the next one has none."""
    ward_today(factory, tenant_a)
    login(client, "phuong-a", "vanthu")
    with client.session_transaction() as sess:
        sess["_flashes"] = [("success", "Thông báo một lần")]
    assert "Thông báo một lần" in client.get("/t/phuong-a/my/work").get_data(as_text=True)
    assert _cached_pages() == []
    assert "Thông báo một lần" not in client.get("/t/phuong-a/my/work").get_data(as_text=True)
