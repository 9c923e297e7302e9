"""A per-process cache of what the comparison pages and API build, keyed by the rows it reads.

A key names the scopes, the visibility, the selected units (id, slug and name) and the ids of
the ``period_aggregates`` rows of those scopes. ``aggregates.refresh_scope`` deletes and re-adds
a unit's rows, with new ids, whenever anything in them may change, and its item rows in the same
transaction; so a changed score, a unit renamed or a unit added gives a new key, and a cached
entry is never stale — it is only never asked for again (a bounded LRU forgets it).

Computing a key is two small indexed reads; it must run inside the audited door, like the reads
it stands for. Visibility is part of the key, so an auditor limited to published results never
gets what was built for someone who sees all.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from flask import current_app

from tenant_app.extensions import db
from tenant_app.models.comparison import PeriodAggregate
from tenant_app.models.tenants import Tenant
from tenant_app.services.comparison.comparison_flags import thresholds

MAX_ENTRIES = 16  # with 300 units a page is about 1.3 MB (its table and charts), an API body 0.3 MB


def revision(scopes: Iterable[str], visibility: str, tenant_ids=None) -> str:
    """A digest of everything the comparison of ``scopes`` reads for the selected units (default:
    every unit): the units' ids, slugs and names, the aggregate rows' ids and the thresholds of
    the warning signs."""
    scopes = sorted(set(scopes))
    units = sa.select(Tenant.id, Tenant.slug, Tenant.name).order_by(Tenant.id)
    rows = (
        sa.select(PeriodAggregate.tenant_id, PeriodAggregate.id)
        .where(PeriodAggregate.scope.in_(scopes), PeriodAggregate.visibility == visibility)
        .order_by(PeriodAggregate.tenant_id, PeriodAggregate.id)
    )
    if tenant_ids:
        units = units.where(Tenant.id.in_(list(tenant_ids)))
        rows = rows.where(PeriodAggregate.tenant_id.in_(list(tenant_ids)))
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr((scopes, visibility, sorted(thresholds().items()))).encode())
    for row in db.session.execute(units):
        digest.update(repr(tuple(row)).encode())
    digest.update(b"|")
    for tenant_id, row_id in db.session.execute(rows):
        digest.update(b"%d:%s;" % (tenant_id, str(row_id).encode()))
    return digest.hexdigest()


class _Cache:
    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get_or_build(self, key, build: Callable):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = build()  # outside the lock: two threads may build the same entry, both right
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


def cached(key, build: Callable):
    """The value cached under ``key`` in this app, else ``build()`` (stored). ``key`` must hold
    a ``revision`` and whatever else the value depends on (the language, the sort order)."""
    cache = current_app.extensions.get("kpi_comparison_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("kpi_comparison_cache", _Cache(MAX_ENTRIES))
    return cache.get_or_build(key, build)
