"""The manager's live dashboard keeps each person's row by that person's revision and the team by
the unit's shared revision (``web.person_fragments``, ``web.shared_cached``): after every kind of
write the next poll must show exactly what a fresh computation shows, and only the changed
person's row is computed again. Rows and teams of one unit never appear in another."""

from __future__ import annotations

from datetime import date

import pytest

from blueprints.evaluation import dashboard_views
from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.evaluation import Period
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import assessments, scores
from tenant_app.services.workspace import staff
from tenant_app.tenancy import revisions, tenant_context
from tests.evaluation.view_helpers import assign, get, report, review, ward_today
from tests.helpers import REDIS_URL, login, requires_redis

DASH = "/t/phuong-a/dashboard"
pytestmark = requires_redis


def _colleague(tenant, ward, suffix=""):
    """A second person the head directs (same office), with no work: their row never changes."""
    with tenant_context(tenant):
        person = staff.create_staff(
            {
                "code": f"NS3{suffix}",
                "full_name": "Phạm Văn Đồng Nghiệp",
                "staff_type": "cong_chuc",
                "start_date": date(2025, 7, 1),
                "org_unit_id": ward["body"],
                "position_id": ward["clerk_pos"],
                "manager_id": ward["head"],
            }
        )
        db.session.commit()
        return person.id


def _fresh(app, client):
    """The live answer computed with no cache at all (no Redis), for comparison."""
    app.config["KPI_REDIS_URL"] = None
    try:
        return client.get(f"{DASH}/live").get_json()
    finally:
        app.config["KPI_REDIS_URL"] = REDIS_URL


@pytest.fixture()
def rendered(monkeypatch):
    """The staff ids whose row was computed, poll by poll."""
    seen: list = []
    original = dashboard_views._progress

    def spy(period, people, today):
        seen.extend(p.id for p in people)
        return original(period, people, today)

    monkeypatch.setattr(dashboard_views, "_progress", spy)
    return seen


def test_every_kind_of_write_shows_on_the_next_poll_as_computed_afresh(
    redis_app, client, factory, tenant_a, rendered
):
    """Assignment, report saved, report reviewed, score changed: each time the polled values and
    HTML equal a computation without any cache, and carry the new figure; the colleague's row,
    which no write touched, is served from the cache and not computed again."""
    ward = ward_today(factory, tenant_a)
    other = _colleague(tenant_a, ward)
    login(client, "phuong-a", "truong")
    clerk = ward["clerk"]

    def poll():
        rendered.clear()
        answer = client.get(f"{DASH}/live")
        assert answer.status_code == 200
        return answer.get_json()

    first = poll()
    assert set(rendered) == {clerk, other}
    assert poll() == first and rendered == []  # nothing changed: every row from the cache

    steps = []
    aid = assign(tenant_a, ward, "T2", 2)  # 2 × 2.5 converted units
    steps.append(("assigned_text", "5,00"))
    after = poll()
    assert after["values"][f"{clerk}:assigned_text"] == "5,00"
    assert rendered == [clerk]
    assert after == _fresh(redis_app, client)

    rid = report(tenant_a, ward, aid, 2)  # saved and submitted
    after = poll()
    assert after["values"][f"{clerk}:reported_text"] == "5,00"
    assert after["values"][f"{clerk}:accepted_text"] == "0,00"
    assert rendered == [clerk]
    assert after == _fresh(redis_app, client)

    review(tenant_a, ward, rid)
    after = poll()
    assert after["values"][f"{clerk}:accepted_text"] == "5,00"
    assert rendered == [clerk]
    assert after == _fresh(redis_app, client)

    with tenant_context(tenant_a):
        period = get(Period, tenant_a, ward["period"])
        person = get(StaffMember, tenant_a, clerk)
        for stage, user in (("self", "clerk_user"), ("manager", "head_user")):
            assessments.save_assessment(
                period,
                person,
                stage=stage,
                general=[9, 9, 9],
                actor=get(User, tenant_a, ward[user]),
            )
        scores.rescore_person(period, clerk)
        db.session.commit()
    after = poll()
    assert after["values"][f"{clerk}:score"] not in ("—", first["values"][f"{clerk}:score"])
    assert rendered == [clerk]
    assert after == _fresh(redis_app, client)
    assert after["values"][f"{other}:score"] == "—"
    assert 'id="d-NS3"' in after["html"]["dashboard"]


