"""Rollouts: apply a published template version to many tenants, dry run first, in waves.

Flow: ``create_rollout`` stores the targets (one per tenant, with its wave) and runs the dry run
(a job per tenant on the ``rollout`` queue that stores each diff and conflicts, and writes
nothing to the tenant); ``start_apply`` enqueues the first wave; ``resume`` re-enqueues what a
dead worker or a failure left unfinished in the started waves and, when nothing is unfinished,
starts the next wave. Each tenant is applied by ``rollout_tenant.apply_target`` in one
transaction. Rollback returns one tenant to its previous configuration (``request_rollback``).

Effective dates: by default a new configuration governs from the next period (the start of the
period after every period already opened), so open and closed periods keep their frozen rules;
``immediately`` starts it with the earliest open period and gives that period the new rules.

Province-side functions run in a request of a province administrator and commit; selecting
tenants by the version they run reads across tenants, so callers wrap
``tenants_running`` in ``tenancy.door.cross_tenant_read``.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.background import ROLLOUT, enqueue, paths
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.jobs import JobRun
from tenant_app.models.rollout import (
    LABELS,
    Rollout,
    RolloutTarget,
    TemplateVersion,
    TenantConfig,
)
from tenant_app.models.tenants import Tenant, TenantKind, TenantStatus
from tenant_app.models.vocabulary import RolloutStatus, TargetStatus, TemplateVersionStatus
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.rollout.rollout_apply import EFFECTIVE_MODES
from tenant_app.tenancy.context import tenant_context

# Job paths (module attributes, so a test can route them through a wrapper).
DRY_RUN_JOB = paths.ROLLOUT_DRY_RUN
APPLY_JOB = paths.ROLLOUT_APPLY
ROLLBACK_JOB = paths.ROLLOUT_ROLLBACK
MAX_WAVES = 20
UNFINISHED = (TargetStatus.PENDING, TargetStatus.RUNNING)
CLOSED_TENANTS = (TenantStatus.ARCHIVED, TenantStatus.SUSPENDED)


# Rollouts and template versions have integer keys (PostgreSQL ``integer``): a larger number can
# name no row, and must answer 404 rather than reach the database as an out-of-range value.
_MAX_ID = 2**31 - 1


def _row_id(value) -> int | None:
    text = str(value)
    return int(text) if text.isdigit() and int(text) <= _MAX_ID else None


def get_rollout(rollout_id) -> Rollout:
    key = _row_id(rollout_id)
    row = db.session.get(Rollout, key) if key is not None else None
    if row is None:
        raise NotFound("not_found", _("Không tìm thấy đợt áp dụng."))
    return row


def get_version(version_id) -> TemplateVersion:
    key = _row_id(version_id)
    row = db.session.get(TemplateVersion, key) if key is not None else None
    if row is None:
        raise NotFound("not_found", _("Không tìm thấy phiên bản mẫu."), "version")
    return row


def list_rollouts() -> list[Rollout]:
    return list(db.session.execute(sa.select(Rollout).order_by(Rollout.id.desc())).scalars())


def tenants_running(version_ids) -> set[int]:
    """Ids of tenants whose current configuration is one of ``version_ids``.

    Reads every tenant's ``tenant_configs``: call inside ``tenancy.door.cross_tenant_read``.
    """
    latest = (
        sa.select(
            TenantConfig.tenant_id,
            TenantConfig.version_id,
            sa.func.row_number()
            .over(
                partition_by=TenantConfig.tenant_id,
                order_by=(TenantConfig.applied_at.desc(), TenantConfig.id.desc()),
            )
            .label("n"),
        )
    ).subquery()
    rows = db.session.execute(
        sa.select(latest.c.tenant_id).where(
            latest.c.n == 1, latest.c.version_id.in_([int(v) for v in version_ids])
        )
    ).scalars()
    return set(rows)


def select_tenants(*, slugs=None, kind=None, running_ids=None) -> list[Tenant]:
    """The tenants matching every given selector (list of slugs, kind, ids running a version).

    Raises ServiceError naming unknown slugs or kinds; archived and suspended units are left out.
    """
    stmt = sa.select(Tenant).where(Tenant.status.not_in(CLOSED_TENANTS)).order_by(Tenant.slug)
    if slugs:
        wanted = [str(s).strip() for s in slugs]
        found = set(
            db.session.execute(sa.select(Tenant.slug).where(Tenant.slug.in_(wanted))).scalars()
        )
        unknown = [s for s in wanted if s not in found]
        if unknown:
            raise ServiceError(
                "unknown_tenant",
                _("Không có đơn vị: %(slugs)s.", slugs=", ".join(unknown)),
                "tenants",
            )
        stmt = stmt.where(Tenant.slug.in_(wanted))
    if kind:
        if kind not in [k.value for k in TenantKind]:
            raise ServiceError("invalid_kind", _("Loại đơn vị không hợp lệ."), "kind")
        stmt = stmt.where(Tenant.kind == kind)
    if running_ids is not None:
        stmt = stmt.where(Tenant.id.in_(list(running_ids)))
    return list(db.session.execute(stmt).scalars())


def _waves(tenants: list[Tenant], waves) -> dict[int, int]:
    """Tenant id → wave: ``waves`` is a count (split in order) or a list of lists of slugs."""
    if waves is None or waves == 1:
        return {t.id: 1 for t in tenants}
    if isinstance(waves, int):
        if not 1 <= waves <= MAX_WAVES:
            raise ServiceError(
                "invalid_waves", _("Số đợt phải từ 1 đến %(n)d.", n=MAX_WAVES), "waves"
            )
        size = -(-len(tenants) // waves)
        return {t.id: i // size + 1 for i, t in enumerate(tenants)}
    by_slug = {t.slug: t.id for t in tenants}
    result = {}
    for number, group in enumerate(waves, start=1):
        for slug in group:
            if slug not in by_slug:
                raise ServiceError(
                    "invalid_waves",
                    _("Đơn vị %(slug)s trong đợt %(n)d không thuộc danh sách áp dụng.",
                      slug=slug, n=number),
                    "waves",
                )  # fmt: skip
            result.setdefault(by_slug[slug], number)
    last = len(waves) + 1
    return {t.id: result.get(t.id, last) for t in tenants}


def create_rollout(
    version: TemplateVersion,
    tenants: list[Tenant],
    *,
    dry_run: bool = True,
    waves=None,
    effective: str = "next_period",
    selector: dict | None = None,
    actor=None,
) -> Rollout:
    """Create a rollout of a published ``version`` to ``tenants`` and run its dry run (or, with
    ``dry_run=False``, start applying its first wave). Commits. Raises ServiceError."""
    if version.status != TemplateVersionStatus.PUBLISHED:
        raise Conflict(
            "version_not_published",
            _("Chỉ áp dụng được phiên bản đã ban hành; bản nháp chỉ xem trước được tác động."),
            "version",
        )
    if effective not in EFFECTIVE_MODES:
        raise ServiceError("invalid_effective", _("Chế độ hiệu lực không hợp lệ."), "effective")
    if not tenants:
        raise ServiceError("no_tenants", _("Không có đơn vị nào phù hợp với lựa chọn."), "tenants")
    wave_of = _waves(tenants, waves)
    rollout = Rollout(
        version_id=version.id,
        dry_run=True,
        status=RolloutStatus.PLANNED,
        selector={**(selector or {}), "waves": max(wave_of.values()), "waves_started": 0},
        effective=effective,
        created_by=getattr(actor, "username", None),
    )
    db.session.add(rollout)
    db.session.flush()
    for tenant in tenants:
        db.session.add(
            RolloutTarget(rollout_id=rollout.id, tenant_id=tenant.id, wave=wave_of[tenant.id])
        )
    audit.record(
        "rollout.created",
        object_type="rollout",
        object_id=rollout.id,
        after={
            "version": version.id,
            "tenants": sorted(t.slug for t in tenants),
            "waves": rollout.selector["waves"],
            "effective": effective,
            "dry_run": dry_run,
        },
        actor=actor,
        province=True,
    )
    db.session.commit()
    if dry_run:
        for target in targets_of(rollout):
            enqueue(ROLLOUT, DRY_RUN_JOB, target.tenant_id, rollout.id)
        db.session.expire_all()  # in-process jobs wrote through their own sessions
    else:
        start_apply(rollout, actor=actor)
    return rollout


def targets_of(rollout: Rollout, statuses=None, waves=None) -> list[RolloutTarget]:
    stmt = sa.select(RolloutTarget).where(RolloutTarget.rollout_id == rollout.id)
    if statuses is not None:
        stmt = stmt.where(RolloutTarget.status.in_(list(statuses)))
    if waves is not None:
        stmt = stmt.where(RolloutTarget.wave.in_(list(waves)))
    return list(db.session.execute(stmt.order_by(RolloutTarget.wave, RolloutTarget.id)).scalars())


def _enqueue_apply(rollout: Rollout, targets: list[RolloutTarget], actor) -> int:
    tenants = {t.id: t for t in db.session.execute(
        sa.select(Tenant).where(Tenant.id.in_([x.tenant_id for x in targets]))
    ).scalars()}  # fmt: skip
    queued = []
    for target in targets:
        tenant = tenants[target.tenant_id]
        with tenant_context(tenant):
            run = JobRun(
                kind="rollout.apply",
                queue=ROLLOUT,
                params={"rollout_id": rollout.id, "target_id": target.id},
            )
            db.session.add(run)
            db.session.commit()
            queued.append((tenant.id, run.id))
    for tenant_id, run_id in queued:
        enqueue(ROLLOUT, APPLY_JOB, tenant_id, rollout.id, job_run_id=run_id)
    db.session.expire_all()  # in-process jobs wrote through their own sessions
    return len(queued)


def _set_waves_started(rollout: Rollout, wave: int) -> None:
    rollout.selector = {**rollout.selector, "waves_started": wave}


def start_apply(rollout: Rollout, *, actor=None) -> int:
    """Start applying a planned rollout: its first wave is enqueued. Returns the jobs queued."""
    if rollout.status != RolloutStatus.PLANNED:
        raise Conflict("already_started", _("Đợt áp dụng này đã bắt đầu."))
    version = db.session.get(TemplateVersion, rollout.version_id)
    if version.status != TemplateVersionStatus.PUBLISHED:
        raise Conflict("version_not_published", _("Phiên bản chưa được ban hành."), "version")
    rollout.dry_run, rollout.status = False, RolloutStatus.RUNNING
    for target in targets_of(rollout):
        target.status, target.message, target.attempts = TargetStatus.PENDING, None, 0
        target.started_at = target.finished_at = None
    _set_waves_started(rollout, 1)
    audit.record(
        "rollout.started", object_type="rollout", object_id=rollout.id,
        after={"version": rollout.version_id, "wave": 1}, actor=actor, province=True,
    )  # fmt: skip
    db.session.commit()
    return _enqueue_apply(rollout, targets_of(rollout, waves=[1]), actor)


def resume(rollout: Rollout, *, actor=None) -> dict:
    """Finish what is unfinished in the started waves (pending, running after a dead worker,
    failed), or, when nothing is unfinished, start the next wave. Commits; returns counts."""
    if rollout.status == RolloutStatus.PLANNED:
        raise Conflict("not_started", _("Đợt áp dụng chưa bắt đầu: hãy bắt đầu áp dụng trước."))
    started = int(rollout.selector.get("waves_started") or 1)
    waves = range(1, started + 1)
    unfinished = targets_of(rollout, UNFINISHED, waves)
    retry = targets_of(rollout, (TargetStatus.FAILED,), waves)
    wave = started
    if not unfinished and started < int(rollout.selector.get("waves") or 1):
        wave = started + 1
        _set_waves_started(rollout, wave)
        unfinished = targets_of(rollout, UNFINISHED, [wave])
    todo = unfinished + retry
    rollout.status, rollout.finished_at = RolloutStatus.RUNNING, None
    audit.record(
        "rollout.resumed", object_type="rollout", object_id=rollout.id,
        after={"wave": wave, "unfinished": len(unfinished), "retried": len(retry)},
        actor=actor, province=True,
    )  # fmt: skip
    db.session.commit()
    _enqueue_apply(rollout, todo, actor)
    db.session.expire_all()
    refresh_status(get_rollout(rollout.id))
    db.session.commit()
    return {"wave": wave, "queued": len(todo)}


def _unfinished_targets(rollout_id: int) -> int:
    """Unfinished targets of the rollout across tenants. A tenant's job closes the rollout but,
    under row-level security, sees only its own target: PostgreSQL counts with the owner's
    ``kpi_rollout_unfinished`` (0012), which returns the number and no row."""
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.execute(
            sa.select(sa.func.kpi_rollout_unfinished(rollout_id))
        ).scalar_one()
    return db.session.execute(
        sa.select(sa.func.count()).where(
            RolloutTarget.rollout_id == rollout_id, RolloutTarget.status.in_(UNFINISHED)
        )
    ).scalar_one()


def refresh_status(rollout: Rollout) -> None:
    """Mark a running rollout finished when every wave started and every target is final."""
    if rollout.status != RolloutStatus.RUNNING:
        return
    waves = int(rollout.selector.get("waves") or 1)
    if int(rollout.selector.get("waves_started") or 0) < waves:
        return
    if not _unfinished_targets(rollout.id):
        rollout.status, rollout.finished_at = RolloutStatus.FINISHED, utcnow()


def board(rollout: Rollout) -> dict:
    """The rollout with its per-tenant status, for the live board and the API."""
    rows = db.session.execute(
        sa.select(RolloutTarget, Tenant)
        .join(Tenant, Tenant.id == RolloutTarget.tenant_id)
        .where(RolloutTarget.rollout_id == rollout.id)
        .order_by(RolloutTarget.wave, Tenant.slug)
    ).all()
    counts = {status: 0 for status in TargetStatus}
    targets = []
    for target, tenant in rows:
        counts[target.status] += 1
        targets.append(
            {
                "tenant": tenant.slug,
                "tenant_name": tenant.name,
                "wave": target.wave,
                "status": target.status,
                "status_label": status_label(target.status, rollout.dry_run)
                if not (rollout.dry_run and target.finished_at is None)
                else _("Đang chạy thử"),
                "message": target.message,
                "attempts": target.attempts,
                "counts": (target.diff or {}).get("counts") or {},
                "effective_from": (target.diff or {}).get("effective_from"),
                "started_at": target.started_at,
                "finished_at": target.finished_at,
            }
        )
    version = db.session.get(TemplateVersion, rollout.version_id)
    return {
        "id": rollout.id,
        "version": rollout.version_id,
        "version_number": version.number,
        "template": version.template_id,
        "dry_run": rollout.dry_run,
        "status": rollout.status,
        "status_label": str(LABELS.get(rollout.status, rollout.status)),
        "effective": rollout.effective,
        "selector": rollout.selector,
        "waves": int(rollout.selector.get("waves") or 1),
        "waves_started": int(rollout.selector.get("waves_started") or 0),
        "created_by": rollout.created_by,
        "created_at": rollout.created_at,
        "finished_at": rollout.finished_at,
        "counts": counts,
        "total": len(targets),
        "targets": targets,
    }


DRY_RUN_LABELS = {
    TargetStatus.PENDING: "Sẽ áp dụng",
    TargetStatus.SKIPPED: "Không có thay đổi",
    TargetStatus.FAILED: "Xung đột",
}


def status_label(status: str, dry_run: bool) -> str:
    if dry_run:
        return _(DRY_RUN_LABELS.get(status, "Chờ"))
    return str(LABELS.get(status, status))


def target_of(rollout: Rollout, slug: str) -> tuple[RolloutTarget, Tenant]:
    row = db.session.execute(
        sa.select(RolloutTarget, Tenant)
        .join(Tenant, Tenant.id == RolloutTarget.tenant_id)
        .where(RolloutTarget.rollout_id == rollout.id, Tenant.slug == slug)
    ).first()
    if row is None:
        raise NotFound("not_found", _("Đơn vị không thuộc đợt áp dụng này."))
    return row[0], row[1]


def request_rollback(tenant: Tenant, *, config_id, effective="next_period", actor=None) -> JobRun:
    """Queue the rollback of ``tenant`` from configuration ``config_id`` to the one before it;
    returns its job run (already finished when jobs run in-process). Commits."""
    if effective not in EFFECTIVE_MODES:
        raise ServiceError("invalid_effective", _("Chế độ hiệu lực không hợp lệ."), "effective")
    with tenant_context(tenant):
        run = JobRun(
            kind="rollout.rollback",
            queue=ROLLOUT,
            params={"config_id": str(config_id), "effective": effective},
        )
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    enqueue(
        ROLLOUT,
        ROLLBACK_JOB,
        tenant.id,
        str(config_id),
        effective,
        getattr(actor, "username", None),
        job_run_id=run_id,
    )
    db.session.expire_all()
    with tenant_context(tenant):
        run = db.session.get(JobRun, (tenant.id, run_id))
        db.session.commit()
    return run
