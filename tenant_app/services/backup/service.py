"""The two use cases: back up this deployment, and restore an archive into an empty one.

A backup is the database (see ``databases``) and the instance files: ``KPI_INSTANCE_DIR`` (the
province's seal image, exports, the demo's account list…) and ``KPI_UPLOAD_DIR`` (evidence and
import workbooks), without the embedded database itself, the development secret key (a secret
is configuration, not data), the backups folder and unfinished restores. It is recorded on the
province's audit chain.

A restore checks the whole archive before it changes anything (manifest digest, members, sizes,
SHA-256), refuses a database of another kind, one newer than this code (its alembic revision is
unknown here) and, unless forced, a target database or upload folder that is not empty. Then the
database is restored, the files put in place and checked again, this deployment's RLS key stored,
the row counts compared with the manifest and, when the schema is this code's (as restored, or
after ``upgrade``), every audit chain verified through the app before the restore itself is
recorded on the province chain.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath

from flask import current_app

from tenant_app import audit
from tenant_app.config import upload_dir
from tenant_app.extensions import db
from tenant_app.services.backup import databases
from tenant_app.services.backup.archive import (
    FILES_PREFIX,
    BackupError,
    collect_files,
    extract_verified,
    file_digest,
    read_manifest,
    write_archive,
)
from tenant_app.tenancy import rls

PREFIX = "kpi-backup-"
STAGING_PREFIX = ".kpi-restore-"


@dataclass(frozen=True)
class BackupResult:
    """An archive written: where, its size and SHA-256, how long it took, what it holds."""

    path: Path
    size: int
    sha256: str
    seconds: float
    manifest: dict
    removed: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    """A restore done: the schema state (``current``, ``upgraded`` or ``older``), the files and
    rows restored, the audit events verified (None when the schema is older than the code)."""

    revision: str | None
    state: str
    files: int
    rows: int
    events_checked: int | None
    seconds: float


def _config():
    return current_app.config


def _is_postgres() -> bool:
    return _config()["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def _owner_url() -> str:
    return _config().get("KPI_DATABASE_OWNER_URL") or _config()["SQLALCHEMY_DATABASE_URI"]


def _key() -> bytes:
    return rls.scope_key(_config()["KPI_RLS_KEY"])


def _roots() -> dict[str, Path]:
    return {
        "instance": Path(_config()["KPI_INSTANCE_DIR"]).resolve(),
        "uploads": upload_dir(_config()).resolve(),
    }


def _excluded(output: Path | None) -> list[Path]:
    roots = _roots()
    instance = roots["instance"]
    excluded = [roots["uploads"], instance / "secret_key", instance / "backups"]
    excluded += [p for p in instance.glob(STAGING_PREFIX + "*")]
    if output is not None:
        excluded.append(output)
    if not _is_postgres():
        database = databases.sqlite_path(_config()["SQLALCHEMY_DATABASE_URI"]).resolve()
        excluded += [Path(str(database) + s) for s in ("", "-wal", "-shm", "-journal")]
    return excluded


def _files(output: Path | None) -> list[tuple[str, Path]]:
    roots = _roots()
    files = collect_files({"instance": roots["instance"]}, _excluded(output))
    return files + collect_files({"uploads": roots["uploads"]}, [])


def _code_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())


def revision_state(revision: str | None) -> str:
    """``current`` (this code's head), ``older`` (a revision of this code's history) or
    ``newer`` (unknown here: written by a later version, or none at all)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory(current_app.extensions["migrate"].directory)
    if revision is None:
        return "newer"
    if revision in script.get_heads():
        return "current"
    try:
        found = script.get_revision(revision)
    except CommandError:
        return "newer"
    return "older" if found is not None else "newer"


# --- backup -----------------------------------------------------------------------------------


def _prune(output: Path, keep: int) -> list[Path]:
    archives = sorted(output.glob(PREFIX + "*.tar"), key=lambda p: (p.stat().st_mtime, p.name))
    removed = archives[: max(0, len(archives) - keep)]
    for path in removed:
        path.unlink()
    return removed


