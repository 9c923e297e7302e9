"""The purge of stored files past their retention (``retention_policy``): a unit's, the province's.

``purge_tenant`` works inside the unit in context and only in its own upload folder
(``<KPI_UPLOAD_DIR>/<tenant_id>/``): import workbooks (``<run id>.xlsx``), evidence
(``evidence/<key>``) and orphans (files there that no row names). ``retention_province`` handles the
province's stored exports (``<KPI_INSTANCE_DIR>/exports``). Both decide first, then (unless
``dry_run``) keep each row (an evidence row gets ``purged_at``, an export loses its
``storage_key``), record ONE audit event of what went (``retention.purged``: counts, bytes
freed, the files), on the unit's chain or the province's, and delete the files once that
transaction commits (a rollback deletes nothing). A run that finds nothing due records
nothing, so a second run on the same day changes nothing: the purge is idempotent.

Evidence goes only when its period is LOCKED and the policy's years have passed since it was
locked (the last ``period.locked`` event, never before the period's end). A reopened, closed or
open period keeps every file, whoever uploaded it, a person who has left included. The status of
the unit does not matter: an archived unit's files follow the same policy.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from tenant_app import audit
from tenant_app import config as settings
from tenant_app.extensions import db
from tenant_app.formatting import local_zone
from tenant_app.models.audit import AuditEvent
from tenant_app.models.base import utcnow
from tenant_app.models.evaluation import Assignment, EvidenceFile, Period, Report
from tenant_app.models.jobs import JobRun
from tenant_app.models.vocabulary import PeriodStatus
from tenant_app.services.files import imports, retention_policy
from tenant_app.tenancy.context import current_tenant_id

log = logging.getLogger(__name__)

# Kinds of purged file, as the audit event and the CLI name them.
IMPORT_WORKBOOK = "import_workbook"
REJECTED_UPLOAD = "rejected_upload"
EVIDENCE = "evidence"
EXPORT = "export"
ORPHAN = "orphan"
KINDS = (IMPORT_WORKBOOK, REJECTED_UPLOAD, EVIDENCE, EXPORT, ORPHAN)
# The audit event lists at most this many files (counts and bytes always cover them all).
AUDIT_LIST_MAX = 1000
EVIDENCE_FOLDER = "evidence"
# Imports still being checked or written: their workbook is in use, whatever its age.
BUSY_IMPORT_STATES = ("validating", "committing")
# Evidence rows marked purged per UPDATE statement.
UPDATE_BATCH = 1000
# The session's files to delete at its commit.
_DOOMED = "kpi_retention_doomed"


@dataclass(frozen=True)
class PurgedFile:
    """One file purged (or due, in a dry run): its kind, what names it, its size, and why."""

    kind: str
    ref: str
    size: int
    since: date  # the day its retention counts from
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "bytes": self.size,
            "since": self.since.isoformat(),
            **({"note": self.note} if self.note else {}),
        }


@dataclass
class Outcome:
    """What one run purged (or would purge) and what it kept on purpose."""

    day: date
    dry_run: bool
    files: list[PurgedFile] = field(default_factory=list)
    # Evidence older than the policy kept because its period is not locked.
    kept_unlocked: int = 0

    @property
    def freed(self) -> int:
        return sum(f.size for f in self.files)

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for f in self.files if f.kind == kind) for kind in KINDS}

    def summary(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "dry_run": self.dry_run,
            "counts": self.counts(),
            "bytes": self.freed,
            "kept_unlocked": self.kept_unlocked,
        }


def local_today() -> date:
    """Today in the province's time zone (``KPI_TIMEZONE``)."""
    return datetime.now(local_zone()).date()


def add_years(day: date, years: int) -> date:
    """``day`` moved ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def is_due(since: date, days: int, today: date) -> bool:
    """Whether a file kept ``days`` from ``since`` is due on ``today`` (0 days: never)."""
    return days > 0 and since + timedelta(days=days) <= today


def mtime_day(path: Path) -> date:
    """The day (UTC) ``path`` was last written."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date()


