"""One tenant of a rollout: its dry run, its apply and its rollback, each in one transaction.

Called by the ``rollout`` queue's jobs inside the tenant's context. An apply writes the tenant's
configuration, its ``TenantConfig`` row, the target's outcome and the audit events (tenant chain
and province chain) in the job's single commit: a worker killed before it leaves the tenant
untouched, and the retried job finds either nothing done or the target already applied.
"""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.rollout import Rollout, RolloutTarget, TemplateVersion, TenantConfig
from tenant_app.models.users import ProvinceUser
from tenant_app.models.vocabulary import RolloutStatus, TargetStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.rollout import rollout_apply
from tenant_app.services.rollout.plan_messages import (
    line_text,
    readable_diff,
    readable_lines,
    stop_message,
)
from tenant_app.services.rollout.rollout_merge import Plan, plan_merge
from tenant_app.services.rollout.unit_state import read_unit
from tenant_app.tenancy.context import get_current_tenant

FINAL = (TargetStatus.APPLIED, TargetStatus.SKIPPED, TargetStatus.FAILED)
DONE = (TargetStatus.APPLIED, TargetStatus.SKIPPED)  # nothing more to do for the target


class TenantStopped(ServiceError):
    """The tenant cannot take the version: conflicts or a refused write; nothing was changed."""

    status = 409


def province_actor(username: str | None):
    """The province user behind a rollout (audit attribution in jobs), or None."""
    if not username:
        return None
    return db.session.execute(
        sa.select(ProvinceUser).where(ProvinceUser.username == username)
    ).scalar_one_or_none()


def _target(rollout_id: int, *, lock: bool = False) -> RolloutTarget:
    stmt = sa.select(RolloutTarget).where(
        RolloutTarget.rollout_id == rollout_id,
        RolloutTarget.tenant_id == get_current_tenant().id,
    )
    if lock:
        stmt = stmt.with_for_update()
    row = db.session.execute(stmt.execution_options(populate_existing=True)).scalar_one_or_none()
    if row is None:
        raise LookupError(f"rollout {rollout_id} has no target for this tenant")
    return row


def _stopped(plan: Plan) -> str:
    return stop_message([line.as_dict() for line in plan.conflicts])


def compute(version: TemplateVersion, mode: str, today: date | None = None):
    """Return (current config, unit snapshot, plan, effective date) for the tenant in context."""
    tenant = get_current_tenant()
    current = rollout_apply.current_config()
    unit = read_unit(tenant)
    base = None if current is None else current.base_payload
    plan = plan_merge(base, version.payload, unit.state)
    return current, unit, plan, rollout_apply.effective_date(tenant, mode, today)


def _record_diff(target: RolloutTarget, plan: Plan, on: date) -> None:
    # Stored readable (names, messages in words) besides codes: the board's status quotes them.
    target.diff = {**readable_diff(plan.diff()), "effective_from": on.isoformat()}
    target.conflicts = readable_lines(line.as_dict() for line in plan.conflicts)


def dry_run_target(rollout_id: int) -> dict:
    """Store what applying would do (diff, conflicts) on the target; writes nothing else."""
    target = _target(rollout_id, lock=True)
    rollout = db.session.execute(
        sa.select(Rollout).where(Rollout.id == rollout_id).execution_options(populate_existing=True)
    ).scalar_one()
    if rollout.status != RolloutStatus.PLANNED:
        return {"skipped": "rollout already started"}  # the apply writes its own diff
    version = db.session.get(TemplateVersion, rollout.version_id)
    current, _local, plan, on = compute(version, rollout.effective)
    _record_diff(target, plan, on)
    if plan.conflicts:
        target.status, target.message = TargetStatus.FAILED, _stopped(plan)
    elif plan.empty and current is not None and current.version_id == version.id:
        target.status, target.message = TargetStatus.SKIPPED, _("Đơn vị đã chạy phiên bản này.")
    else:
        target.status, target.message = TargetStatus.PENDING, None
    target.finished_at = utcnow()
    return plan.diff()["counts"]


