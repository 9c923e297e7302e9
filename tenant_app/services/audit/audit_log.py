"""Read the audit trail: filters, newest-first pages, readable before/after diffs, action labels.

Reading only. Which rows a caller may see is decided by the caller's context: a tenant request
sees its own ``audit_events``; the province console reads every tenant inside ``tenancy.door``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import formatting
from tenant_app.extensions import db
from tenant_app.models.audit import AuditEvent, ProvinceAuditEvent
from tenant_app.models.tenants import Tenant
from tenant_app.services.audit.audit_labels import (
    ACTOR_TYPE_LABELS,
    action_label,
    field_label,
    object_type_label,
    value_label,
)
from tenant_app.services.errors import ServiceError
from tenant_app.tenancy.context import current_tenant_id

PAGE_SIZE = 50
SOURCES = ("all", "tenant", "province")


@dataclass(frozen=True)
class Filters:
    """What to show. Times are naive UTC (as stored); ``until`` is exclusive."""

    tenant_id: int | None = None
    actor: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    source: str = "all"


@dataclass(frozen=True)
class Change:
    """One changed detail: ``field``/``old``/``new`` as recorded (the API's), plus the same in
    words for screens and exports (``label``, ``old_text``, ``new_text``)."""

    field: str
    old: str
    new: str
    old_text: str = ""
    new_text: str = ""
    # A list of records (what one event created, e.g. a rollout's items): one line each.
    entries: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return field_label(self.field)


@dataclass
class EventView:
    """One event as screens and exports show it."""

    source: str  # "tenant" or "province"
    tenant_id: int | None
    seq: int
    occurred_at: datetime
    actor_type: str
    actor_id: str | None
    actor_name: str | None
    ip: str | None
    action: str
    object_type: str | None
    object_id: str | None
    before: object
    after: object
    tenant_name: str | None = None
    tenant_slug: str | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def label(self) -> str:
        return action_label(self.action)

    @property
    def object_type_label(self) -> str:
        return object_type_label(self.object_type)

    @property
    def actor_type_label(self) -> str:
        label = ACTOR_TYPE_LABELS.get(self.actor_type)
        return str(label) if label is not None else self.actor_type

    @property
    def local_time(self) -> str:
        return format_local(self.occurred_at)


# --- parsing


def local_day_start(day: date) -> datetime:
    """Return the naive UTC instant at which ``day`` starts in the province's zone."""
    return formatting.local_day_start(day)


def to_local(value: datetime) -> datetime:
    """Return a stored (naive UTC) time as naive local time, as a reader expects."""
    return formatting.to_local(value)


def to_utc(value: datetime) -> datetime:
    """Return ``value`` as naive UTC (a naive value is taken as UTC already)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def format_local(value: datetime | None) -> str:
    """Return a stored (naive UTC) time as dd/mm/yyyy HH:MM in the province's zone."""
    return formatting.vn_datetime(value, empty="")


def parse_day(text: str | None, *, field_name: str) -> date | None:
    """Parse yyyy-mm-dd (date inputs) or dd/mm/yyyy; raise ServiceError naming the field."""
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ServiceError("invalid_date", _("Ngày không hợp lệ (dạng dd/mm/yyyy)."), field=field_name)


def tenant_by_slug(slug: str) -> Tenant:
    """Return the tenant named ``slug`` (any status); raise ServiceError 404 when unknown."""
    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        raise ServiceError("unknown_tenant", _("Không có đơn vị này."), field="tenant", status=404)
    return tenant


def filters_from_args(args, *, province: bool) -> Filters:
    """Build Filters from the query string of an audit page (dates are local days, inclusive).

    Outside ``province`` the filters are pinned to the tenant in context (``tenant`` is ignored).
    Raises ServiceError for a bad date or an unknown unit.
    """

    def text(name: str) -> str | None:
        return (args.get(name) or "").strip()[:120] or None

    since_day = parse_day(args.get("since"), field_name="since")
    until_day = parse_day(args.get("until"), field_name="until")
    # A unit's page names its own tenant explicitly, on top of the ambient scoping.
    tenant_id = None if province else current_tenant_id()
    source = "tenant"
    if province:
        slug = text("tenant")
        tenant_id = tenant_by_slug(slug).id if slug else None
        source = args.get("source") if args.get("source") in SOURCES else "all"
    return Filters(
        tenant_id=tenant_id,
        actor=text("actor"),
        object_type=text("object_type"),
        object_id=text("object_id"),
        action=text("action"),
        since=local_day_start(since_day) if since_day else None,
        until=local_day_start(until_day + timedelta(days=1)) if until_day else None,
        source=source,
    )


# --- queries


_COLUMNS = (
    "seq", "occurred_at", "actor_type", "actor_id", "actor_name", "ip",
    "action", "object_type", "object_id", "before", "after",
)  # fmt: skip


def _where(stmt, model, filters: Filters, tenant_column):
    if filters.tenant_id is not None:
        stmt = stmt.where(tenant_column == filters.tenant_id)
    if filters.actor:
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(model.actor_name).like(f"%{filters.actor.lower()}%"),
                model.actor_id == filters.actor,
            )
        )
    if filters.object_type:
        stmt = stmt.where(model.object_type == filters.object_type)
    if filters.object_id:
        stmt = stmt.where(model.object_id == filters.object_id)
    if filters.action:
        # "auth." or "auth.*" means every action of that family.
        if filters.action.endswith((".", "*")):
            stmt = stmt.where(model.action.like(filters.action.rstrip("*") + "%"))
        else:
            stmt = stmt.where(model.action == filters.action)
    if filters.since:
        stmt = stmt.where(model.occurred_at >= filters.since)
    if filters.until:
        stmt = stmt.where(model.occurred_at < filters.until)
    return stmt