def create_backup(output: Path, *, keep: int | None = None) -> BackupResult:
    """Write ``output/kpi-backup-<UTC time>.tar``; keep only the ``keep`` newest archives there.

    Raises BackupError (nothing left behind) when the database cannot be copied."""
    started = time.perf_counter()
    output = output.resolve()
    output.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    target = output / f"{PREFIX}{now:%Y%m%dT%H%M%SZ}.tar"
    n = 1
    while target.exists():
        target = output / f"{PREFIX}{now:%Y%m%dT%H%M%SZ}-{n}.tar"
        n += 1
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output))
    partial = target.with_name(target.name + ".partial")
    try:
        if _is_postgres():
            dump = staging / "database.dump"
            database = databases.pg_dump(
                _owner_url(), dump, _config().get("KPI_DATABASE_APP_ROLE") or "kpi_app"
            )
        else:
            dump = staging / "database.sqlite3"
            source = databases.sqlite_path(_config()["SQLALCHEMY_DATABASE_URI"])
            database = databases.sqlite_backup(source, dump)
        manifest = {
            "app_version": _app_version(),
            "created_at": now.isoformat(timespec="seconds"),
            "database": database,
            "roots": {name: str(path) for name, path in _roots().items()},
        }
        write_archive(partial, manifest, [(database["file"], dump), *_files(output)])
        os.replace(partial, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        partial.unlink(missing_ok=True)
    size, sha256 = file_digest(target)
    removed = _prune(output, keep) if keep else []
    final, _ = read_manifest(target)
    if revision_state(database["revision"]) == "current":
        audit.record(
            "backup.created",
            object_type="backup",
            object_id=target.name,
            after={"archive": target.name, "size": size, "sha256": sha256},
            province=True,
        )
        db.session.commit()
    return BackupResult(target, size, sha256, time.perf_counter() - started, final, removed)


def _app_version() -> str:
    try:
        return metadata.version("kpi-congvu")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- restore ----------------------------------------------------------------------------------


def _check_target(manifest: dict, force: bool) -> None:
    kind = manifest["database"]["kind"]
    if kind != ("postgresql" if _is_postgres() else "sqlite"):
        here = "PostgreSQL" if _is_postgres() else "SQLite"
        raise BackupError(f"this archive holds a {kind} database; this deployment runs {here}")
    state = revision_state(manifest["database"].get("revision"))
    if state == "newer":
        raise BackupError(
            f"the archive's database is at revision {manifest['database'].get('revision')!r}, "
            f"unknown to this version of the code (heads {', '.join(_code_heads())}): it was "
            "written by a newer version; restore it with that version (or newer)"
        )
    if _is_postgres():
        contents = databases.pg_contents(_owner_url())
        role = manifest["database"].get("app_role")
        configured = _config().get("KPI_DATABASE_APP_ROLE") or "kpi_app"
        if role != configured:
            raise BackupError(
                f"the archive grants table rights to the app role {role!r}, this deployment's "
                f"is {configured!r} (KPI_DATABASE_APP_ROLE): create that role and set "
                f"KPI_DATABASE_APP_ROLE={role}, then restore"
            )
        if not databases.pg_role_exists(_owner_url(), role):
            raise BackupError(
                f"the app role {role!r} does not exist on the target server: create it first "
                f"(CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '…')"
            )
    else:
        path = databases.sqlite_path(_config()["SQLALCHEMY_DATABASE_URI"])
        contents = databases.sqlite_contents(path)
    uploads = _roots()["uploads"]
    if uploads.is_dir() and any(p.is_file() for p in uploads.rglob("*")):
        contents.append(f"files in {uploads}")
    if contents and not force:
        shown = ", ".join(contents[:5]) + (f" and {len(contents) - 5} more" if contents[5:] else "")
        raise BackupError(
            f"the target is not empty ({shown}): restore into an empty database and upload "
            "folder, or pass --force to replace what is there; nothing was changed"
        )


def _place_files(staged: dict[str, Path], manifest: dict) -> int:
    roots = _roots()
    placed = 0
    for entry in manifest["members"]:
        parts = PurePosixPath(entry["path"]).parts
        if parts[0] != FILES_PREFIX:
            continue
        target = roots[parts[1]].joinpath(*parts[2:])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staged[entry["path"]], target)
        if file_digest(target) != (entry["size"], entry["sha256"]):
            raise BackupError(f"{target} does not match its checksum after the restore")
        placed += 1
    return placed


