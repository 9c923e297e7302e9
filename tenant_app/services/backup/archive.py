"""The backup archive: a plain tar of the database copy and the instance files, with a manifest.

Layout: ``database.dump`` (PostgreSQL, pg_dump's custom format) or ``database.sqlite3``, then
``files/instance/…`` and ``files/uploads/…``, then ``manifest.json`` (format, app version, alembic
revision, creation time, database kind and row counts, and each member's path, size and SHA-256)
and ``manifest.sha256`` (the manifest's own SHA-256). Reading checks everything before anything
is used: the manifest's digest, that the members are exactly those listed (regular files with
safe relative names), and each member's size and SHA-256 while it is copied to a staging folder.
The checksums find a corrupt or altered archive; they do not authenticate it (keep the archive's
SHA-256 that ``kpi backup`` prints somewhere else if that matters).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

FORMAT = "kpi-backup/1"
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
FILES_PREFIX = "files"
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """A backup or restore the command refuses or could not finish; the message says why and
    what to do. Raised before anything was changed unless the message says otherwise."""


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def file_digest(path: Path) -> tuple[int, str]:
    """(size in bytes, SHA-256 hex) of the file at ``path``."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def collect_files(roots: dict[str, Path], excluded: Iterable[Path]) -> list[tuple[str, Path]]:
    """The regular files under each root as (archive name ``files/<root>/<relative>``, path).

    Paths in ``excluded`` (files or folders) and everything under them are left out, as are
    symbolic links (a link may point anywhere; the app never writes one). Sorted by name."""
    skip = {p.resolve() for p in excluded}
    found: list[tuple[str, Path]] = []
    for root_name, root in roots.items():
        if not root.is_dir():
            continue
        root = root.resolve()
        stack = [root]
        while stack:
            folder = stack.pop()
            for entry in sorted(folder.iterdir()):
                if entry.is_symlink() or entry.resolve() in skip:
                    continue
                if entry.is_dir():
                    stack.append(entry)
                elif entry.is_file():
                    relative = entry.relative_to(root).as_posix()
                    found.append((f"{FILES_PREFIX}/{root_name}/{relative}", entry))
    return sorted(found)


def write_archive(target: Path, manifest: dict, members: list[tuple[str, Path]]) -> None:
    """Write ``members`` (name, path) and then the manifest (with their sizes and SHA-256, hashed
    as they are written) to the tar ``target``."""
    listed = []
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in members:
            info = tarfile.TarInfo(name)
            stat = path.stat()
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
            with path.open("rb") as raw:
                reader = _Hashing(raw)
                tar.addfile(info, reader)
            listed.append({"path": name, "size": info.size, "sha256": reader.digest.hexdigest()})
        body = json.dumps(
            {**manifest, "format": FORMAT, "members": listed},
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
        ).encode()
        for name, data in (
            (MANIFEST, body),
            (MANIFEST_SUM, (hashlib.sha256(body).hexdigest() + "  " + MANIFEST + "\n").encode()),
        ):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and "\x00" not in name
        and path.as_posix() == name
    )


def _check_fields(archive: Path, manifest: dict) -> None:
    """Raise BackupError unless the manifest has the fields a restore reads, well typed, and
    every member is the database file or a file under ``files/<root>/``."""
    database = manifest.get("database")
    members = manifest.get("members")
    ok = (
        isinstance(database, dict)
        and isinstance(database.get("kind"), str)
        and isinstance(database.get("file"), str)
        and isinstance(database.get("tables"), dict)
        and isinstance(manifest.get("created_at"), str)
        and isinstance(members, list)
        and all(
            isinstance(m, dict)
            and isinstance(m.get("path"), str)
            and isinstance(m.get("size"), int)
            and isinstance(m.get("sha256"), str)
            for m in members
        )
    )
    if not ok:
        raise BackupError(f"{archive}: the manifest lacks fields a restore needs; not restored")
    for m in members:
        parts = PurePosixPath(m["path"]).parts
        if m["path"] != database["file"] and (len(parts) < 3 or parts[0] != FILES_PREFIX):
            raise BackupError(f"{archive}: unexpected member {m['path']!r}; not restored")
    if database["file"] not in {m["path"] for m in members}:
        raise BackupError(f"{archive}: the database copy is missing; not restored")


def read_manifest(archive: Path) -> tuple[dict, dict[str, tarfile.TarInfo]]:
    """Open ``archive`` and return (its manifest, its data members by name).

    Raises BackupError when the file is not a complete archive of ours, when the manifest does
    not match its digest, or when the members are not exactly those the manifest lists."""
    try:
        with tarfile.open(archive, "r:") as tar:
            infos = tar.getmembers()
            by_name = {i.name: i for i in infos}
            if len(by_name) != len(infos):
                raise BackupError(f"{archive}: a member appears twice; the archive was altered")
            if MANIFEST not in by_name or MANIFEST_SUM not in by_name:
                raise BackupError(f"{archive}: no manifest; this is not a complete kpi backup")
            body = tar.extractfile(by_name[MANIFEST]).read()
            expected = tar.extractfile(by_name[MANIFEST_SUM]).read().decode().split()[0]
    except (tarfile.TarError, OSError, EOFError, UnicodeDecodeError, IndexError) as exc:
        raise BackupError(f"{archive}: not a readable backup archive ({exc})") from exc
    if hashlib.sha256(body).hexdigest() != expected:
        raise BackupError(f"{archive}: the manifest does not match its checksum; archive corrupt")
    try:
        manifest = json.loads(body)
    except ValueError as exc:
        raise BackupError(f"{archive}: the manifest is not JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"{archive}: unknown format {found!r}")
    _check_fields(archive, manifest)
    data = {n: i for n, i in by_name.items() if n not in (MANIFEST, MANIFEST_SUM)}
    listed = [m["path"] for m in manifest["members"]]
    if len(set(listed)) != len(listed) or set(listed) != set(data):
        extra = sorted(set(data) - set(listed))[:3]
        missing = sorted(set(listed) - set(data))[:3]
        raise BackupError(
            f"{archive}: the members differ from the manifest (not listed: {extra}, "
            f"missing: {missing}); the archive was altered or is incomplete"
        )
    for name, info in data.items():
        if not info.isreg() or not _safe_name(name):
            raise BackupError(f"{archive}: refused member {name!r} (not a plain relative file)")
    return manifest, data


def extract_verified(archive: Path, manifest: dict, staging: Path) -> dict[str, Path]:
    """Copy every data member into ``staging``, checking its size and SHA-256 on the way.

    Returns the staged path of each member by name. Raises BackupError naming the first member
    that does not match the manifest (the caller then removes ``staging``)."""
    wanted = {m["path"]: m for m in manifest["members"]}
    staged: dict[str, Path] = {}
    try:
        with tarfile.open(archive, "r:") as tar:
            for info in tar:
                entry = wanted.get(info.name)
                if entry is None:
                    continue
                target = staging.joinpath(*PurePosixPath(info.name).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                source = tar.extractfile(info)
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                    raise BackupError(
                        f"{archive}: {info.name} does not match its checksum in the manifest; "
                        "the archive is corrupt or was altered, nothing was restored"
                    )
                staged[info.name] = target
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive}: not a readable backup archive ({exc})") from exc
    if set(staged) != set(wanted):
        raise BackupError(f"{archive}: members missing; nothing was restored")
    return staged