def _tenant_select(filters: Filters):
    cols = [getattr(AuditEvent, name) for name in _COLUMNS]
    stmt = sa.select(
        sa.literal("tenant").label("source"), AuditEvent.tenant_id.label("tenant_id"), *cols
    )
    return _where(stmt, AuditEvent, filters, AuditEvent.tenant_id)


def _province_select(filters: Filters):
    cols = [getattr(ProvinceAuditEvent, name) for name in _COLUMNS]
    stmt = sa.select(
        sa.literal("province").label("source"),
        ProvinceAuditEvent.subject_tenant_id.label("tenant_id"),
        *cols,
    )
    return _where(stmt, ProvinceAuditEvent, filters, ProvinceAuditEvent.subject_tenant_id)


def events_query(filters: Filters):
    """Return the newest-first select of the events matching ``filters`` (by ``source``).

    Tenant events are limited by the ambient scope: the current tenant, or every tenant inside
    the cross-tenant door.
    """
    parts = []
    if filters.source in ("all", "tenant"):
        parts.append(_tenant_select(filters))
    if filters.source in ("all", "province"):
        parts.append(_province_select(filters))
    rows = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("events")
    return sa.select(rows).order_by(rows.c.occurred_at.desc(), rows.c.seq.desc())


def count(filters: Filters) -> int:
    """Return how many events match ``filters``."""
    stmt = events_query(filters).order_by(None).subquery()
    return db.session.execute(sa.select(sa.func.count()).select_from(stmt)).scalar_one()


def fetch(filters: Filters, *, offset: int = 0, limit: int = PAGE_SIZE) -> list[EventView]:
    """Return one slice of matching events, newest first, with tenant names and diffs."""
    result = db.session.execute(events_query(filters).offset(offset).limit(limit)).mappings()
    return _views(result)


def about_objects(object_types, object_ids) -> list[EventView]:
    """The unit's events about any of ``object_ids`` (of ``object_types``), newest first."""
    ids = [str(i) for i in object_ids]
    if not ids:
        return []
    stmt = (
        sa.select(
            sa.literal("tenant").label("source"),
            AuditEvent.tenant_id.label("tenant_id"),
            *[getattr(AuditEvent, name) for name in _COLUMNS],
        )
        .where(AuditEvent.object_type.in_(list(object_types)), AuditEvent.object_id.in_(ids))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.seq.desc())
    )
    return _views(db.session.execute(stmt).mappings())


