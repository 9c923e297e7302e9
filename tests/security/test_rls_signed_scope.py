"""Issue 12, finding 11: the app role cannot widen its own scope by SQL (signed RLS scope, 0012);
finding 10: ``rollout_targets`` is under row-level security.

The proof runs the way an attacker with SQL injection would: ``psql`` connected as the app role
(``kpi_test_app``), or a raw connection of the app role, setting whatever it likes. Only a scope
signed with the key (which the app role cannot read) for the current backend and transaction
opens rows; the app's own path and the audited door still work.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tenant_app.config import ConfigError, load
from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.rollout import ConfigTemplate, Rollout, RolloutTarget, TemplateVersion
from tenant_app.tenancy import rls, tenant_context
from tenant_app.tenancy.door import cross_tenant_read
from tests.helpers import requires_postgres


def _key(app) -> bytes:
    return rls.scope_key(app.config["KPI_RLS_KEY"])


def _psql(app, sql: str) -> subprocess.CompletedProcess:
    """Run ``sql`` with psql as the app role (the attacker's seat); stdout is unaligned rows."""
    if shutil.which("psql") is None:
        pytest.fail("the psql proof needs the psql client (apt-get install postgresql-client)")
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-d", url.render_as_string(hide_password=False)],
        input=sql,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.strip()]


def _captured_scope(tenant) -> tuple[str, str, str]:
    """The three settings of a legitimate transaction of ``tenant`` (what injected SQL can read)."""
    with tenant_context(tenant):
        row = db.session.execute(
            sa.text(
                "SELECT current_setting('kpi.tenant_id'), current_setting('kpi.cross_tenant'), "
                "current_setting('kpi.scope_sig')"
            )
        ).one()
        db.session.commit()
    return tuple(row)


# --- finding 11: psql as the app role


@pytest.mark.parametrize(
    "attack",
    [
        "SELECT set_config('kpi.cross_tenant', 'on', false);",
        "SELECT set_config('kpi.tenant_id', '{b}', false);",
        "SET kpi.tenant_id = '{b}'; SET kpi.cross_tenant = 'on';",
        "SELECT set_config('kpi.tenant_id', '{b}', false), "
        "set_config('kpi.scope_sig', repeat('0', 64), false);",
    ],
    ids=["cross_on", "tenant_b", "set_both", "forged_sig"],
)
@pytest.mark.postgres
@requires_postgres
def test_finding11_psql_unsigned_settings_read_no_row(app, attack, staff_a, staff_b, tenant_b):
    """As the app role in psql, setting the scope by SQL alone (the door's cross-tenant switch,
    another tenant, a made-up signature) opens no row of any unit."""
    result = _psql(
        app,
        attack.format(b=tenant_b.id)
        + "\nSELECT 'users=' || count(*) FROM users;"
        + "\nSELECT 'audit=' || count(*) FROM audit_events;",
    )
    assert result.returncode == 0, result.stderr
    assert [line for line in _lines(result) if "=" in line] == ["users=0", "audit=0"]


@pytest.mark.postgres
@requires_postgres
def test_finding11_psql_app_role_cannot_read_the_scope_key(app):
    """The key that signs scopes is in a schema the app role may not use: permission denied."""
    result = _psql(app, "SELECT * FROM kpi_private.rls_key;")
    assert "permission denied for schema kpi_private" in result.stderr
    assert _lines(result) == []
    result = _psql(app, "SELECT kpi_private.verified_claim();")
    assert "permission denied" in result.stderr


@pytest.mark.postgres
@requires_postgres
def test_finding11_psql_replayed_signature_reads_no_row(app, staff_a, staff_b, tenant_b):
    """A signature of tenant B read out of one of B's transactions opens nothing when replayed
    in another session (or the same session later): it is bound to backend and transaction."""
    tenant, cross, sig = _captured_scope(tenant_b)
    assert tenant == str(tenant_b.id) and len(sig) == 64
    result = _psql(
        app,
        f"SELECT set_config('kpi.tenant_id', '{tenant}', false), "
        f"set_config('kpi.cross_tenant', '{cross}', false), "
        f"set_config('kpi.scope_sig', '{sig}', false);\n"
        "SELECT 'users=' || count(*) FROM users;\n"
        f"BEGIN; SELECT set_config('kpi.scope_sig', '{sig}', true);\n"
        "SELECT 'in_tx=' || count(*) FROM users; COMMIT;",
    )
    assert result.returncode == 0, result.stderr
    assert [line for line in _lines(result) if "=" in line] == ["users=0", "in_tx=0"]


