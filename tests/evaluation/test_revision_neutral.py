"""Writes no cached page shows (sign-ins, session touches, audit events, job runs) leave the
unit's data revision alone, so they do not discard every cached page of the unit."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.jobs import JobRun
from tenant_app.tenancy import revisions, tenant_context
from tests.evaluation.view_helpers import assign, ward_today
from tests.helpers import login, requires_redis


@requires_redis
def test_a_sign_in_and_its_session_do_not_move_the_revision(redis_app, client, factory, tenant_a):
    ward_today(factory, tenant_a)
    before = revisions.current(tenant_a.id)
    login(client, "phuong-a", "truong")  # session row, last sign-in, audit event
    assert client.get("/t/phuong-a/dashboard").status_code == 200
    assert revisions.current(tenant_a.id) == before


@requires_redis
def test_bookkeeping_rows_do_not_move_it_but_what_pages_show_does(redis_app, factory, tenant_a):
    ward = ward_today(factory, tenant_a)
    before = revisions.current(tenant_a.id)
    with tenant_context(tenant_a):
        audit.record("test.event", object_type="test", object_id="1")
        db.session.add(JobRun(kind="test", queue="default"))
        user = db.session.get(User, (tenant_a.id, ward["head_user"]))
        user.failed_logins = 3
        db.session.commit()
        db.session.execute(
            sa.update(JobRun).where(JobRun.kind == "test").values(status="succeeded")
        )
        db.session.commit()
    assert revisions.current(tenant_a.id) == before
    with tenant_context(tenant_a):
        user = db.session.get(User, (tenant_a.id, ward["head_user"]))
        user.full_name = "Trưởng Đổi Tên"  # shown on pages: moves
        db.session.commit()
    moved = revisions.current(tenant_a.id)
    assert moved != before
    with tenant_context(tenant_a):
        assign(tenant_a, ward, "T3", 1)
    assert revisions.current(tenant_a.id) != moved
