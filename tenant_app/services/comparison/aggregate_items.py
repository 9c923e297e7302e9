"""Per shared item figures of one unit (``ItemAggregate``): work done and engine credits, and
the unit's indicators.

Items are matched across units by ``canonical_code``. The credits for a, b and c come from the
scoring engine itself, run on the item's assignments of each period, so an item's a, b, c are
what the engine would compute. A unit indicator with a canonical code is a row of kind
``indicator``: its value and score in each period with data (``scoring.indicators``), summed over
the scope's periods so a quarter or a year shows their mean.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from scoring import PeriodInput, ScoringInputError, WorkItem, score_period
from scoring.numbers import MAX_ITEMS, MAX_PLACES, round_fraction
from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.comparison import ItemAggregate
from tenant_app.models.evaluation import Assignment, Period, Report
from tenant_app.models.vocabulary import COUNTED_REPORT_STATUSES
from tenant_app.services.evaluation import indicators
from tenant_app.services.evaluation.period_params import params_of

HUNDRED = Decimal(100)


SUMMED = (
    "assignments", "assigned_qty", "completed_qty", "assigned_units",
    "a_credit", "b_credit", "c_credit", "errors", "delays", "exempted", "indicator_periods",
)  # fmt: skip
INDICATOR_SUMS = ("indicator_value_sum", "indicator_score_sum")


def build(base: dict, periods: list[Period]) -> list[ItemAggregate]:
    """One row per shared work item of ``periods``: quantities and the engine's credits.

    A single period runs the engine on its assignments; several periods (a quarter, a year)
    add up each period's own rows, already built when that period last changed, so a change in
    November does not re-run the engine over the whole year.
    """
    if len(periods) == 1:
        return _build_one(base, periods[0])
    out: dict[str, ItemAggregate] = {}
    for period in periods:
        for part in _period_rows(period):
            agg = out.get(part.canonical_code)
            if agg is None:
                agg = out[part.canonical_code] = ItemAggregate.blank(
                    **base,
                    canonical_code=part.canonical_code,
                    item_name=part.item_name,
                    unit_of_measure=part.unit_of_measure,
                    kind=part.kind or "work_item",
                )
            for name in SUMMED:
                setattr(agg, name, (getattr(agg, name) or 0) + (getattr(part, name) or 0))
            for name in INDICATOR_SUMS:
                if getattr(part, name) is not None:
                    setattr(agg, name, (getattr(agg, name) or Decimal(0)) + getattr(part, name))
            if part.indicator_target is not None:
                agg.indicator_target = part.indicator_target
    for code, people in _people_by_code(periods).items():
        if code in out:
            out[code].people = people
    return list(out.values())


def _period_rows(period: Period) -> list[ItemAggregate]:
    """The period's own item rows (its ``all`` version), built now if they never were."""
    from tenant_app.models.comparison import PeriodAggregate

    built = db.session.execute(
        sa.select(PeriodAggregate.id).where(
            PeriodAggregate.scope == period.code, PeriodAggregate.visibility == "all"
        )
    ).first()
    if built is None:
        base = {"scope": period.code, "scope_kind": period.kind, "visibility": "all"}
        return _build_one(base, period)
    return list(
        db.session.execute(
            sa.select(ItemAggregate).where(
                ItemAggregate.scope == period.code, ItemAggregate.visibility == "all"
            )
        ).scalars()
    )


def _shared_work():
    return tenant_join(
        CatalogueItem.id,
        Assignment.item_id,
        CatalogueItem.canonical_code.is_not(None),
        CatalogueItem.kind == "work_item",
    )


def _people_by_code(periods: list[Period]) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(CatalogueItem.canonical_code, sa.func.count(sa.distinct(Assignment.staff_id)))
            .join(CatalogueItem, _shared_work())
            .where(Assignment.period_id.in_([p.id for p in periods]))
            .group_by(CatalogueItem.canonical_code)
        ).all()
    )


