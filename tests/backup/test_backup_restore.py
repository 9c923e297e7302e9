"""`kpi backup` and `kpi restore`: a demo restored into an empty deployment is whole again.

Runs on the suite's backend: SQLite by default, PostgreSQL (pg_dump/pg_restore, a fresh database
as the target, the app reading through its RLS-bound role) under ``KPI_TEST_BACKEND=postgres``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from tenant_app import audit, demo
from tenant_app.config import upload_dir
from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent, Tenant, User
from tenant_app.services.backup import databases
from tenant_app.tenancy import tenant_context
from tests.backup.conftest import owner_counts, rewrite_archive, run
from tests.helpers import requires_postgres

PNG = bytes.fromhex("89504e470d0a1a0a") + b"seal"


def _files(app) -> dict[str, str]:
    """SHA-256 of every file the test put in the instance and upload folders, by relative path."""
    instance = Path(app.config["KPI_INSTANCE_DIR"])
    uploads = upload_dir(app.config)
    found = {}
    for root, prefix in ((instance, "instance"), (uploads, "uploads")):
        for path in root.rglob("*"):
            if path.is_file() and "backups" not in path.parts and path.suffix != ".sqlite3":
                if prefix == "instance" and uploads in path.parents:
                    continue
                found[f"{prefix}/{path.relative_to(root)}"] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return found


def _put_files(app, tenant_id: int) -> None:
    evidence = upload_dir(app.config) / str(tenant_id) / "evidence"
    evidence.mkdir(parents=True, exist_ok=True)
    (evidence / "bien-ban.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    (upload_dir(app.config) / str(tenant_id) / "42.xlsx").write_bytes(b"PK\x03\x04 workbook")
    (Path(app.config["KPI_INSTANCE_DIR"]) / "con-dau.png").write_bytes(PNG)


def _backup(app, tmp_path) -> Path:
    result = run(app, "backup", "--output", str(tmp_path / "backups"))
    assert result.exit_code == 0, result.output
    (archive,) = (tmp_path / "backups").glob("kpi-backup-*.tar")
    return archive


def _small_deployment(app, factory) -> Tenant:
    tenant = factory.tenant("phuong-a", name="Phường A")
    factory.user(tenant, "nv.a", ("staff",))
    with tenant_context(tenant):
        audit.record("test.event", object_type="test", after={"tên": "Hòa"})
        db.session.commit()
    _put_files(app, tenant.id)
    return tenant


def test_restore_of_the_demo_brings_back_rows_files_and_audit_chains(app, tmp_path, empty_target):
    """The demo (plus evidence, a workbook and a seal image) backed up and restored into an
    empty database: the same rows per table, the same files byte for byte, every audit chain
    verifies with `kpi audit verify`, and the app reads each unit through its own scope."""
    demo.build(fresh=False)
    tenants = {t.slug: t.id for t in db.session.execute(sa.select(Tenant)).scalars()}
    people = {slug: _users(tenant_id) for slug, tenant_id in tenants.items()}
    _put_files(app, tenants["hac-thanh"])
    db.session.remove()
    before = owner_counts(app)
    files_before = _files(app)
    archive = _backup(app, tmp_path)
    manifest = json.loads(databases_manifest(archive))
    assert manifest["database"]["tables"] == before
    assert before["audit_events"] > 0 and before["users"] > 60

    target = empty_target()
    result = run(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "audit chains intact" in result.output

    after = owner_counts(target)
    # The restore itself is the only new event: on the province chain.
    assert after == {**before, "province_audit_events": before["province_audit_events"] + 1}
    assert _files(target) == files_before
    verified = run(target, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert f"checked {before['audit_events'] + after['province_audit_events']} events" in (
        verified.output
    )
    with target.app_context():
        assert {slug: _users(tenant_id) for slug, tenant_id in tenants.items()} == people
        last = db.session.execute(
            sa.select(ProvinceAuditEvent).order_by(ProvinceAuditEvent.seq.desc()).limit(1)
        ).scalar_one()
        assert last.action == "backup.restored"
        db.session.remove()


def _users(tenant_id: int) -> int:
    """Accounts of one unit, read through the app in that unit's scope."""
    with tenant_context(db.session.get(Tenant, tenant_id)):
        found = db.session.execute(sa.select(sa.func.count(User.id))).scalar_one()
        db.session.commit()
    return found


