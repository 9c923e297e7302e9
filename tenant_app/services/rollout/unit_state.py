"""The reader of a unit's current configuration: its tables read once into a plain ``UnitState``
for the merge, with the ORM rows behind it for the apply step.

Reads positions, who holds them, catalogue items with their value versions and position links,
data sources with their item mappings (officer mappings are the unit's own: never read here),
set-based (a handful of queries whatever the catalogue's size), inside the tenant's context.
Positions, items and sources a unit stopped using are kept apart: the merge reads them as
absent, and the apply step reactivates the very rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem, CatalogueVersion, ItemPosition
from tenant_app.models.feeds import FeedItemMap, FeedSource
from tenant_app.models.org import JobPosition
from tenant_app.models.staff import StaffAssignment
from tenant_app.services.rollout.payload_format import (
    DECIMAL_KEYS,
    ITEM_KEYS,
    POSITION_KEYS,
    SOURCE_FIELDS,
    VALUE_KEYS,
    dec,
)
from tenant_app.services.rollout.rollout_merge import UnitState


@dataclass
class UnitRows:
    """The rows behind a ``UnitState`` (same keys), for writing a plan in the same session."""

    positions: dict[str, JobPosition] = field(default_factory=dict)
    items: dict[str, CatalogueItem] = field(default_factory=dict)
    inactive_positions: dict[str, JobPosition] = field(default_factory=dict)
    inactive_items: dict[str, CatalogueItem] = field(default_factory=dict)
    sources: dict[str, FeedSource] = field(default_factory=dict)
    inactive_sources: dict[str, FeedSource] = field(default_factory=dict)
    versions: dict = field(default_factory=dict)  # item id → its value versions, oldest first


@dataclass
class UnitSnapshot:
    """What ``read_unit`` returns: the plain state for ``plan_merge``, the rows for the apply."""

    state: UnitState
    rows: UnitRows


def _positions() -> tuple[dict, dict, dict]:
    active, inactive, by_id = {}, {}, {}
    for row in db.session.execute(sa.select(JobPosition)).scalars():
        by_id[row.id] = row
        (active if row.active else inactive)[row.code] = row
    return active, inactive, by_id


def _held(by_id: dict) -> frozenset[str]:
    held = db.session.execute(
        sa.select(StaffAssignment.position_id).where(StaffAssignment.effective_to.is_(None))
    ).scalars()
    return frozenset(by_id[pid].code for pid in held if pid in by_id)


def _versions() -> dict:
    history: dict = {}
    for version in db.session.execute(
        sa.select(CatalogueVersion).order_by(CatalogueVersion.effective_from)
    ).scalars():
        history.setdefault(version.item_id, []).append(version)
    return history


def _links(by_id: dict) -> dict:
    # Links to positions the unit stopped using do not count: the payload cannot name them.
    links: dict = {}
    for item_id, position_id in db.session.execute(
        sa.select(ItemPosition.item_id, ItemPosition.position_id)
    ).all():
        position = by_id.get(position_id)
        if position is not None and position.active:
            links.setdefault(item_id, []).append(position.code)
    return links


def _bands(value):
    if not value:
        return None
    return [{"from": dec(b["from"]), "score": dec(b["score"])} for b in value]


def _item_entry(row: CatalogueItem, latest: CatalogueVersion | None, positions) -> dict:
    """The payload-shaped entry of an item with its latest values (decimals as text)."""
    entry = {name: getattr(row, name, None) for name in ITEM_KEYS if name not in VALUE_KEYS}
    for name in VALUE_KEYS:
        entry[name] = None if latest is None else getattr(latest, name)
    entry["canonical_code"] = row.canonical_code or row.code
    entry["positions"] = sorted(positions)
    entry["mandatory"] = bool(row.mandatory)
    for name in DECIMAL_KEYS:
        entry[name] = dec(entry[name])
    entry["bands"] = _bands(entry["bands"])
    return entry


def _source_entry(row: FeedSource, mappings: list[dict]) -> dict:
    entry = {"code": row.code, **{name: getattr(row, name) for name in SOURCE_FIELDS}}
    entry["closing_time"] = row.closing_time.strftime("%H:%M") if row.closing_time else None
    entry["items"] = sorted(mappings, key=lambda m: m["external_code"])
    return entry


def _sources(rows: UnitRows, item_keys: dict) -> dict[str, dict]:
    """Active sources as payload entries; ``item_keys``: active item id → its canonical key
    (mappings to items the unit stopped using do not count: the payload cannot name them)."""
    mappings: dict = {}
    for source_id, external, item_id in db.session.execute(
        sa.select(FeedItemMap.source_id, FeedItemMap.external_code, FeedItemMap.item_id)
    ).all():
        if item_id in item_keys:
            mappings.setdefault(source_id, []).append(
                {"external_code": external, "canonical_code": item_keys[item_id]}
            )
    entries = {}
    for row in db.session.execute(sa.select(FeedSource)).scalars():
        if not row.active:
            rows.inactive_sources[row.code] = row
            continue
        rows.sources[row.code] = row
        entries[row.code] = _source_entry(row, mappings.get(row.id, []))
    return entries


def read_unit(tenant) -> UnitSnapshot:
    """Read the configuration of ``tenant`` (the tenant in context): positions, catalogue with
    latest values, data sources with their item mappings, settings."""
    positions, inactive_positions, by_id = _positions()
    versions, links = _versions(), _links(by_id)
    rows = UnitRows(positions=positions, inactive_positions=inactive_positions, versions=versions)
    items, codes = {}, {}
    for row in db.session.execute(sa.select(CatalogueItem)).scalars():
        key = row.canonical_code or row.code
        codes[row.code] = key
        if not row.active:
            rows.inactive_items[key] = row
            continue
        history = versions.get(row.id)
        items[key] = _item_entry(row, history[-1] if history else None, links.get(row.id, []))
        rows.items[key] = row
    sources = _sources(rows, {row.id: key for key, row in rows.items.items()})
    state = UnitState(
        positions={
            code: {k: getattr(row, k) for k in POSITION_KEYS} for code, row in positions.items()
        },
        items=items,
        settings=dict(tenant.settings or {}),
        sources=sources,
        inactive_positions=frozenset(inactive_positions),
        inactive_items=frozenset(rows.inactive_items),
        inactive_sources=frozenset(rows.inactive_sources),
        held_positions=_held(by_id),
        codes_in_use=codes,
    )
    return UnitSnapshot(state, rows)
