"""A source's token writes only that source's records in that unit; nothing else."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, FeedRecord
from tenant_app.services.feeds import sources
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.feeds.conftest import make_source, post, record
from tests.helpers import bearer, token_for


def test_a_token_posts_its_own_source_only(client, tenant_a, fed_ward):
    other_id, other_token = make_source(tenant_a, fed_ward, code="van-ban")
    assert post(client, other_token, [record("d1", "received")]).status_code == 403
    assert (
        post(client, other_token, [record("d1", "received")], source="van-ban").status_code == 202
    )
    with tenant_context(tenant_a):
        assert db.session.scalars(sa.select(FeedRecord.source_id)).all() == [other_id]


def test_a_token_of_another_unit_is_unknown_here(client, factory, tenant_a, tenant_b, fed_ward):
    ward_b = build_ward(factory, tenant_b)
    _source_b, token_b = make_source(tenant_b, ward_b)
    assert post(client, token_b, [record("d1", "received")]).status_code == 401
    assert post(client, fed_ward["token"], [record("d1", "received")],
                base="/api/v1/t/phuong-b").status_code == 401  # fmt: skip
    with tenant_context(tenant_a):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedRecord)) == 0


def test_a_feed_token_opens_nothing_but_records(client, fed_ward):
    headers = bearer(fed_ward["token"])
    for path in ("/staff", "/assignments", "/periods", "/feed-sources", "/me"):
        assert client.get(f"/api/v1/t/phuong-a{path}", headers=headers).status_code == 401, path
    response = client.post("/api/v1/t/phuong-a/assignments", json={}, headers=headers)
    assert response.status_code == 401


def test_revoked_and_expired_tokens_are_refused_and_rotation_is_audited(client, tenant_a, fed_ward):
    with tenant_context(tenant_a):
        source = sources.get_source(fed_ward["source"])
        new_token, _row = sources.rotate_token(source)
        db.session.commit()
    assert post(client, fed_ward["token"], [record("d1", "received")]).status_code == 401
    assert post(client, new_token, [record("d1", "received")]).status_code == 202
    with tenant_context(tenant_a):
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.action.like("feed.token%"))
        ).all()
    assert actions.count("feed.token_issued") == 2 and "feed.token_revoked" in actions


def test_only_unit_administrators_configure_sources(client, tenant_a, fed_ward, admin_a):
    clerk = bearer(token_for(client, "phuong-a", "vanthu"))
    assert client.get("/api/v1/t/phuong-a/feed-sources", headers=clerk).status_code == 403
    admin = bearer(token_for(client, "phuong-a", admin_a.username))
    listed = client.get("/api/v1/t/phuong-a/feed-sources", headers=admin).get_json()
    assert [s["code"] for s in listed] == ["mot-cua"]


def test_another_unit_cannot_read_or_replay_a_source(
    client, factory, tenant_a, tenant_b, fed_ward, admin_b
):
    build_ward(factory, tenant_b)
    admin = bearer(token_for(client, "phuong-b", admin_b.username))
    source = fed_ward["source"]
    base = "/api/v1/t/phuong-b/feed-sources"
    assert client.get(f"{base}/{source}", headers=admin).status_code == 404
    assert client.post(f"{base}/{source}/replay", json={}, headers=admin).status_code == 404
    assert client.get(f"{base}/{source}/records", headers=admin).status_code == 404
    assert client.post(f"{base}/{source}/tokens", headers=admin).status_code == 404
