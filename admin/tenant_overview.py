"""What the province console shows about many units at once, read in one pass of the door.

For a page of units: administrators, staff in post, the configuration each runs (template and
version), how many positions and items differ from that version (local changes), and the last
audit event (last activity). One ``cross_tenant_read`` per call, bulk queries inside it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.audit import AuditEvent
from tenant_app.models.catalogue import CatalogueItem, CatalogueVersion, ItemPosition
from tenant_app.models.org import JobPosition
from tenant_app.models.rollout import ConfigTemplate, TemplateVersion, TenantConfig
from tenant_app.models.staff import StaffMember
from tenant_app.models.users import User
from tenant_app.services.rollout.template_payload import PayloadInvalid, local_change_count
from tenant_app.services.rollout.templates import item_row, payload_from_rows
from tenant_app.services.workspace import positions as positions_service
from tenant_app.tenancy.door import cross_tenant_read


@dataclass(frozen=True)
class UnitOverview:
    admins: int
    staff: int
    config_version_id: int | None
    template_name: str | None
    version_number: int | None
    local_changes: int | None  # None: no configuration applied, or not computed
    last_activity: datetime | None


def _current_rows(ids) -> dict[int, tuple[list, list]]:
    """{tenant id: (positions, items)} as payload_from_rows takes them (inside the door)."""
    codes = {}
    rows: dict[int, tuple[list, list]] = {tid: ([], []) for tid in ids}
    for p in db.session.execute(
        sa.select(JobPosition)
        .where(JobPosition.tenant_id.in_(ids), JobPosition.active.is_(True))
        .order_by(JobPosition.code)
    ).scalars():
        codes[(p.tenant_id, p.id)] = p.code
        rows[p.tenant_id][0].append({k: getattr(p, k) for k in positions_service.POSITION_FIELDS})
    links: dict = {}
    for tid, item_id, position_id in db.session.execute(
        sa.select(ItemPosition.tenant_id, ItemPosition.item_id, ItemPosition.position_id).where(
            ItemPosition.tenant_id.in_(ids)
        )
    ).all():
        if (tid, position_id) in codes:
            links.setdefault((tid, item_id), []).append(codes[(tid, position_id)])
    latest = {}
    for v in db.session.execute(
        sa.select(CatalogueVersion)
        .where(CatalogueVersion.tenant_id.in_(ids))
        .order_by(CatalogueVersion.effective_from)
    ).scalars():
        latest[(v.tenant_id, v.item_id)] = v
    for item in db.session.execute(
        sa.select(CatalogueItem).where(
            CatalogueItem.tenant_id.in_(ids), CatalogueItem.active.is_(True)
        )
    ).scalars():
        key = (item.tenant_id, item.id)
        rows[item.tenant_id][1].append(item_row(item, latest.get(key), links.get(key, [])))
    return rows


def overview(tenants, *, purpose: str, with_changes: bool = True) -> dict[int, UnitOverview]:
    """Return {tenant id: UnitOverview} for ``tenants``, read through the audited door."""
    ids = [t.id for t in tenants]
    if not ids:
        return {}
    with cross_tenant_read(purpose, tenant_ids=ids):
        admins = Counter(
            tid
            for tid, roles, active in db.session.execute(
                sa.select(User.tenant_id, User.roles, User.active).where(User.tenant_id.in_(ids))
            ).all()
            if active and "unit_admin" in (roles or [])
        )
        staff = dict(
            db.session.execute(
                sa.select(StaffMember.tenant_id, sa.func.count())
                .where(StaffMember.tenant_id.in_(ids), StaffMember.end_date.is_(None))
                .group_by(StaffMember.tenant_id)
            ).all()
        )
        configs: dict[int, TenantConfig] = {}
        for config in db.session.execute(
            sa.select(TenantConfig)
            .where(TenantConfig.tenant_id.in_(ids), TenantConfig.rolled_back.is_(False))
            .order_by(TenantConfig.applied_at)
        ).scalars():
            configs[config.tenant_id] = config  # the last applied wins
        activity = dict(
            db.session.execute(
                sa.select(AuditEvent.tenant_id, sa.func.max(AuditEvent.occurred_at))
                .where(AuditEvent.tenant_id.in_(ids))
                .group_by(AuditEvent.tenant_id)
            ).all()
        )
        current = _current_rows(list(configs)) if with_changes and configs else {}
    versions = {
        v.id: (v, t)
        for v, t in db.session.execute(
            sa.select(TemplateVersion, ConfigTemplate)
            .join(ConfigTemplate, ConfigTemplate.id == TemplateVersion.template_id)
            .where(TemplateVersion.id.in_([c.version_id for c in configs.values()]))
        ).all()
    }
    result = {}
    for tenant in tenants:
        config = configs.get(tenant.id)
        version, template = (
            versions.get(config.version_id, (None, None)) if config else (None, None)
        )
        changes = None
        if config is not None and tenant.id in current:
            position_rows, item_rows = current[tenant.id]
            try:
                changes = local_change_count(
                    config.base_payload,
                    payload_from_rows(tenant.settings or {}, position_rows, item_rows),
                )
            except PayloadInvalid:
                changes = None
        result[tenant.id] = UnitOverview(
            admins=admins.get(tenant.id, 0),
            staff=staff.get(tenant.id, 0),
            config_version_id=config.version_id if config else None,
            template_name=template.name if template else None,
            version_number=version.number if version else None,
            local_changes=changes,
            last_activity=activity.get(tenant.id),
        )
    return result