def page(filters: Filters, number: int, size: int = PAGE_SIZE) -> tuple[list[EventView], int]:
    """Return (events of page ``number`` counted from 1, total matching)."""
    number = max(number, 1)
    return fetch(filters, offset=(number - 1) * size, limit=size), count(filters)


def _views(rows) -> list[EventView]:
    units = {t.id: t for t in db.session.execute(sa.select(Tenant.id, Tenant.name, Tenant.slug))}
    views = []
    for row in rows:
        view = EventView(**{key: row[key] for key in ("source", "tenant_id", *_COLUMNS)})
        unit = units.get(view.tenant_id)
        view.tenant_name, view.tenant_slug = (unit.name, unit.slug) if unit else (None, None)
        view.changes = diff(view.before, view.after)
        views.append(view)
    return views


# --- diffs


def show_value(value) -> str:
    """Return a value as one readable line ("—" for nothing)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def readable_value(value, key: str | None = None) -> str:
    """Return a value as people read it: lists and details in words, never raw JSON; a code
    under a key with labelled values (roles) by its label."""
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(str(k))}: {readable_value(v, str(k))}" for k, v in value.items()
        )
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return " | ".join(readable_value(v, key) for v in value)
        return ", ".join(readable_value(v, key) for v in value) or "—"
    if isinstance(value, str) and key is not None:
        return value_label(key, value)
    return show_value(value)


def diff(before, after) -> list[Change]:
    """Return the fields that differ between ``before`` and ``after`` (field: old → new).

    A field only in ``after`` was set; only in ``before``, removed. Non-dict payloads become one
    change under the field "giá trị".
    """
    if before is None and after is None:
        return []
    if not isinstance(before, dict | type(None)) or not isinstance(after, dict | type(None)):
        return [
            Change(
                _("giá trị"),
                show_value(before),
                show_value(after),
                readable_value(before),
                readable_value(after),
            )
        ]
    before, after = before or {}, after or {}
    changes = []
    for key in sorted(set(before) | set(after), key=str):
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        changes.append(
            Change(
                str(key),
                show_value(old),
                show_value(new),
                readable_value(old, str(key)) if key in before else "",
                readable_value(new, str(key)) if key in after else "—",
                _entries(new),
            )
        )
    return changes


def _entries(value) -> tuple[str, ...]:
    # Records listed by one event are shown one per line, each in words.
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return tuple(readable_value(v) for v in value)
    return ()


def changes_text(changes: list[Change]) -> str:
    """Return changes as lines "field: old → new" (for exports)."""
    return "\n".join(f"{c.label}: {c.old_text or '—'} → {c.new_text}" for c in changes)


# --- chain status


def chain_report(checked: int, broken) -> dict:
    """Return the chain status a page shows: events checked and each broken link, readable."""
    names = dict(db.session.execute(sa.select(Tenant.id, Tenant.name)).all())
    links = []
    for link in broken:
        if link.chain.startswith("tenant:"):
            name = names.get(int(link.chain.split(":", 1)[1]), link.chain)
        else:
            name = _("Chuỗi cấp tỉnh")
        links.append({"chain": link.chain, "name": name, "seq": link.seq, "reason": link.reason})
    return {"checked": checked, "broken": links}


def filters_from_api(args: dict, *, province: bool) -> Filters:
    """Build Filters from loaded API arguments (times already naive UTC).

    Outside ``province`` the filters are pinned to the tenant in context. Raises ServiceError 404
    for an unknown unit slug.
    """
    tenant_id = current_tenant_id()
    source = "tenant"
    if province:
        tenant_id = tenant_by_slug(args["tenant"]).id if args.get("tenant") else None
        source = args.get("source") or "all"
    return Filters(
        tenant_id=tenant_id,
        actor=args.get("actor"),
        object_type=args.get("object_type"),
        object_id=args.get("object_id"),
        action=args.get("action"),
        since=args.get("since"),
        until=args.get("until"),
        source=source,
    )
