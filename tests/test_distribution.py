"""Ready for Citus: keys lead with tenant_id, and every statement on a tenant table filters by it.

Row-level security does not route queries in a distributed database, so the services' own SQL
must carry the tenant explicitly; the ORM scoping adds it, and this test watches what is sent.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tenant_app.citus import citus_ddl, distribution_problems
from tenant_app.extensions import db
from tenant_app.models.base import tenant_tables
from tenant_app.tenancy.context import cross_tenant_read_active
from tests.helpers import bearer, login, post_form, token_for


def test_distribution_keys_start_with_tenant_id(app):
    """Primary keys, unique constraints and foreign keys of tenant tables lead with tenant_id."""
    assert distribution_problems(db.metadata) == []


def test_distribution_citus_ddl_covers_every_table(app):
    """`kpi db citus-ddl` distributes every tenant table and makes the rest reference tables."""
    text = "\n".join(citus_ddl(db.metadata))
    for table in db.metadata.sorted_tables:
        if table in tenant_tables(db.metadata):
            assert f"create_distributed_table('{table.name}', 'tenant_id'" in text
        else:
            assert f"create_reference_table('{table.name}')" in text


@pytest.fixture()
def statements(app):
    """Every SQL statement sent during the test, with whether the audited door was open."""
    seen: list[tuple[str, bool]] = []

    def _capture(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, cross_tenant_read_active()))

    sa.event.listen(db.engine, "before_cursor_execute", _capture)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", _capture)


def _tenant_statement_problems(seen, tables):
    names = "|".join(tables)
    pattern = re.compile(rf"\b(?:FROM|JOIN|UPDATE|INTO)\s+\"?({names})\"?\b", re.I)
    problems = []
    for statement, in_door in seen:
        if in_door or not pattern.search(statement):
            continue
        flat = " ".join(statement.split())
        verb = flat.split(" ", 1)[0].upper()
        if verb == "INSERT":
            ok = "tenant_id" in flat.split("VALUES")[0]
        else:
            where = flat.upper().split(" WHERE ", 1)
            ok = len(where) == 2 and "TENANT_ID" in where[1]
        if not ok:
            problems.append(flat[:200])
    return problems


def test_distribution_statements_filter_by_tenant(
    app, client, statements, tenant_a, admin_a, staff_a, province_admin
):
    """Logins, the account API and the workspace send no tenant-table SQL without tenant_id."""
    login(client, "phuong-a", "admin.a")
    client.get("/t/phuong-a/")
    client.get("/t/phuong-a/users?q=nguyen")
    post_form(
        client,
        "/t/phuong-a/users/new",
        {"username": "moi.a", "full_name": "Người Mới", "roles": ["staff"], "email": ""},
    )
    headers = bearer(token_for(client, "phuong-a", "admin.a"))
    client.get("/api/v1/t/phuong-a/users", headers=headers)
    client.patch(
        f"/api/v1/t/phuong-a/users/{staff_a.id}", json={"full_name": "Đổi Tên"}, headers=headers
    )
    client.post(f"/api/v1/t/phuong-a/users/{staff_a.id}/reset-password", headers=headers)
    client.delete("/api/v1/auth/token", headers=headers)
    other = client.application.test_client()
    login(other, None, "tinh.admin")
    other.get("/admin/")
    tables = [t.name for t in tenant_tables(db.metadata)]
    assert len(statements) > 20
    assert _tenant_statement_problems(statements, tables) == []
