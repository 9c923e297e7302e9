"""Isolation, for every tenant-owned table: tenant A can neither see nor change tenant B's rows.

Layers checked one by one: the ORM (auto-scoping and write guard), the HTML and API routes, and on
PostgreSQL raw SQL under the app role (row-level security).
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import tenant_tables, utcnow
from tenant_app.tenancy import CrossTenantWrite, tenant_context
from tests.helpers import bearer, csrf_token, login, requires_postgres, token_for


def _user(factory, tenant, tag):
    return factory.user(tenant, f"iso.{tag}")


def _token(factory, tenant, tag):
    from tenant_app.models import ApiToken

    user = factory.user(tenant, f"tok.{tag}")
    with tenant_context(tenant):
        row = ApiToken(
            user_id=user.id,
            token_hash=f"hash-{tag}",
            name="t",
            expires_at=utcnow() + timedelta(hours=1),
        )
        db.session.add(row)
        db.session.commit()
    return row


def _audit_event(factory, tenant, tag):
    with tenant_context(tenant):
        event = audit.record(f"test.{tag}", object_type="test")
        db.session.commit()
    return event


# Every tenant table needs a row maker (a test below fails when a new table lacks one) and a
# column that an UPDATE may try to change. Other packages add theirs in tests/tenancy/makers/*.py
# as ``MAKERS = {"table": (make(factory, tenant, tag) -> row, "column")}``.
ROW_MAKERS = {
    "users": (_user, "full_name"),
    "api_tokens": (_token, "name"),
    "audit_events": (_audit_event, "action"),
}
for _path in sorted((Path(__file__).parent / "makers").glob("*.py")):
    _module = importlib.import_module(f"tests.tenancy.makers.{_path.stem}")
    ROW_MAKERS.update(_module.MAKERS)


def _model_for(table_name):
    for mapper in db.Model.registry.mappers:
        if mapper.local_table.name == table_name:
            return mapper.class_
    raise LookupError(table_name)


@pytest.fixture(params=sorted(ROW_MAKERS))
def pair(request, factory, tenant_a, tenant_b):
    """(model, update column, row of tenant A, row of tenant B) for each tenant table."""
    maker, column = ROW_MAKERS[request.param]
    return (
        _model_for(request.param),
        column,
        maker(factory, tenant_a, "a"),
        maker(factory, tenant_b, "b"),
    )


def test_isolation_every_tenant_table_has_a_row_maker(app):
    """Each tenant-owned table is covered by the isolation tests."""
    assert {t.name for t in tenant_tables(db.metadata)} == set(ROW_MAKERS)


def test_isolation_orm_list_sees_only_own_rows(pair, tenant_a):
    """A SELECT in tenant A's context returns none of tenant B's rows."""
    model, _column, row_a, row_b = pair
    with tenant_context(tenant_a):
        rows = db.session.execute(sa.select(model)).scalars().all()
    assert row_a.id in {r.id for r in rows}
    assert row_b.id not in {r.id for r in rows}
    assert {r.tenant_id for r in rows} == {tenant_a.id}


def test_isolation_orm_read_by_id_of_other_tenant_is_none(pair, tenant_a):
    """Reading tenant B's row by its id inside tenant A finds nothing."""
    model, _column, _row_a, row_b = pair
    db.session.expunge_all()
    with tenant_context(tenant_a):
        found = db.session.execute(sa.select(model).where(model.id == row_b.id)).scalar()
        by_key = db.session.get(model, (tenant_a.id, row_b.id))
    assert found is None
    assert by_key is None


def test_isolation_orm_update_of_other_tenant_changes_nothing(pair, tenant_a, tenant_b):
    """An UPDATE aimed at tenant B's row from tenant A touches no row."""
    model, column, _row_a, row_b = pair
    key = (tenant_b.id, row_b.id)
    with tenant_context(tenant_a):
        try:
            result = db.session.execute(
                sa.update(model)
                .where(model.id == row_b.id)
                .values({column: "hijacked"})
                .execution_options(synchronize_session=False)
            )
            assert result.rowcount == 0
            db.session.commit()
        except sa.exc.ProgrammingError:  # append-only table on PostgreSQL: no UPDATE right
            db.session.rollback()
    db.session.expire_all()
    with tenant_context(tenant_b):
        assert getattr(db.session.get(model, key), column) != "hijacked"


def test_isolation_orm_delete_of_other_tenant_changes_nothing(pair, tenant_a, tenant_b):
    """A DELETE aimed at tenant B's row from tenant A removes nothing."""
    model, _column, _row_a, row_b = pair
    key = (tenant_b.id, row_b.id)
    with tenant_context(tenant_a):
        try:
            result = db.session.execute(
                sa.delete(model)
                .where(model.id == row_b.id)
                .execution_options(synchronize_session=False)
            )
            assert result.rowcount == 0
            db.session.commit()
        except sa.exc.ProgrammingError:  # append-only table on PostgreSQL: no DELETE right
            db.session.rollback()
    db.session.expire_all()
    with tenant_context(tenant_b):
        assert db.session.get(model, key) is not None


def test_isolation_orm_write_naming_other_tenant_is_refused(factory, tenant_a, tenant_b):
    """Creating a row that names tenant B while acting for tenant A raises CrossTenantWrite."""
    from tenant_app.models import User

    with tenant_context(tenant_a):
        db.session.add(
            User(
                tenant_id=tenant_b.id,
                username="intruder",
                full_name="X",
                roles=["staff"],
                password_hash="x",
            )
        )
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
        db.session.rollback()


