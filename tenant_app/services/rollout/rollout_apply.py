"""The one write path of configuration: a merge plan written into the tenant in context, with
history. A unit's first application (onboarding), a rollout and a rollback all come here.

Unlike a unit's own edits (``services.catalogue.update_item``, which keeps a unit from weakening
a mandatory item), applying the province template may change what the template owns: canonical
code, mandatory flag, allowed range and the values of mandatory items. New values become
catalogue versions from the configuration's ``effective_from``, so periods already open or
closed keep resolving the values they started with. Data sources and their item mappings are
written through ``services.feeds.sources`` (audited there); a source the template dropped is
deactivated like an item, and a mapping is removed only when the template removed it. Nothing
here commits: a rollout job writes a whole tenant in one transaction, or nothing.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from scoring import Params, get_rule_set, resolve_rule_sets
from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem, CatalogueVersion, ItemPosition
from tenant_app.models.evaluation import Assignment, Period
from tenant_app.models.org import JobPosition
from tenant_app.models.rollout import TenantConfig
from tenant_app.models.vocabulary import PeriodStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.feeds import sources
from tenant_app.services.rollout.payload_format import (
    MAPPING_PREFIX,
    SETTINGS_MAP,
    SOURCE_FIELDS,
    VALUE_KEYS,
)
from tenant_app.services.rollout.rollout_merge import OpKind, Plan
from tenant_app.services.rollout.unit_state import UnitSnapshot
from tenant_app.services.workspace import catalogue_values as values
from tenant_app.services.workspace import positions
from tenant_app.tenancy.context import current_tenant_id

EFFECTIVE_MODES = ("next_period", "immediately")
DETAIL_KEYS = (
    "code", "name", "unit_of_measure", "description", "evidence_requirement",
    "direction", "scoring_method", "aggregation",
)  # fmt: skip
POSITION_FIELDS = ("name", "position_group", "description")


def current_config() -> TenantConfig | None:
    """The configuration the tenant in context runs now (its latest row), or None."""
    return db.session.execute(
        sa.select(TenantConfig)
        .where(TenantConfig.rolled_back.is_(False))
        .order_by(TenantConfig.applied_at.desc(), TenantConfig.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _period_start(kind: str, day: date) -> date:
    if kind == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def effective_date(tenant, mode: str, today: date | None = None) -> date:
    """The first day the new configuration governs (module doc of ``services.rollouts``).

    ``next_period``: the start of the period after every period already opened (open or closed),
    at the earliest the start of the period containing today. ``immediately``: the start of the
    earliest open period (its rules are replaced too), else of the period containing today.
    """
    if mode not in EFFECTIVE_MODES:
        raise ServiceError("invalid_effective", _("Chế độ hiệu lực không hợp lệ."), "effective")
    today = today or date.today()
    kind = (tenant.settings or {}).get("period_kind", "month")
    start = _period_start(kind, today)
    rows = db.session.execute(sa.select(Period.status, Period.starts_on, Period.ends_on)).all()
    if mode == "immediately":
        opened = [r.starts_on for r in rows if r.status == PeriodStatus.OPEN]
        return min(opened) if opened else start
    if rows:
        start = max(start, max(r.ends_on for r in rows) + timedelta(days=1))
    return start


def _add_version(item: CatalogueItem, rows: list, new: dict, on: date) -> None:
    """Give ``item`` (value versions ``rows``, oldest first) the values ``new`` from ``on``.

    An unused version dated ``on`` is replaced (or dropped when it only repeats the one before).
    A version dated on or after ``on`` (a unit's change made or scheduled since) keeps its date
    and the new values follow the day after it: periods resolve values at their first day, so
    either way the next period to open gets the new values.
    """
    latest = rows[-1] if rows else None
    if latest is not None and values.as_columns(latest) == new:
        return
    if latest is None or latest.effective_from < on:
        db.session.add(CatalogueVersion(item_id=item.id, effective_from=on, **new))
        return
    used = db.session.execute(
        sa.select(sa.func.count()).where(Assignment.version_id == latest.id)
    ).scalar_one()
    if latest.effective_from == on and not used:
        previous = rows[-2] if len(rows) > 1 else None
        if previous is not None and values.as_columns(previous) == new:
            db.session.delete(latest)  # back to the values before: the unused version goes
        else:
            for name, value in new.items():
                setattr(latest, name, value)
        return
    at = latest.effective_from + timedelta(days=1)
    db.session.add(CatalogueVersion(item_id=item.id, effective_from=at, **new))


def _position_ids(codes) -> list:
    if not codes:
        return []
    rows = db.session.execute(
        sa.select(JobPosition.code, JobPosition.id).where(JobPosition.code.in_(list(codes)))
    ).all()
    found = dict(rows)
    return [found[c] for c in codes if c in found]


def _set_links(item: CatalogueItem, codes) -> None:
    wanted = set(_position_ids(codes))
    existing = {
        link.position_id: link
        for link in db.session.execute(
            sa.select(ItemPosition).where(ItemPosition.item_id == item.id)
        ).scalars()
    }
    for pid, link in existing.items():
        if pid not in wanted:
            db.session.delete(link)
    for pid in wanted - set(existing):
        db.session.add(ItemPosition(item_id=item.id, position_id=pid))


def _number(value):
    return None if value is None else Decimal(str(value))


def _create_items(entries: list[dict], on: date) -> list[tuple[CatalogueItem, dict]]:
    """Create template items in bulk: the payload was validated when the version was saved and
    the merge has checked codes against the unit's items, so no per-item lookups are needed.
    Returns (item, payload entry) pairs; their audit event is ``_record_created``'s."""
    if not entries:
        return []
    position_ids = dict(db.session.execute(sa.select(JobPosition.code, JobPosition.id)).all())
    made = []
    for entry in entries:
        item = CatalogueItem(
            kind=entry["kind"],
            code=entry["code"],
            name=entry["name"],
            unit_of_measure=entry["unit_of_measure"],
            description=entry.get("description"),
            evidence_requirement=entry.get("evidence_requirement"),
            direction=entry.get("direction"),
            scoring_method=entry.get("scoring_method"),
            aggregation=entry.get("aggregation"),
            canonical_code=entry["canonical_code"],
            origin="template",
            mandatory=bool(entry.get("mandatory")),
            allowed_min=_number(entry.get("allowed_min")),
            allowed_max=_number(entry.get("allowed_max")),
            active=True,
        )
        db.session.add(item)
        made.append((item, entry))
    db.session.flush()
    for item, entry in made:
        new = values.build(item, None, {k: entry.get(k) for k in VALUE_KEYS})
        db.session.add(CatalogueVersion(item_id=item.id, effective_from=on, **new))
        for code in entry.get("positions") or []:
            if code in position_ids:
                db.session.add(ItemPosition(item_id=item.id, position_id=position_ids[code]))
    db.session.flush()
    return made


def _update_item(item, before: dict, writes: dict, on: date, versions, *, reactivate=False):
    """Apply the template's ``writes`` to ``item`` (``before``: its payload-shaped state)."""
    if reactivate:
        item.active = True
    for name in DETAIL_KEYS:
        if name in writes:
            setattr(item, name, writes[name])
    if "canonical_code" in writes:
        item.canonical_code = writes["canonical_code"]
        item.origin = "template"
    if "mandatory" in writes:
        item.mandatory = bool(writes["mandatory"])
    for name in ("allowed_min", "allowed_max"):
        if name in writes:
            setattr(item, name, _number(writes[name]))
    if "positions" in writes:
        _set_links(item, writes["positions"])
    changed_values = {k: writes[k] for k in VALUE_KEYS if k in writes}
    if changed_values:
        rows = versions.get(item.id, [])
        latest = rows[-1] if rows else None
        _add_version(item, rows, values.build(item, latest, changed_values), on)
    audit.record(
        "catalogue_item.updated",
        object_type="catalogue_item",
        object_id=item.id,
        before={**before, "active": not reactivate},
        after={**before, **writes, "active": True, "effective_from": on, "source": "template"},
    )


def _deactivate_item(item: CatalogueItem) -> None:
    before = {"active": item.active, "mandatory": item.mandatory}
    item.active, item.mandatory = False, False
    audit.record(
        "catalogue_item.deactivated",
        object_type="catalogue_item",
        object_id=item.id,
        before=before,
        after={"active": False, "mandatory": False, "source": "template"},
    )


def _apply_positions(plan: Plan, unit: UnitSnapshot) -> list:
    """Write the positions' ops; return the positions created (audited by ``_record_created``).

    New positions are checked field by field like a unit's own (``positions.build_position``)
    and inserted together: the merge read every position of the unit, active or not, so a code
    it creates is free (the unique constraint stays the last word)."""
    created = []
    for op in plan.positions:
        code, fields = op.key, op.fields
        subset = {k: fields[k] for k in POSITION_FIELDS if k in fields}
        if op.kind == OpKind.CREATE:
            created.append(positions.build_position({"code": code, **subset}))
            db.session.add(created[-1])
        elif op.kind == OpKind.REACTIVATE:
            row = unit.rows.inactive_positions[code]
            row.active = True
            audit.record(
                "position.reactivated",
                object_type="job_position",
                object_id=row.id,
                before={"active": False},
                after={"active": True, "source": "template"},
            )
            positions.update_position(row, subset)
        elif op.kind == OpKind.UPDATE:
            positions.update_position(unit.rows.positions[code], subset)
        else:
            positions.deactivate_position(unit.rows.positions[code])
    db.session.flush()
    return created


def _apply_items(plan: Plan, unit: UnitSnapshot, on: date) -> list:
    made = _create_items([op.fields for op in plan.items if op.kind == OpKind.CREATE], on)
    rows, versions = unit.rows, unit.rows.versions
    for op in plan.items:
        if op.kind == OpKind.REACTIVATE:
            row = rows.inactive_items[op.key]
            _update_item(row, {}, op.fields, on, versions, reactivate=True)
        elif op.kind == OpKind.UPDATE:
            before = unit.state.items[op.key]
            _update_item(rows.items[op.key], before, op.fields, on, versions)
        elif op.kind == OpKind.DEACTIVATE:
            _deactivate_item(rows.items[op.key])
    return made


def _record_created(created_positions: list, made_items: list, on: date, origin: dict) -> None:
    """Record what the plan created as one tenant-chain event carrying the list.

    Why one event and not one per row: a first rollout creates every position and item of the
    template (about 75 rows per unit). Each event is hashed, chained and inserted on its own,
    and with a unit written per transaction that bookkeeping outweighed the rows themselves
    (docs/performance.md, "Rollout"). One event keeps the trail complete: it names each created
    position and item (id, code, name and the template's values, keys without a value left
    out), the rollout and version that created them (``origin``) and when they take effect, and
    it is chained like any other, so ``kpi audit verify`` covers it; the audit page lists the
    rows one per line. The other chain, the province's, still gets one ``rollout.applied``
    event per unit. Updates, reactivations and deactivations keep one event per row: they carry
    a before/after pair each, and an upgrade writes only a few.
    """
    if not created_positions and not made_items:
        return
    listed_positions = []
    for position in created_positions:
        snapshot = positions.position_snapshot(position)
        listed_positions.append({"id": position.id, **_without_none(snapshot)})
    items = [{"id": item.id, **_without_none(entry)} for item, entry in made_items]
    audit.record(
        "configuration.created",
        object_type="tenant",
        object_id=current_tenant_id(),
        after={
            **origin,
            "effective_from": on,
            "origin": "template",
            "positions": listed_positions,
            "items": items,
        },
    )


def _without_none(values: dict) -> dict:
    return {k: v for k, v in values.items() if v is not None}


def _write_mappings(source, fields: dict) -> None:
    # ``fields``: flat source fields; "mappings.<external code>" → canonical code, None: remove.
    for name, canonical in sorted(fields.items()):
        if not name.startswith(MAPPING_PREFIX):
            continue
        external = name[len(MAPPING_PREFIX) :]
        if canonical is None:
            with contextlib.suppress(ServiceError):  # already gone
                sources.unmap(source, "item", external)
        else:
            sources.map_item(source, external, canonical)


def _apply_sources(plan: Plan, unit: UnitSnapshot) -> None:
    """Write the sources' ops (after the items, which their mappings name)."""
    for op in plan.sources:
        settings = {k: op.fields[k] for k in SOURCE_FIELDS if k in op.fields}
        if op.kind == OpKind.CREATE:
            source = sources.create_source({"code": op.key, **settings})
        elif op.kind == OpKind.REACTIVATE:
            source = unit.rows.inactive_sources[op.key]
            sources.update_source(source, {**settings, "active": True})
        elif op.kind == OpKind.UPDATE:
            source = unit.rows.sources[op.key]
            if settings:
                sources.update_source(source, settings)
        else:
            sources.update_source(unit.rows.sources[op.key], {"active": False})
            continue
        _write_mappings(source, op.fields)
    db.session.flush()


def _apply_settings(tenant, new_settings: dict, mode: str) -> None:
    keys = sorted({name for name in SETTINGS_MAP.values()})
    before = {k: (tenant.settings or {}).get(k) for k in keys}
    tenant.settings = dict(new_settings)
    after = {k: new_settings.get(k) for k in keys}
    audit.record(
        "configuration.settings_changed",
        object_type="tenant",
        object_id=tenant.id,
        before=before,
        after=after,
    )
    if mode == "immediately" and (before["rule_set"], before["scoring_params"]) != (
        after["rule_set"],
        after["scoring_params"],
    ):
        _reframe_open_periods(new_settings)


def _reframe_open_periods(settings: dict) -> None:
    # "Immediately": the administrator chose to give the open periods the new rules as well.
    from scoring import DEFAULT_RULE_SET

    rule_set = get_rule_set(settings.get("rule_set") or DEFAULT_RULE_SET)
    params = Params.from_dict(settings.get("scoring_params") or {}, base=rule_set.default_params)
    for period in db.session.execute(
        sa.select(Period).where(Period.status == PeriodStatus.OPEN)
    ).scalars():
        before = {"rule_set": period.rule_set, "params": period.params}
        if period.rule_sets is not None:
            before["rule_sets"] = period.rule_sets
        period.rule_set, period.params = rule_set.code, params.to_dict()
        period.rule_sets = resolve_rule_sets(params, period.starts_on)
        audit.record(
            "period.rules_changed",
            object_type="period",
            object_id=period.id,
            before=before,
            after={
                "rule_set": period.rule_set,
                "params": period.params,
                "rule_sets": period.rule_sets,
                "source": "template",
            },
        )


def apply_plan(
    tenant, plan: Plan, unit: UnitSnapshot, on: date, mode: str, *, origin: dict | None = None
) -> dict:
    """Write ``plan`` (no conflicts), made from ``unit`` read in this session, into the tenant
    in context; return the summary counts. The one write path of a configuration: first
    application, rollout and rollback alike. ``origin`` (e.g. ``{"rollout": 7, "version": 3}``)
    is recorded with the positions and items created (``_record_created``)."""
    if plan.conflicts:
        raise ValueError("a plan with conflicts is never applied")
    created_positions = _apply_positions(plan, unit)
    made_items = _apply_items(plan, unit, on)
    _record_created(created_positions, made_items, on, origin or {})
    _apply_sources(plan, unit)
    if plan.settings is not None:
        _apply_settings(tenant, plan.settings, mode)
    db.session.flush()
    return summary(plan, on)


def summary(plan: Plan, on: date) -> dict:
    ops = [op.kind for op in plan.positions + plan.items + plan.sources]
    return {
        "effective_from": on.isoformat(),
        "created": ops.count(OpKind.CREATE) + ops.count(OpKind.REACTIVATE),
        "updated": ops.count(OpKind.UPDATE),
        "deactivated": ops.count(OpKind.DEACTIVATE),
        "settings_changed": plan.settings is not None,
        "kept_local": len(plan.kept),
        "overridden": len(plan.overrides),
    }


def record_config(
    *, version_id, payload, on, previous_id, rollout_id=None, summary_data=None, applied_by=None
) -> TenantConfig:
    """Add the configuration row the tenant runs from now (the new base of later merges)."""
    row = TenantConfig(
        version_id=version_id,
        previous_id=previous_id,
        base_payload=payload,
        summary=summary_data or {},
        effective_from=on,
        rollout_id=rollout_id,
        applied_by=applied_by,
    )
    db.session.add(row)
    db.session.flush()
    return row