def databases_manifest(archive: Path) -> bytes:
    import tarfile

    with tarfile.open(archive) as tar:
        return tar.extractfile("manifest.json").read()


@requires_postgres
def test_restore_keeps_row_level_security_for_the_app_role(app, factory, tmp_path, empty_target):
    """On PostgreSQL the restored tables are still under FORCE RLS with the app's grants: the app
    role without a signed scope reads no unit's rows, and one unit's scope reads only its own."""
    tenant = _small_deployment(app, factory)
    other = factory.tenant("phuong-b", name="Phường B")
    factory.user(other, "nv.b", ("staff",))
    archive = _backup(app, tmp_path)
    target = empty_target()
    assert run(target, "restore", str(archive)).exit_code == 0
    engine = sa.create_engine(target.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar() == 0
        forced = conn.execute(
            sa.text("SELECT count(*) FROM pg_class WHERE relforcerowsecurity")
        ).scalar()
    engine.dispose()
    assert forced > 20
    with target.app_context():
        with tenant_context(db.session.get(Tenant, tenant.id)):
            names = set(db.session.execute(sa.select(User.username)).scalars())
            db.session.commit()
        db.session.remove()
    assert names == {"nv.a"}


def test_tampered_archive_is_refused_and_changes_nothing(app, factory, tmp_path, empty_target):
    """One byte changed in a file of the archive: the restore names that file, exits 1, and the
    target database and folders stay empty."""
    tenant = _small_deployment(app, factory)
    archive = _backup(app, tmp_path)
    evidence = f"files/uploads/{tenant.id}/evidence/bien-ban.pdf"
    tampered = tmp_path / "tampered.tar"

    def flip(name, data):
        return data[:100] + bytes([data[100] ^ 1]) + data[101:] if name == evidence else data

    rewrite_archive(archive, tampered, flip)
    target = empty_target()
    result = run(target, "restore", str(tampered))
    assert result.exit_code == 1
    assert evidence in result.output and "checksum" in result.output
    _assert_untouched(target)


def test_truncated_archive_is_refused_and_changes_nothing(app, factory, tmp_path, empty_target):
    """A half-copied archive is refused with a clear message, before anything changes."""
    _small_deployment(app, factory)
    archive = _backup(app, tmp_path)
    cut = tmp_path / "cut.tar"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    target = empty_target()
    result = run(target, "restore", str(cut))
    assert result.exit_code == 1
    assert "not a complete kpi backup" in result.output or "not a readable" in result.output
    _assert_untouched(target)


def test_member_missing_from_the_manifest_is_refused(app, factory, tmp_path, empty_target):
    """An archive with a file dropped (manifest intact) is refused as altered or incomplete."""
    tenant = _small_deployment(app, factory)
    archive = _backup(app, tmp_path)
    dropped = tmp_path / "dropped.tar"
    rewrite_archive(
        archive, dropped, lambda n, d: None if n == f"files/uploads/{tenant.id}/42.xlsx" else d
    )
    target = empty_target()
    result = run(target, "restore", str(dropped))
    assert result.exit_code == 1 and "differ from the manifest" in result.output
    _assert_untouched(target)


def _assert_untouched(target) -> None:
    url = target.config["KPI_DATABASE_OWNER_URL"]
    if url.startswith("postgresql"):
        assert databases.pg_contents(url) == []
    else:
        assert databases.sqlite_contents(databases.sqlite_path(url)) == []
    uploads = upload_dir(target.config)
    assert not uploads.exists() or not any(uploads.rglob("*"))
    instance = Path(target.config["KPI_INSTANCE_DIR"])
    assert not (instance / "con-dau.png").exists()
    assert not list(instance.glob(".kpi-restore-*"))


def test_non_empty_target_is_refused_without_force(app, factory, tmp_path):
    """Restoring over a database that has data says so, names --force and changes nothing."""
    _small_deployment(app, factory)
    archive = _backup(app, tmp_path)
    factory.tenant("phuong-moi", name="Phường Mới")
    db.session.remove()
    before = owner_counts(app)
    result = run(app, "restore", str(archive))
    assert result.exit_code == 1
    assert "not empty" in result.output and "--force" in result.output
    assert owner_counts(app) == before


def test_force_replaces_a_non_empty_target_with_the_archive(app, factory, tmp_path):
    """--force drops what the target holds and restores the archive: a unit created after the
    backup is gone, the counts are the archive's and the chains verify."""
    _small_deployment(app, factory)
    archive = _backup(app, tmp_path)
    manifest = json.loads(databases_manifest(archive))
    factory.tenant("phuong-moi", name="Phường Mới")
    db.session.remove()
    result = run(app, "restore", "--force", str(archive))
    assert result.exit_code == 0, result.output
    counts = owner_counts(app)
    expected = manifest["database"]["tables"]
    # The backup and the restore are recorded on the province chain after the snapshot.
    assert counts == {**expected, "province_audit_events": expected["province_audit_events"] + 1}
    slugs = set(db.session.execute(sa.select(Tenant.slug)).scalars())
    assert slugs == {"phuong-a"}
    assert run(app, "audit", "verify").exit_code == 0


def test_archive_from_a_newer_schema_is_refused(app, factory, tmp_path, empty_target):
    """A database at a revision this code does not know (a later version's) is refused."""
    _small_deployment(app, factory)
    archive = _backup(app, tmp_path)
    newer = tmp_path / "newer.tar"

    def bump(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["database"]["revision"] = "0099_from_the_future"
        return json.dumps(manifest).encode()

    rewrite_archive(archive, newer, bump)
    target = empty_target()
    result = run(target, "restore", str(newer))
    assert result.exit_code == 1
    assert "0099_from_the_future" in result.output and "newer version" in result.output
    _assert_untouched(target)


def test_archive_from_an_older_schema_asks_for_the_upgrade(tmp_path, empty_target):
    """A database at an older revision is restored and the admin told to run `kpi db upgrade`;
    with --upgrade the migrations run and the chains are verified."""
    from flask_migrate import upgrade

    old = empty_target()
    with old.app_context():
        upgrade(revision="0023_unit_ratings")
        db.session.remove()
        db.engine.dispose()
    archive = _backup(old, tmp_path)

    plain = empty_target()
    told = run(plain, "restore", str(archive))
    assert told.exit_code == 0, told.output
    assert "older revision" in told.output and "kpi db upgrade" in told.output

    upgraded = empty_target()
    done = run(upgraded, "restore", "--upgrade", str(archive))
    assert done.exit_code == 0, done.output
    assert "schema upgraded; audit chains intact" in done.output
    with upgraded.app_context():
        head = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        db.session.remove()
        code_heads = ScriptDirectory(current_app.extensions["migrate"].directory).get_heads()
    assert [head] == code_heads


def test_backup_keeps_only_the_newest_archives(app, factory, tmp_path):
    """--keep N leaves the N newest archives in the folder and removes the older ones."""
    _small_deployment(app, factory)
    for _ in range(3):
        result = run(app, "backup", "--output", str(tmp_path / "b"), "--keep", "2")
        assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "b").glob("kpi-backup-*.tar"))) == 2
    assert "removed" in result.output