def test_isolation_orm_no_tenant_reads_nothing(factory, tenant_a):
    """With no tenant in context a tenant table reads as empty."""
    from tenant_app.models import User

    factory.user(tenant_a, "someone")
    assert db.session.execute(sa.select(User)).scalars().all() == []


def test_isolation_orm_no_tenant_write_is_refused(app):
    """With no tenant in context a tenant row cannot be written."""
    from tenant_app.models import User
    from tenant_app.tenancy import NoTenantContext

    db.session.add(User(username="orphan", full_name="X", roles=["staff"], password_hash="x"))
    with pytest.raises(NoTenantContext):
        db.session.flush()
    db.session.rollback()


def test_isolation_html_user_page_of_other_tenant_is_404(client, admin_a, staff_b):
    """A unit administrator of A asking A's URLs for B's account gets 404 (view and edit)."""
    login(client, "phuong-a", "admin.a")
    assert client.get(f"/t/phuong-a/users/{staff_b.id}").status_code == 404
    token = csrf_token(client, "/t/phuong-a/users/new")
    response = client.post(
        f"/t/phuong-a/users/{staff_b.id}",
        data={"csrf_token": token, "full_name": "Hijack", "roles": ["staff"]},
    )
    assert response.status_code == 404
    response = client.post(
        f"/t/phuong-a/users/{staff_b.id}/reset-password", data={"csrf_token": token}
    )
    assert response.status_code == 404


def test_isolation_html_other_tenant_workspace_is_404(client, admin_a, tenant_b):
    """A user signed in to tenant A who opens tenant B's pages gets the not-found page."""
    login(client, "phuong-a", "admin.a")
    assert client.get("/t/phuong-b/").status_code == 404
    assert client.get("/t/phuong-b/users").status_code == 404
    assert client.get("/t/phuong-b/login").status_code == 200


def test_isolation_api_other_tenant_ids_are_404(client, admin_a, staff_b):
    """Through A's API, B's account cannot be read, changed or reset: 404 every time."""
    headers = bearer(token_for(client, "phuong-a", "admin.a"))
    base = f"/api/v1/t/phuong-a/users/{staff_b.id}"
    assert client.get(base, headers=headers).status_code == 404
    assert client.patch(base, json={"full_name": "X"}, headers=headers).status_code == 404
    assert client.post(base + "/reset-password", headers=headers).status_code == 404


def test_isolation_api_token_of_a_is_refused_under_b(client, admin_a, admin_b):
    """A token issued in tenant A is unknown under tenant B's URLs (401)."""
    headers = bearer(token_for(client, "phuong-a", "admin.a"))
    assert client.get("/api/v1/t/phuong-b/users", headers=headers).status_code == 401


def _sign_scope(app, conn, tenant) -> None:
    """Act as the app on a raw connection: claim ``tenant`` with a signed scope (0012)."""
    from tenant_app.tenancy import rls

    rls.set_signed_scope(conn, rls.scope_key(app.config["KPI_RLS_KEY"]), tenant.id, False)


@requires_postgres
def test_isolation_rls_raw_sql_without_tenant_reads_nothing(app, pair):
    """As the app role, raw SQL with no tenant set sees no row of any tenant table."""
    model, *_ = pair
    with db.engine.connect() as conn:
        count = conn.execute(sa.text(f"SELECT count(*) FROM {model.__tablename__}")).scalar()
    assert count == 0


@requires_postgres
def test_isolation_rls_raw_sql_sees_only_the_set_tenant(app, pair, tenant_a, tenant_b):
    """As the app role, raw SQL with tenant A set returns only A's rows."""
    model, _column, _row_a, row_b = pair
    table = model.__tablename__
    with db.engine.begin() as conn:
        _sign_scope(app, conn, tenant_a)
        tenants = set(conn.execute(sa.text(f"SELECT DISTINCT tenant_id FROM {table}")).scalars())
        hit = conn.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE id = :i"), {"i": row_b.id}
        ).scalar()
    assert tenants == {tenant_a.id}
    assert hit == 0


@requires_postgres
def test_isolation_rls_raw_sql_cannot_write_other_tenant(app, tenant_a, tenant_b, staff_b):
    """As the app role, raw SQL in tenant A can neither insert into B nor update or delete B."""
    with db.engine.connect() as conn:
        trans = conn.begin()
        _sign_scope(app, conn, tenant_a)
        updated = conn.execute(
            sa.text("UPDATE users SET full_name = 'x' WHERE tenant_id = :b"), {"b": tenant_b.id}
        ).rowcount
        deleted = conn.execute(
            sa.text("DELETE FROM api_tokens WHERE tenant_id = :b"), {"b": tenant_b.id}
        ).rowcount
        assert (updated, deleted) == (0, 0)
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            conn.execute(
                sa.text(
                    "INSERT INTO users (tenant_id, id, username, full_name, password_hash, roles, "
                    "active, must_change_password, failed_logins, session_epoch, created_at) "
                    "VALUES "
                    "(:b, gen_random_uuid(), 'evil', 'Evil', 'x', '[]', true, false, 0, 0, now())"
                ),
                {"b": tenant_b.id},
            )
        trans.rollback()


@requires_postgres
def test_isolation_rls_app_role_cannot_bypass(app):
    """The app's role is no superuser, has no BYPASSRLS and owns no table; the owner would fail."""
    from tenant_app.tenancy.rls import UnsafeDatabaseRole, check_app_role

    with db.engine.connect() as conn:
        check_app_role(conn)
    owner = sa.create_engine(app.config["KPI_DATABASE_OWNER_URL"])
    with owner.connect() as conn, pytest.raises(UnsafeDatabaseRole):
        check_app_role(conn)
    owner.dispose()