def _finish_rollout(rollout: Rollout) -> None:
    """Mark the rollout finished if this tenant was its last; call it before the province
    event of the tenant's outcome.

    The rollout row is locked so that the last two tenants cannot both miss the end. Lock
    order, the same in every transaction that takes both (jobs, ``start_apply``, ``resume``):
    this row first, then the province audit chain (``audit.record``, held until commit).
    ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: a unit's ``tenant_configs`` row references the
    rollout, which holds a key-share lock on it until that unit commits; ``FOR UPDATE`` waited
    for it, and with the chain taken first, two workers deadlocked (one holding the chain,
    waiting for the row; the other holding the key share, waiting for the chain)."""
    rollout = db.session.execute(
        sa.select(Rollout)
        .where(Rollout.id == rollout.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one()
    from tenant_app.services.rollout.rollouts import refresh_status

    refresh_status(rollout)


def mark_running(rollout_id: int) -> bool:
    """Mark the target running (committed, for the board); False when it is already done."""
    target = _target(rollout_id, lock=True)
    if target.status in DONE:
        db.session.commit()
        return False
    target.status, target.message = TargetStatus.RUNNING, None
    target.attempts += 1
    target.started_at, target.finished_at = utcnow(), None
    db.session.commit()
    return True


def apply_target(rollout_id: int) -> dict:
    """Apply the rollout's version to the tenant in context (module doc); return its summary.

    Raises TenantStopped (after recording the failure on the target) when the merge finds
    conflicts or a service refuses a write; the tenant is then left as it was.
    """
    rollout = db.session.get(Rollout, rollout_id)
    if not mark_running(rollout_id):
        return {"status": _target(rollout_id).status}
    target = _target(rollout_id, lock=True)
    if target.status in DONE:
        return {"status": target.status}  # another worker finished it meanwhile
    tenant = get_current_tenant()
    version = db.session.get(TemplateVersion, rollout.version_id)
    actor = province_actor(rollout.created_by)
    try:
        current, unit, plan, on = compute(version, rollout.effective)
        if plan.conflicts:
            raise _Stop(plan, on)
        if plan.empty and current is not None and current.version_id == version.id:
            outcome, data = TargetStatus.SKIPPED, {"status": TargetStatus.SKIPPED}
        else:
            data = rollout_apply.apply_plan(
                tenant, plan, unit, on, rollout.effective,
                origin={"rollout": rollout.id, "version": version.id},
            )  # fmt: skip
            config = rollout_apply.record_config(
                version_id=version.id,
                payload=version.payload,
                on=on,
                previous_id=None if current is None else current.id,
                rollout_id=rollout.id,
                summary_data=data,
                applied_by=rollout.created_by,
            )
            audit.record(
                "configuration.applied",
                object_type="tenant_config",
                object_id=config.id,
                after={"rollout": rollout.id, "version": version.id, **data},
                actor=actor,
            )
            outcome = TargetStatus.APPLIED
        target = _target(rollout_id, lock=True)
        _record_diff(target, plan, on)
        target.status, target.finished_at = outcome, utcnow()
        target.message = (
            _("Đơn vị đã chạy phiên bản này: không có gì thay đổi.")
            if outcome == TargetStatus.SKIPPED
            else _applied_message(data, plan)
        )
        _finish_rollout(rollout)  # the rollout row, then the province chain (lock order)
        audit.record(
            f"rollout.{outcome}",
            object_type="rollout",
            object_id=rollout.id,
            after={"tenant": tenant.slug, "version": version.id, **data},
            actor=actor,
            province=True,
            subject_tenant_id=tenant.id,
        )
        return {"status": outcome, **data}
    except _Stop as stop:
        _fail(rollout, [], _stopped(stop.plan), stop.plan, stop.on)
        raise TenantStopped("rollout_conflict", _stopped(stop.plan)) from None
    except ServiceError as exc:
        message = _("Dừng, không thay đổi gì: %(reason)s", reason=exc.message)
        _fail(rollout, [{"field": exc.field, "message": exc.message}], message)
        raise TenantStopped(exc.code, message) from None
    except Exception as exc:
        message = _(
            "Lỗi hệ thống, không thay đổi gì ở đơn vị này (chạy lại bằng «Tiếp tục»): %(reason)s",
            reason=f"{type(exc).__name__}: {exc}",
        )
        _fail(rollout, [], message[:500])
        raise


class _Stop(Exception):
    def __init__(self, plan: Plan, on: date):
        self.plan, self.on = plan, on


def _applied_message(data: dict, plan: Plan) -> str:
    text = _(
        "Đã áp dụng: %(c)d thêm, %(u)d sửa, %(d)d ngừng; giữ %(k)d thay đổi của đơn vị; "
        "hiệu lực từ %(on)s.",
        c=data["created"],
        u=data["updated"],
        d=data["deactivated"],
        k=data["kept_local"],
        on=date.fromisoformat(data["effective_from"]).strftime("%d/%m/%Y"),
    )
    if plan.overrides:
        text += " " + " ".join(line_text(o.as_dict()) for o in plan.overrides)
    return text[:4000]


def _fail(rollout, conflicts, message, plan: Plan | None = None, on: date | None = None) -> None:
    # The tenant's writes are rolled back; only the target's outcome and the audit event stay.
    db.session.rollback()
    tenant = get_current_tenant()
    target = _target(rollout.id, lock=True)
    if plan is not None:
        _record_diff(target, plan, on)
    else:
        target.conflicts = conflicts
    target.status, target.message, target.finished_at = TargetStatus.FAILED, message, utcnow()
    actor = province_actor(rollout.created_by)
    _finish_rollout(rollout)  # the rollout row, then the province chain (lock order)
    audit.record(
        "rollout.tenant_failed",
        object_type="rollout",
        object_id=rollout.id,
        after={"tenant": tenant.slug, "message": message},
        actor=actor,
        province=True,
        subject_tenant_id=tenant.id,
    )
    db.session.commit()


def rollback_current(config_id: str, mode: str, actor_name: str | None) -> dict:
    """Return the tenant in context to the configuration before ``config_id`` (three-way again:
    local changes made since survive). Idempotent: a rollback already done returns its result."""
    tenant = get_current_tenant()
    current = rollout_apply.current_config()
    wanted = db.session.get(TenantConfig, (tenant.id, uuid.UUID(str(config_id))))
    if wanted is None:
        raise ServiceError("not_found", _("Không tìm thấy cấu hình của đơn vị."), status=404)
    if wanted.rolled_back:
        return {"status": "already_rolled_back", "config": str(current.id) if current else None}
    if current is None or current.id != wanted.id:
        raise TenantStopped(
            "config_changed",
            _("Đơn vị đã chuyển sang cấu hình khác từ lúc yêu cầu: hãy tải lại trang rồi thử lại."),
        )
    if current.previous_id is None:
        raise TenantStopped(
            "no_previous", _("Đơn vị chưa có phiên bản trước để quay lại."), status=409
        )
    previous = db.session.get(TenantConfig, (tenant.id, current.previous_id))
    unit = read_unit(tenant)
    plan = plan_merge(current.base_payload, previous.base_payload, unit.state)
    on = rollout_apply.effective_date(tenant, mode)
    if plan.conflicts:
        raise TenantStopped("rollback_conflict", _stopped(plan))
    actor = province_actor(actor_name)
    data = rollout_apply.apply_plan(
        tenant, plan, unit, on, mode, origin={"version": previous.version_id}
    )
    current.rolled_back = True
    config = rollout_apply.record_config(
        version_id=previous.version_id,
        payload=previous.base_payload,
        on=on,
        previous_id=previous.previous_id,
        summary_data={**data, "rolled_back_from": str(current.id)},
        applied_by=actor_name,
    )
    after = {"from_version": current.version_id, "to_version": previous.version_id, **data}
    audit.record(
        "configuration.rolled_back",
        object_type="tenant_config",
        object_id=config.id,
        after=after,
        actor=actor,
    )
    audit.record(
        "rollout.rolled_back",
        object_type="tenant",
        object_id=tenant.id,
        after={"tenant": tenant.slug, **after},
        actor=actor,
        province=True,
        subject_tenant_id=tenant.id,
    )
    return {"status": "rolled_back", "config": str(config.id), **after}