def test_backup_is_recorded_on_the_province_chain(app, factory, tmp_path):
    """A backup adds a `backup.created` event with the archive's name and SHA-256."""
    _small_deployment(app, factory)
    archive = _backup(app, tmp_path)
    event = db.session.execute(
        sa.select(ProvinceAuditEvent).order_by(ProvinceAuditEvent.seq.desc()).limit(1)
    ).scalar_one()
    assert event.action == "backup.created" and event.object_id == archive.name
    assert event.after["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()


@requires_postgres
def test_backup_refuses_a_role_that_row_level_security_would_hide_rows_from(app, tmp_path):
    """pg_dump as a role without BYPASSRLS would fail or dump empty tables: refused up front,
    naming the fix, and no archive is left behind."""
    app.config["KPI_DATABASE_OWNER_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    result = run(app, "backup", "--output", str(tmp_path / "b"))
    assert result.exit_code == 1
    assert "BYPASSRLS" in result.output
    assert list((tmp_path / "b").iterdir()) == []


def test_manifest_without_the_fields_a_restore_needs_is_refused(
    app, factory, tmp_path, empty_target
):
    """A manifest whose checksum was recomputed but whose fields were removed, or that lists a
    member outside the database copy and files/<root>/, is refused before anything changes."""
    _small_deployment(app, factory)
    archive = _backup(app, tmp_path)

    def edit(change):
        def apply(name, data):
            if name != "manifest.json":
                return data
            manifest = json.loads(data)
            change(manifest)
            return json.dumps(manifest).encode()

        return apply

    stripped = tmp_path / "stripped.tar"
    rewrite_archive(archive, stripped, edit(lambda m: m["database"].pop("tables")))
    outside = tmp_path / "outside.tar"

    def rename(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["members"][-1]["path"] = "etc/cron.d/kpi"
            return json.dumps(manifest).encode()
        return data

    rewrite_archive(archive, outside, rename)
    target = empty_target()
    for bad, message in ((stripped, "lacks fields"), (outside, "unexpected member")):
        result = run(target, "restore", str(bad))
        assert result.exit_code == 1 and message in result.output, result.output
    _assert_untouched(target)


@requires_postgres
def test_a_restore_that_fails_half_way_is_rolled_back(app, factory, tmp_path, empty_target):
    """A statement of the dump that fails (here a function already in the target) rolls the
    whole restore back: the target has no table afterwards."""
    _small_deployment(app, factory)
    archive = _backup(app, tmp_path)
    target = empty_target()
    owner = target.config["KPI_DATABASE_OWNER_URL"]
    engine = databases.pg_engine(owner)
    with engine.begin() as conn:
        conn.execute(
            sa.text("CREATE FUNCTION kpi_scope_tenant() RETURNS integer LANGUAGE sql AS 'SELECT 1'")
        )
    engine.dispose()
    result = run(target, "restore", str(archive))
    assert result.exit_code == 1 and "rolled back" in result.output
    assert databases.pg_contents(owner) == []


def test_backup_leaves_out_secrets_databases_and_earlier_backups(app, factory, tmp_path_factory):
    """The archive holds the instance and upload files but not the development secret key, the
    embedded database file, nor the archives of `instance/backups/` (when written elsewhere)."""
    _small_deployment(app, factory)
    instance = Path(app.config["KPI_INSTANCE_DIR"])
    (instance / "secret_key").write_text("not for the archive")
    (instance / "backups").mkdir()
    (instance / "backups" / "kpi-backup-old.tar").write_bytes(b"old")
    out = tmp_path_factory.mktemp("elsewhere")
    assert run(app, "backup", "--output", str(out)).exit_code == 0
    (archive,) = out.glob("kpi-backup-*.tar")
    names = {m["path"] for m in json.loads(databases_manifest(archive))["members"]}
    assert "files/instance/con-dau.png" in names
    assert any(n.startswith("files/uploads/") for n in names)
    assert not [n for n in names if "secret_key" in n or "backups/" in n or ".sqlite3-" in n]
    assert not [n for n in names if n.startswith("files/") and n.endswith(".sqlite3")]
