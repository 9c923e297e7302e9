"""The province comparison read from precomputed figures: units side by side, shared items.

Every function reads across units, so it must run inside ``tenancy.door.cross_tenant_read``; it
reads only ``period_aggregates`` and ``item_aggregates`` (one indexed query each), which is what
keeps a 300-unit comparison fast. ``visibility`` is ``published`` for auditors unless a province
administrator granted them unpublished results (``visibility_for``).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from types import SimpleNamespace

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.comparison import GRADES, ItemAggregate, PeriodAggregate
from tenant_app.models.tenants import Tenant
from tenant_app.services.comparison.comparison_flags import Flag, flags_for, pct

SCOPE_PATTERN = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")


class ScopeInvalid(ValueError):
    """A period that is not ``YYYY``, ``YYYY-MM`` or ``YYYY-Qn``."""


def parse_scope(value: str) -> tuple[str, str]:
    """Return (scope, kind) for ``2026``, ``2026-11`` or ``2026-Q4``; ScopeInvalid otherwise."""
    match = SCOPE_PATTERN.match((value or "").strip())
    if not match:
        raise ScopeInvalid(value)
    if match.group(2):
        return match.group(0), "month"
    if match.group(3):
        return match.group(0), "quarter"
    return match.group(0), "year"


def previous_scopes(scope: str, count: int) -> list[str]:
    """``count`` scopes of the same kind ending with ``scope``, oldest first."""
    scope, kind = parse_scope(scope)
    year = int(scope[:4])
    if kind == "year":
        return [str(y) for y in range(year - count + 1, year + 1)]
    if kind == "quarter":
        index = year * 4 + int(scope[-1]) - 1
        return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index - count + 1, index + 1)]
    index = year * 12 + int(scope[5:7]) - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def visibility_for(user) -> str:
    if user.has_role("province_admin") or getattr(user, "sees_unpublished", False):
        return "all"
    return "published"


@dataclass
class UnitFigures:
    """One unit's figures for the scope, derived from its aggregate (None: no results).

    ``tenant`` is the unit's id, slug and name; ``agg`` a row of ``period_aggregates`` read into a
    plain object (or the selected units summed). Neither changes, so each figure is computed
    once: the API, the page's table and the warning signs each ask for most of them again."""

    tenant: SimpleNamespace | None
    agg: SimpleNamespace | PeriodAggregate | None
    flags: list[Flag] = field(default_factory=list)

    @cached_property
    def people(self) -> int:
        return self.agg.people if self.agg else 0

    @cached_property
    def grades(self) -> dict[str, int]:
        if self.agg is None:
            return {g: 0 for g in GRADES}
        return {g: getattr(self.agg, g.lower()) for g in GRADES}

    @cached_property
    def shares(self) -> dict[str, Decimal | None]:
        return {g: pct(n, self.people) for g, n in self.grades.items()}

    @cached_property
    def mean(self) -> Decimal | None:
        return self.agg.total_sum / self.people if self.people else None

    @cached_property
    def stdev(self) -> Decimal | None:
        """Population standard deviation of the totals."""
        if not self.people:
            return None
        mean = self.agg.total_sum / self.people
        variance = max(self.agg.total_sq_sum / self.people - mean * mean, Decimal(0))
        return Decimal(math.sqrt(variance)).quantize(Decimal("0.000001"))

    @cached_property
    def quota_use(self) -> Decimal | None:
        """HTXS as a percentage of what the quota allows (over 100: exceeded)."""
        if self.agg is None:
            return None
        if not self.agg.quota_allowed:
            return None if not self.agg.quota_htxs else Decimal("Infinity")
        return pct(self.agg.quota_htxs, self.agg.quota_allowed)

    @cached_property
    def htxs_of_htt(self) -> Decimal | None:
        return pct(self.agg.htxs, self.agg.htt) if self.agg else None

    @cached_property
    def late_share(self) -> Decimal | None:
        return pct(self.agg.reports_late, self.agg.reports) if self.agg else None

    @cached_property
    def returned_share(self) -> Decimal | None:
        return pct(self.agg.reports_returned, self.agg.reports) if self.agg else None

    @cached_property
    def self_gap(self) -> Decimal | None:
        """Mean of (self score − manager score) in points: above 0, people rate themselves up."""
        if self.agg is None or not self.agg.self_compared:
            return None
        return self.agg.self_gap_sum / self.agg.self_compared

    @cached_property
    def self_gap_abs(self) -> Decimal | None:
        if self.agg is None or not self.agg.self_compared:
            return None
        return self.agg.self_gap_abs_sum / self.agg.self_compared

    @cached_property
    def self_equal_share(self) -> Decimal | None:
        return pct(self.agg.self_equal, self.agg.self_compared) if self.agg else None