def restore_backup(archive: Path, *, force: bool = False, upgrade: bool = False) -> RestoreResult:
    """Restore ``archive`` into this deployment's database and folders.

    Raises BackupError before changing anything for an unreadable, corrupt or altered archive, a
    database of another kind or a newer schema, and (without ``force``) a non-empty target; and
    after the restore if the row counts or the files do not match the manifest."""
    started = time.perf_counter()
    archive = archive.resolve()
    manifest, _members = read_manifest(archive)
    roots = {
        PurePosixPath(m["path"]).parts[1]
        for m in manifest["members"]
        if m["path"] != manifest["database"]["file"]
    }
    if roots - set(_roots()):
        raise BackupError(f"{archive}: unknown file roots {sorted(roots - set(_roots()))}")
    _check_target(manifest, force)
    instance = _roots()["instance"]
    instance.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=instance))
    try:
        staged = extract_verified(archive, manifest, staging)
        dump = staged[manifest["database"]["file"]]
        db.session.remove()
        db.engine.dispose()
        if _is_postgres():
            databases.pg_restore(_owner_url(), dump, wipe=force)
            databases.pg_after_restore(_owner_url(), _key())
            revision, counts = databases.pg_counts(_owner_url(), _key())
        else:
            target = databases.sqlite_path(_config()["SQLALCHEMY_DATABASE_URI"])
            databases.sqlite_restore(dump, target)
            revision, counts = databases.sqlite_info(target)
        files = _place_files(staged, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    expected = manifest["database"]["tables"]
    if counts != expected:
        differ = sorted(t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t))
        raise BackupError(
            "the restored row counts differ from the manifest: "
            + ", ".join(f"{t} {counts.get(t)} ≠ {expected.get(t)}" for t in differ[:10])
        )
    state = revision_state(revision)
    if state == "older" and upgrade:
        from flask_migrate import upgrade as run_upgrade

        run_upgrade(directory=current_app.extensions["migrate"].directory)
        state = "upgraded"
    checked = None
    if state in ("current", "upgraded"):
        checked = _verify_through_app()
        audit.record(
            "backup.restored",
            object_type="backup",
            object_id=archive.name,
            after={
                "archive": archive.name,
                "created_at": manifest["created_at"],
                "revision": revision,
                "rows": sum(counts.values()),
                "files": files,
            },
            province=True,
        )
        db.session.commit()
    return RestoreResult(
        revision, state, files, sum(counts.values()), checked, time.perf_counter() - started
    )


def _verify_through_app() -> int:
    """Check the app's role and key on the restored database, then every audit chain; return
    the events checked. Raises BackupError naming a broken chain."""
    from tenant_app.services.audit.audit_chain import verify_all

    if _is_postgres():
        with db.engine.connect() as conn:
            try:
                rls.check_app_role(conn)
                rls.check_scope_key(conn, _key())
            except (rls.UnsafeDatabaseRole, rls.ScopeKeyMismatch) as exc:
                raise BackupError(f"restored, but the app cannot use it safely: {exc}") from exc
    checked, broken = verify_all()
    db.session.commit()
    if broken:
        links = "; ".join(f"{b.chain} at event #{b.seq}: {b.reason}" for b in broken)
        raise BackupError(f"restored, but audit chains are broken: {links}")
    return checked