@pytest.mark.postgres
@requires_postgres
def test_finding11_replay_on_the_same_connection_reads_no_row(app, staff_b, tenant_b):
    """The same backend, a later transaction: the captured signature no longer verifies."""
    with db.engine.connect() as conn:
        with conn.begin():
            rls.set_signed_scope(conn, _key(app), tenant_b.id, False)
            sig = conn.execute(sa.text("SELECT current_setting('kpi.scope_sig')")).scalar()
            first = conn.execute(sa.text("SELECT count(*) FROM users")).scalar()
        with conn.begin():
            conn.execute(
                sa.text(
                    "SELECT set_config('kpi.tenant_id', :t, true), "
                    "set_config('kpi.scope_sig', :s, true)"
                ),
                {"t": str(tenant_b.id), "s": sig},
            )
            replayed = conn.execute(sa.text("SELECT count(*) FROM users")).scalar()
    assert (first, replayed) == (1, 0)


@pytest.mark.postgres
@requires_postgres
def test_finding11_injected_set_config_inside_the_app_transaction_widens_nothing(
    app, staff_a, staff_b, tenant_a, tenant_b
):
    """SQL injected into tenant A's own signed transaction that switches tenant or turns the
    cross-tenant read on invalidates the signature: it then reads not even A's rows."""
    with tenant_context(tenant_a):
        own = db.session.execute(sa.text("SELECT count(*) FROM users")).scalar()
        db.session.execute(sa.text("SELECT set_config('kpi.cross_tenant', 'on', true)"))
        crossed = db.session.execute(sa.text("SELECT count(*) FROM users")).scalar()
        db.session.execute(
            sa.text("SELECT set_config('kpi.tenant_id', :b, true)"), {"b": str(tenant_b.id)}
        )
        switched = db.session.execute(sa.text("SELECT count(*) FROM users")).scalar()
        db.session.rollback()
    assert (own, crossed, switched) == (1, 0, 0)


@pytest.mark.postgres
@requires_postgres
def test_finding11_signature_made_with_another_key_reads_no_row(app, staff_b, tenant_b):
    """A scope signed with a key other than the database's opens nothing."""
    with db.engine.connect() as conn, conn.begin():
        rls.set_signed_scope(conn, b"not-the-key", tenant_b.id, False)
        assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar() == 0


@pytest.mark.postgres
@requires_postgres
def test_finding11_app_path_sees_its_tenant_and_the_door_reads_across(
    app, auditor, staff_a, staff_b, tenant_a
):
    """The legitimate paths still work: the app in tenant A sees A (raw SQL, under RLS alone),
    and the audited door reads every unit."""
    with tenant_context(tenant_a):
        own = set(db.session.execute(sa.text("SELECT username FROM users")).scalars())
        db.session.commit()
    with cross_tenant_read("test: signed scope", actor=auditor):
        across = set(db.session.execute(sa.text("SELECT username FROM users")).scalars())
        assert set(db.session.execute(sa.select(User.username)).scalars()) == across
    db.session.commit()
    assert own == {"staff.a"}
    assert {"staff.a", "staff.b"} <= across


@pytest.mark.postgres
@requires_postgres
def test_finding11_start_up_refuses_a_role_that_can_read_the_key(app):
    """The start-up role check fails when the app role could read the key, and passes without."""
    owner = sa.create_engine(app.config["KPI_DATABASE_OWNER_URL"])
    role = app.config["KPI_DATABASE_APP_ROLE"]
    try:
        with db.engine.connect() as conn:
            rls.check_app_role(conn)  # the role of the test run is safe
        with owner.begin() as conn:
            conn.execute(sa.text(f"GRANT USAGE ON SCHEMA kpi_private TO {role}"))
        db.engine.dispose()
        with db.engine.connect() as conn, pytest.raises(rls.UnsafeDatabaseRole, match="key"):
            rls.check_app_role(conn)
    finally:
        with owner.begin() as conn:
            conn.execute(sa.text(f"REVOKE USAGE ON SCHEMA kpi_private FROM {role}"))
        owner.dispose()
        db.engine.dispose()


@pytest.mark.postgres
@requires_postgres
def test_finding11_start_up_detects_a_key_the_database_does_not_hold(app):
    """A key the database does not hold would make every unit read as empty: refused at start."""
    with db.engine.connect() as conn:
        rls.check_scope_key(conn, _key(app))
        with pytest.raises(rls.ScopeKeyMismatch):
            rls.check_scope_key(conn, b"another-key")


@pytest.mark.postgres
@requires_postgres
def test_finding11_rls_key_command_rotates_the_stored_key(app):
    """``kpi db rls-key`` stores the configured key; after a rotation the old one is refused."""
    runner = app.test_cli_runner()
    old = app.config["KPI_RLS_KEY"]
    try:
        app.config["KPI_RLS_KEY"] = "rotated-key-" + "x" * 32
        result = runner.invoke(args=["db", "rls-key"])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as conn:
            rls.check_scope_key(conn, b"rotated-key-" + b"x" * 32)
            with pytest.raises(rls.ScopeKeyMismatch):
                rls.check_scope_key(conn, old.encode())
    finally:
        app.config["KPI_RLS_KEY"] = old
        assert runner.invoke(args=["db", "rls-key"]).exit_code == 0


# --- finding 10: rollout_targets