@dataclass
class Comparison:
    scope: str
    kind: str
    visibility: str
    units: list[UnitFigures]
    province: UnitFigures  # every selected unit added up (its ``tenant`` is None)

    @property
    def flagged(self) -> list[UnitFigures]:
        return [u for u in self.units if u.flags]


def _tenants(tenant_ids) -> list[SimpleNamespace]:
    """The selected units (default: all) by name: their id, slug and name, which is all that
    the comparison shows of a unit (plain objects, not entities: 300 of them per read)."""
    stmt = sa.select(Tenant.id, Tenant.slug, Tenant.name).order_by(Tenant.name)
    if tenant_ids:
        stmt = stmt.where(Tenant.id.in_(list(tenant_ids)))
    return [
        SimpleNamespace(id=i, slug=slug, name=name) for i, slug, name in db.session.execute(stmt)
    ]


def _sum_aggregates(aggs: list[PeriodAggregate]) -> PeriodAggregate | None:
    if not aggs:
        return None
    total = PeriodAggregate.blank(scope=aggs[0].scope, visibility=aggs[0].visibility)
    for column in PeriodAggregate.__table__.columns:
        if isinstance(column.type, sa.Integer | sa.Numeric) and column.key not in (
            "tenant_id",
            "total_min",
            "total_max",
            "distinct_totals",
            "exemptions_top_count",
            "exemptions_top_reviewed",
        ):
            setattr(total, column.key, sum(getattr(a, column.key) or 0 for a in aggs))
    mins = [a.total_min for a in aggs if a.total_min is not None]
    maxs = [a.total_max for a in aggs if a.total_max is not None]
    total.total_min = min(mins) if mins else None
    total.total_max = max(maxs) if maxs else None
    total.quota_groups = []
    return total


# Every column of ``period_aggregates``, read as plain rows rather than entities: building 300
# units' entities cost more than the query, and the API and the page read each unit's columns
# dozens of times (a namespace's attribute is ~10x cheaper to read than a result row's).
_AGGREGATE_COLUMNS = [attr.class_attribute for attr in sa.inspect(PeriodAggregate).column_attrs]


def compare(scope: str, tenant_ids=None, visibility: str = "published") -> Comparison:
    """Every selected unit (default: all) side by side for ``scope``, with warning signs.

    Each unit's ``agg`` is a plain object with the column attributes of ``PeriodAggregate``
    (not an entity: nothing is loaded lazily, nothing written back)."""
    scope, kind = parse_scope(scope)
    tenants = _tenants(tenant_ids)
    stmt = sa.select(*_AGGREGATE_COLUMNS).where(
        PeriodAggregate.scope == scope, PeriodAggregate.visibility == visibility
    )
    if tenant_ids:
        stmt = stmt.where(PeriodAggregate.tenant_id.in_([t.id for t in tenants]))
    by_tenant = {a.tenant_id: SimpleNamespace(**a._mapping) for a in db.session.execute(stmt)}
    units = []
    for tenant in tenants:
        unit = UnitFigures(tenant, by_tenant.get(tenant.id))
        unit.flags = flags_for(unit)
        units.append(unit)
    province = UnitFigures(None, _sum_aggregates([u.agg for u in units if u.agg]))
    return Comparison(scope, kind, visibility, units, province)