def _build_one(base: dict, period: Period) -> list[ItemAggregate]:
    rows = db.session.execute(
        sa.select(
            CatalogueItem.canonical_code,
            CatalogueItem.name,
            CatalogueItem.unit_of_measure,
            Assignment.staff_id,
            Assignment.quantity,
            Assignment.coefficient,
            Report.status,
            Report.completed,
            Report.major_errors,
            Report.delays,
            Report.exempt_errors,
            Report.exempt_delays,
        )
        .join(CatalogueItem, _shared_work())
        .outerjoin(Report, tenant_join(Report.assignment_id, Assignment.id))
        .where(Assignment.period_id == period.id)
    ).all()
    works: dict[str, list[WorkItem]] = defaultdict(list)
    out: dict[str, ItemAggregate] = {}
    people: dict[str, set] = defaultdict(set)
    for code, name, unit, staff_id, quantity, coefficient, status, *done in rows:
        agg = out.get(code)
        if agg is None:
            agg = out[code] = ItemAggregate.blank(
                **base, canonical_code=code, item_name=name, unit_of_measure=unit or ""
            )
        completed, errors, delays, exempt_errors, exempt_delays = (
            done if status in COUNTED_REPORT_STATUSES else (Decimal(0), 0, 0, 0, 0)
        )
        works[code].append(
            WorkItem(
                code=str(len(works[code])),
                assigned=quantity,
                coefficient=coefficient,
                completed=completed,
                major_errors=errors,
                delays=delays,
                exempt_errors=exempt_errors,
                exempt_delays=exempt_delays,
            )
        )
        people[code].add(staff_id)
        agg.assignments += 1
        agg.assigned_qty += quantity
        agg.completed_qty += completed
        agg.errors += errors
        agg.delays += delays
        agg.exempted += exempt_errors + exempt_delays
    for code, agg in out.items():
        agg.people = len(people[code])
        _credit(agg, period, works[code])
    return list(out.values()) + _indicator_rows(base, period, set(out))


def _indicator_rows(base: dict, period: Period, taken: set[str]) -> list[ItemAggregate]:
    """The unit's indicators with a canonical code and data in ``period``."""
    lines, _mean = indicators.unit_board(period)
    rows = []
    for line in lines:
        code = line.item.canonical_code
        if code is None or code in taken or line.score is None:
            continue
        rows.append(
            ItemAggregate.blank(
                **base,
                canonical_code=code,
                item_name=line.item.name,
                unit_of_measure=line.item.unit_of_measure or "",
                kind="indicator",
                indicator_periods=1,
                indicator_value_sum=round_fraction(line.value, MAX_PLACES),
                indicator_score_sum=round_fraction(line.score, MAX_PLACES),
                indicator_target=None if line.version is None else line.version.target,
            )
        )
    return rows


def _credit(agg: ItemAggregate, period: Period, works: list[WorkItem]) -> None:
    """Add the engine's a, b, c credits of ``works`` (scored together) to ``agg``."""
    params = params_of(period)
    general = tuple(0 for _c in params.general_criteria)

    def scored(batch):
        return score_period(
            PeriodInput(items=tuple(batch), general=general), params, period.rule_set
        )

    results = []
    # Credits are sums over items, so batches of at most MAX_ITEMS add up to the whole exactly.
    for start in range(0, len(works), MAX_ITEMS):
        chunk = works[start : start + MAX_ITEMS]
        try:
            results.append((chunk, scored(chunk)))
        except ScoringInputError:  # score one by one and leave the invalid ones out
            for work in chunk:
                try:
                    results.append(([work], scored([work])))
                except ScoringInputError:
                    continue
    for batch, result in results:
        units = sum((w.assigned * w.coefficient for w in batch), Decimal(0))
        agg.assigned_units += units
        agg.a_credit += _credit_units(result.a, units)
        agg.b_credit += _credit_units(result.b, units)
        agg.c_credit += _credit_units(result.c, units)


def _credit_units(percent: Fraction, units: Decimal) -> Decimal:
    """percent × units / 100: the credited units, exact to the stored 6 places."""
    return round_fraction(percent * Fraction(units) / 100, MAX_PLACES, "ROUND_HALF_EVEN")