def _targets(tenants) -> int:
    """A dry-run rollout with one target per tenant, made in the province scope; its id."""
    template = ConfigTemplate(code="tpl-rls", name="Mẫu RLS")
    db.session.add(template)
    db.session.flush()
    version = TemplateVersion(template_id=template.id, number=1, status="published", payload={})
    db.session.add(version)
    db.session.flush()
    rollout = Rollout(version_id=version.id)
    db.session.add(rollout)
    db.session.flush()
    for tenant in tenants:
        db.session.add(
            RolloutTarget(rollout_id=rollout.id, tenant_id=tenant.id, diff={"secret": tenant.slug})
        )
    db.session.commit()
    return rollout.id


@pytest.mark.postgres
@requires_postgres
def test_finding10_rollout_targets_are_scoped_to_the_tenant(app, tenant_a, tenant_b):
    """Under RLS a tenant (its rollout job) sees and changes its own target only, the province
    sees all, nothing unsigned sees any; the unfinished count still spans every tenant."""
    rollout_id = _targets([tenant_a, tenant_b])
    province = db.session.execute(sa.text("SELECT count(*) FROM rollout_targets")).scalar()
    db.session.commit()
    with tenant_context(tenant_a):
        seen = set(db.session.execute(sa.text("SELECT tenant_id FROM rollout_targets")).scalars())
        changed = db.session.execute(
            sa.text("UPDATE rollout_targets SET message = 'x' WHERE tenant_id = :b"),
            {"b": tenant_b.id},
        ).rowcount
        unfinished = db.session.execute(
            sa.text("SELECT kpi_rollout_unfinished(:r)"), {"r": rollout_id}
        ).scalar()
        db.session.commit()
    with db.engine.connect() as conn:
        unsigned = conn.execute(sa.text("SELECT count(*) FROM rollout_targets")).scalar()
        unsigned_count = conn.execute(
            sa.text("SELECT kpi_rollout_unfinished(:r)"), {"r": rollout_id}
        ).scalar()
    assert province == 2
    assert seen == {tenant_a.id}
    assert changed == 0
    assert unfinished == 2
    assert (unsigned, unsigned_count) == (0, 0)


@pytest.mark.postgres
@requires_postgres
def test_finding10_psql_rollout_targets_closed_to_unsigned_sql(app, tenant_a, tenant_b):
    """psql as the app role: no rollout target is readable without a signed scope."""
    _targets([tenant_a, tenant_b])
    result = _psql(
        app,
        "SELECT set_config('kpi.cross_tenant', 'on', false);\n"
        "SELECT 'targets=' || count(*) FROM rollout_targets;",
    )
    assert result.returncode == 0, result.stderr
    assert [line for line in _lines(result) if "=" in line] == ["targets=0"]


# --- the key setting (every backend)


def test_finding11_rls_key_is_derived_from_the_secret_key_when_unset(tmp_path):
    """Unset, ``KPI_RLS_KEY`` is derived from the secret key: stable, and not the secret itself."""
    env = {"KPI_INSTANCE_DIR": str(tmp_path), "KPI_SECRET_KEY": "s" * 40}
    first, second = load(env)["KPI_RLS_KEY"], load(env)["KPI_RLS_KEY"]
    assert first == second and len(first) == 64 and "s" * 40 not in first
    assert load({**env, "KPI_SECRET_KEY": "t" * 40})["KPI_RLS_KEY"] != first
    assert load({**env, "KPI_RLS_KEY": "k" * 40})["KPI_RLS_KEY"] == "k" * 40


def test_finding11_production_refuses_a_short_rls_key(tmp_path):
    """In production an explicit ``KPI_RLS_KEY`` must be at least 32 characters."""
    env = {
        "KPI_ENV": "production",
        "KPI_INSTANCE_DIR": str(tmp_path),
        "KPI_SECRET_KEY": "s" * 40,
        "KPI_DATABASE_URL": "postgresql://app@db/kpi",
        "KPI_RLS_KEY": "short",
    }
    with pytest.raises(ConfigError, match="RLS_KEY"):
        load(env)


def test_finding11_signature_is_bound_to_claim_backend_and_transaction():
    """The Python signature changes with the tenant, the cross flag, the backend and the
    transaction start (what the database recomputes), and matches a textbook HMAC-SHA256."""
    import hashlib
    import hmac

    key = b"k" * 70  # longer than a block: hashed first, as in the stored pads
    base = rls.scope_signature(key, rls.scope_claim(7, False), 100, 1000)
    assert base == hmac.new(key, b"7::100:1000", hashlib.sha256).hexdigest()
    others = {
        rls.scope_signature(key, rls.scope_claim(8, False), 100, 1000),
        rls.scope_signature(key, rls.scope_claim(7, True), 100, 1000),
        rls.scope_signature(key, rls.scope_claim(7, False), 101, 1000),
        rls.scope_signature(key, rls.scope_claim(7, False), 100, 1001),
    }
    assert base not in others and len(others) == 4
    inner, outer = rls.key_pads(key)
    manual = hashlib.sha256(outer + hashlib.sha256(inner + b"7::100:1000").digest()).hexdigest()
    assert manual == base