def available_scopes(visibility: str) -> list[str]:
    """Scopes that have figures, newest first (years, quarters and months mixed)."""
    rows = db.session.execute(
        sa.select(PeriodAggregate.scope).where(PeriodAggregate.visibility == visibility).distinct()
    ).scalars()
    return sorted(rows, key=lambda s: (s[:4], s[5:] or "~"), reverse=True)


def trend(scope: str, tenant_ids, visibility: str, count: int = 6) -> tuple[list[str], dict, list]:
    """Mean total per unit over the ``count`` scopes ending with ``scope``, and the mean of all
    the selected units together: (scopes, {unit name: means}, overall means)."""
    scopes = previous_scopes(scope, count)
    tenants = _tenants(tenant_ids)
    stmt = sa.select(
        PeriodAggregate.tenant_id,
        PeriodAggregate.scope,
        PeriodAggregate.total_sum,
        PeriodAggregate.people,
    ).where(PeriodAggregate.scope.in_(scopes), PeriodAggregate.visibility == visibility)
    if tenant_ids:
        stmt = stmt.where(PeriodAggregate.tenant_id.in_([t.id for t in tenants]))
    values = {}
    sums = {s: [Decimal(0), 0] for s in scopes}
    for tid, s, total, people in db.session.execute(stmt).all():
        values[(tid, s)] = total / people if people else None
        sums[s][0] += total
        sums[s][1] += people
    series = {t.name: [values.get((t.id, s)) for s in scopes] for t in tenants}
    overall = [total / people if people else None for total, people in sums.values()]
    return scopes, series, overall


# --- shared items -------------------------------------------------------------------------


@dataclass
class ItemFigures:
    tenant: Tenant
    agg: ItemAggregate
    rank: int = 0

    def _ratio(self, credit) -> Decimal | None:
        return credit * 100 / self.agg.assigned_units if self.agg.assigned_units else None

    @property
    def a(self):
        return self._ratio(self.agg.a_credit)

    @property
    def b(self):
        return self._ratio(self.agg.b_credit)

    @property
    def c(self):
        return self._ratio(self.agg.c_credit)

    @property
    def is_indicator(self) -> bool:
        return self.agg.kind == "indicator"

    @property
    def value(self) -> Decimal | None:
        """An indicator's value (mean over the scope's periods with data), else None."""
        if not self.is_indicator or not self.agg.indicator_periods:
            return None
        return self.agg.indicator_value_sum / self.agg.indicator_periods

    @property
    def score(self) -> Decimal | None:
        """A work item's task score (mean of a, b and c, as the engine computes a person's); an
        indicator's score (0–100, mean over the scope's periods with data)."""
        if self.is_indicator:
            if not self.agg.indicator_periods:
                return None
            return self.agg.indicator_score_sum / self.agg.indicator_periods
        parts = (self.a, self.b, self.c)
        return None if None in parts else sum(parts) / 3


def shared_items(scope: str, tenant_ids, visibility: str) -> list[dict]:
    """Items by ``canonical_code`` present in the scope, with how many units report them."""
    scope, _kind = parse_scope(scope)
    stmt = (
        sa.select(
            ItemAggregate.canonical_code,
            sa.func.min(ItemAggregate.item_name),
            sa.func.count(ItemAggregate.tenant_id),
            sa.func.min(ItemAggregate.kind),
        )
        .where(ItemAggregate.scope == scope, ItemAggregate.visibility == visibility)
        .group_by(ItemAggregate.canonical_code)
        .order_by(ItemAggregate.canonical_code)
    )
    if tenant_ids:
        stmt = stmt.where(ItemAggregate.tenant_id.in_(list(tenant_ids)))
    return [
        {"code": code, "name": name, "units": n, "kind": kind}
        for code, name, n, kind in db.session.execute(stmt)
    ]