def files_in(folder: Path) -> Iterable[Path]:
    """The regular files directly in ``folder`` (never a link: it could point anywhere)."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink())


def delete_after_commit(paths: list[Path]) -> None:
    """Delete ``paths`` once the session commits (the rows saying they are gone, the audit
    event listing them): a rollback keeps every file, so no row ever names a file already
    deleted by a transaction that did not happen."""
    session = db.session()
    if not event.contains(Session, "after_commit", _committed):
        event.listen(Session, "after_commit", _committed)
        event.listen(Session, "after_transaction_end", _ended)
    session.info.setdefault(_DOOMED, []).extend(paths)


def _committed(session: Session) -> None:
    for path in session.info.pop(_DOOMED, []):
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the next run finds it again (a file of a purged row is an orphan)
            log.warning("retention: could not delete %s", path, exc_info=True)


def _ended(session: Session, transaction) -> None:
    # After the commit's deletions, or after a rollback or close that deleted nothing.
    if transaction.parent is None:
        session.info.pop(_DOOMED, None)


def record_purge(outcome: Outcome, *, province: bool) -> None:
    """Record ``outcome`` as one ``retention.purged`` event (the unit's chain, or the
    province's), its files listed up to ``AUDIT_LIST_MAX``."""
    listed = [f.as_dict() for f in outcome.files[:AUDIT_LIST_MAX]]
    audit.record(
        "retention.purged",
        object_type="retention",
        object_id=outcome.day.isoformat(),
        after={
            **outcome.summary(),
            "files": listed,
            "more": max(0, len(outcome.files) - AUDIT_LIST_MAX),
        },
        province=province,
    )


# --- a unit's files ------------------------------------------------------------------------


def tenant_folder() -> Path:
    """The upload folder of the unit in context."""
    return settings.upload_dir(current_app.config) / str(int(current_tenant_id()))


def _import_files(policy, today: date, outcome: Outcome, named: set[str]) -> list[Path]:
    """Import workbooks due; adds the names of files a row claims to ``named``."""
    runs = {
        str(run.id): run
        for run in db.session.execute(
            sa.select(JobRun).where(JobRun.kind.like("import.%"))
        ).scalars()
    }
    due = []
    for path in files_in(tenant_folder()):
        run = runs.get(path.name.split(".", 1)[0])  # "<run id>.<ext>", whatever the format
        if run is None:
            continue
        named.add(path.name)
        state = imports.state(run)
        if state in BUSY_IMPORT_STATES:
            continue
        if state == "committed":
            kind, days = IMPORT_WORKBOOK, policy.import_workbook_days
            since = (run.finished_at or run.created_at).date()
        else:
            kind, days = REJECTED_UPLOAD, policy.rejected_upload_days
            since = run.created_at.date()
        if is_due(since, days, today):
            note = f"{run.params.get('kind', '')}: {run.params.get('filename', '')} ({state})"
            outcome.files.append(PurgedFile(kind, str(run.id), path.stat().st_size, since, note))
            due.append(path)
    return due


def _lock_days() -> dict[str, date]:
    """The day each period was last locked, from its ``period.locked`` audit events."""
    rows = db.session.execute(
        sa.select(AuditEvent.object_id, sa.func.max(AuditEvent.occurred_at))
        .where(AuditEvent.action == "period.locked", AuditEvent.object_type == "period")
        .group_by(AuditEvent.object_id)
    ).all()
    return {object_id: at.date() for object_id, at in rows if object_id and at}


def _evidence(policy, today: date, outcome: Outcome) -> list[tuple[uuid.UUID, Path]]:
    """Evidence due, as (row id, file): of locked periods only, ``evidence_years`` after the
    lock."""
    years = policy.evidence_years
    if years <= 0:
        return []
    # Retention never counts from before the period's end: older periods only.
    ended_by = add_years(today, -years)
    old_enough = (
        sa.select(
            EvidenceFile.id,
            EvidenceFile.storage_key,
            EvidenceFile.filename,
            Period.id.label("period_id"),
            Period.code,
            Period.ends_on,
        )
        .join(Report, Report.id == EvidenceFile.report_id)
        .join(Assignment, Assignment.id == Report.assignment_id)
        .join(Period, Period.id == Assignment.period_id)
        .where(EvidenceFile.purged_at.is_(None), Period.ends_on <= ended_by)
    )
    outcome.kept_unlocked += db.session.execute(
        sa.select(sa.func.count()).select_from(
            old_enough.where(Period.status != PeriodStatus.LOCKED).subquery()
        )
    ).scalar_one()
    rows = db.session.execute(
        old_enough.where(Period.status == PeriodStatus.LOCKED).order_by(
            EvidenceFile.created_at, EvidenceFile.id
        )
    ).all()
    locked_on = _lock_days()
    folder = tenant_folder() / EVIDENCE_FOLDER
    due = []
    for row in rows:
        since = max(row.ends_on, locked_on.get(str(row.period_id), row.ends_on))
        if add_years(since, years) > today:
            continue
        path = folder / row.storage_key
        size = path.stat().st_size if path.is_file() and not path.is_symlink() else 0
        outcome.files.append(
            PurgedFile(EVIDENCE, str(row.id), size, since, f"{row.code}: {row.filename}")
        )
        due.append((row.id, path))
    return due


def _mark_purged(ids: list[uuid.UUID], now: datetime) -> None:
    """Set ``purged_at`` on evidence rows ``ids`` (of the unit in context), a batch at a time."""
    for start in range(0, len(ids), UPDATE_BATCH):
        db.session.execute(
            sa.update(EvidenceFile)
            .where(EvidenceFile.id.in_(ids[start : start + UPDATE_BATCH]))
            .values(purged_at=now)
            .execution_options(synchronize_session=False)
        )


def _orphans(policy, today: date, outcome: Outcome, named: set[str]) -> list[Path]:
    """Files of the unit's folder (and its evidence folder) that no row names, old enough."""
    keys = set(
        db.session.execute(
            sa.select(EvidenceFile.storage_key).where(EvidenceFile.purged_at.is_(None))
        ).scalars()
    )
    root = tenant_folder()
    candidates = [(p, p.name) for p in files_in(root) if p.name not in named]
    candidates += [
        (p, f"{EVIDENCE_FOLDER}/{p.name}")
        for p in files_in(root / EVIDENCE_FOLDER)
        if p.name not in keys
    ]
    due = []
    for path, ref in candidates:
        since = mtime_day(path)
        if is_due(since, policy.orphan_days, today):
            outcome.files.append(PurgedFile(ORPHAN, ref, path.stat().st_size, since))
            due.append(path)
    return due


def purge_tenant(today: date, *, dry_run: bool = False, policy=None) -> Outcome:
    """Purge the files of the unit in context that are due on ``today``; return what went.

    With ``dry_run`` nothing is deleted, changed or recorded. Otherwise files are deleted,
    purged evidence rows get ``purged_at`` and one ``retention.purged`` event is recorded on
    the unit's chain when anything went. The caller commits.
    """
    policy = policy or retention_policy.load()
    outcome = Outcome(day=today, dry_run=dry_run)
    named: set[str] = set()
    import_paths = _import_files(policy, today, outcome, named)
    evidence = _evidence(policy, today, outcome)
    orphans = _orphans(policy, today, outcome, named)
    if dry_run or not outcome.files:
        return outcome
    _mark_purged([row_id for row_id, _path in evidence], utcnow())
    record_purge(outcome, province=False)
    delete_after_commit(import_paths + orphans + [path for _row_id, path in evidence])
    return outcome