def test_a_shared_change_recomputes_the_team(redis_app, client, factory, tenant_a, rendered):
    """A person renamed (a shared change) shows at the next poll, in every row it touches."""
    ward = ward_today(factory, tenant_a)
    other = _colleague(tenant_a, ward)
    login(client, "phuong-a", "truong")
    client.get(f"{DASH}/live")
    with tenant_context(tenant_a):
        get(StaffMember, tenant_a, other).full_name = "Phạm Văn Đổi Tên"
        db.session.commit()
    rendered.clear()
    after = client.get(f"{DASH}/live").get_json()
    assert "Phạm Văn Đổi Tên" in after["html"]["dashboard"]
    assert set(rendered) == {ward["clerk"], other}
    assert after == _fresh(redis_app, client)


def test_a_person_leaving_changes_the_team_at_the_next_poll(redis_app, client, factory, tenant_a):
    """Who a manager directs follows a person leaving (the team kept by the shared revision)."""
    ward = ward_today(factory, tenant_a)
    other = _colleague(tenant_a, ward)
    login(client, "phuong-a", "truong")
    assert f"{other}:late" in client.get(f"{DASH}/live").get_json()["values"]
    with tenant_context(tenant_a):
        get(StaffMember, tenant_a, other).end_date = date.today()
        db.session.commit()
    after = client.get(f"{DASH}/live").get_json()
    assert f"{other}:late" not in after["values"]
    assert after == _fresh(redis_app, client)


def test_a_post_changed_moves_the_shared_revision(redis_app, factory, tenant_a):
    """A post decides who directs whom, so its change is shared, not the person's alone (the
    teams are kept by the shared revision)."""
    ward = ward_today(factory, tenant_a)
    before = revisions.person_view(tenant_a.id, ward["clerk"], None).split(":")[0]
    with tenant_context(tenant_a):
        post = staff.current_assignment(ward["clerk"])
        post.org_unit_id = ward["root"]
        db.session.commit()
    assert revisions.person_view(tenant_a.id, ward["clerk"], None).split(":")[0] != before


def test_rows_and_teams_of_one_unit_never_appear_in_another(
    redis_app, app, client, factory, tenant_a, tenant_b, rendered
):
    """Two units built alike: each head sees only their own people, computed from their own rows;
    a write in unit B leaves unit A's cached rows alone, and every cached key names its unit."""
    from redis import Redis

    ward_a = ward_today(factory, tenant_a)
    ward_b = ward_today(factory, tenant_b)
    login(client, "phuong-a", "truong")
    first_a = client.get(f"{DASH}/live").get_json()
    head_b = app.test_client()
    login(head_b, "phuong-b", "truong")
    answer_b = head_b.get("/t/phuong-b/dashboard/live").get_json()
    assert set(first_a["values"]) & set(answer_b["values"]) == set()
    assert str(ward_a["clerk"]) not in answer_b["html"]["dashboard"]
    assert all(key.startswith(f"{ward_b['clerk']}:") for key in answer_b["values"])

    assign(tenant_b, ward_b, "T3", 1)  # a write in B
    assert head_b.get("/t/phuong-b/dashboard/live").get_json()["values"][
        f"{ward_b['clerk']}:assigned_text"
    ] == ("5,00")
    rendered.clear()
    assert client.get(f"{DASH}/live").get_json() == first_a
    assert rendered == []  # A's row still served from A's cache, unchanged

    keys = [k.decode() for k in Redis.from_url(REDIS_URL).keys("kpi:fragment:*")]
    keys += [k.decode() for k in Redis.from_url(REDIS_URL).keys("kpi:shared:*")]
    assert {k.split(":")[2] for k in keys} == {str(tenant_a.id), str(tenant_b.id)}