def item_comparison(scope: str, code: str, tenant_ids, visibility: str) -> list[ItemFigures]:
    """One shared item across units, ranked by its score (1 = best; ties share a rank)."""
    scope, _kind = parse_scope(scope)
    tenants = {t.id: t for t in _tenants(tenant_ids)}
    stmt = sa.select(ItemAggregate).where(
        ItemAggregate.scope == scope,
        ItemAggregate.visibility == visibility,
        ItemAggregate.canonical_code == code,
        ItemAggregate.tenant_id.in_(list(tenants)),
    )
    rows = [ItemFigures(tenants[a.tenant_id], a) for a in db.session.execute(stmt).scalars()]
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.tenant.name))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row.score is None:
            continue
        key = row.score.quantize(Decimal("0.01"))
        if key != previous:
            rank, previous = position, key
        row.rank = rank
    return rows


def item_trend(scope: str, code: str, tenant_ids, visibility: str, count: int = 6):
    """The item's score per unit over the ``count`` scopes ending with ``scope``."""
    scopes = previous_scopes(scope, count)
    tenants = {t.id: t for t in _tenants(tenant_ids)}
    stmt = sa.select(ItemAggregate).where(
        ItemAggregate.scope.in_(scopes),
        ItemAggregate.visibility == visibility,
        ItemAggregate.canonical_code == code,
        ItemAggregate.tenant_id.in_(list(tenants)),
    )
    values = {
        (a.tenant_id, a.scope): ItemFigures(tenants[a.tenant_id], a).score
        for a in db.session.execute(stmt).scalars()
    }
    return scopes, {t.name: [values.get((tid, s)) for s in scopes] for tid, t in tenants.items()}


@dataclass(frozen=True)
class SpreadEnd:
    """One end (best or worst unit) of an item's spread."""

    tenant: Tenant
    score: Decimal


def item_spread(scope: str, tenant_ids, visibility: str) -> list[dict]:
    """Shared items where the units differ most: score spread (best − worst), widest first.

    Reads only the columns it needs and computes each score once: with 300 units and dozens of
    shared items this is thousands of rows.
    """
    scope, _kind = parse_scope(scope)
    tenants = {t.id: t for t in _tenants(tenant_ids)}
    stmt = sa.select(
        ItemAggregate.tenant_id,
        ItemAggregate.canonical_code,
        ItemAggregate.item_name,
        ItemAggregate.assigned_units,
        ItemAggregate.a_credit + ItemAggregate.b_credit + ItemAggregate.c_credit,
    ).where(
        ItemAggregate.scope == scope,
        ItemAggregate.visibility == visibility,
        ItemAggregate.assigned_units > 0,
    )
    if tenant_ids:
        stmt = stmt.where(ItemAggregate.tenant_id.in_(list(tenants)))
    by_code: dict[str, list] = defaultdict(list)
    names: dict[str, str] = {}
    for tid, code, name, units, credits in db.session.execute(stmt):
        if tid in tenants:
            by_code[code].append((Decimal(credits) * 100 / (3 * Decimal(units)), tid))
            names.setdefault(code, name)
    out = []
    for code, rows in by_code.items():
        if len(rows) < 2:
            continue
        rows.sort(key=lambda r: (-r[0], tenants[r[1]].name))
        best, worst = rows[0], rows[-1]
        out.append(
            {
                "code": code,
                "name": names[code],
                "units": len(rows),
                "best": SpreadEnd(tenants[best[1]], best[0]),
                "worst": SpreadEnd(tenants[worst[1]], worst[0]),
                "spread": best[0] - worst[0],
            }
        )
    out.sort(key=lambda r: (-r["spread"], r["code"]))
    return out
