"""Indicators (chỉ số KPI) of a period: their values (fed, entered, imported) and exact scores.

An indicator of the catalogue that applies to job positions (``item_positions``) is a *position
indicator*: each holder has their own values (``indicator_values.staff_id``). One that applies to
no position is a *unit indicator*: every value of the period counts, whoever reported it. Scores
follow the catalogue version in force on the period's first day (``scoring.indicators``); a
unit's indicator score is their weighted mean (a weight of 0 shows the indicator for
information only).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext as _

from scoring.errors import ScoringInputError
from scoring.indicators import (
    IndicatorResult,
    IndicatorSpec,
    UnitIndicatorResult,
    score_indicator,
    unit_indicator_score,
)
from scoring.indicators import IndicatorValue as Observation
from scoring.numbers import exact_text, shown
from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem, CatalogueVersion, ItemPosition
from tenant_app.models.evaluation import Period
from tenant_app.models.feeds import IndicatorValue
from tenant_app.models.staff import StaffMember

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator of a board: the item, its version, its result (or the reason it has none)."""

    item: CatalogueItem
    version: CatalogueVersion | None
    result: IndicatorResult | None
    problem: str | None = None
    informational: bool = False

    @property
    def score(self) -> Fraction | None:
        return None if self.result is None else self.result.score

    @property
    def value(self) -> Fraction | None:
        return None if self.result is None else self.result.value

    @property
    def light(self) -> str:
        """green (≥ 90), amber (≥ 70), red, or none (no data), as the grade thresholds read."""
        score = self.score
        if score is None:
            return "none"
        return "green" if score >= 90 else "amber" if score >= 70 else "red"


def _versions(items: list[CatalogueItem], on) -> dict[uuid.UUID, CatalogueVersion]:
    if not items:
        return {}
    rows = db.session.execute(
        sa.select(CatalogueVersion)
        .where(
            CatalogueVersion.item_id.in_([i.id for i in items]),
            CatalogueVersion.effective_from <= on,
        )
        .order_by(CatalogueVersion.item_id, CatalogueVersion.effective_from)
    ).scalars()
    out: dict[uuid.UUID, CatalogueVersion] = {}
    for version in rows:
        out[version.item_id] = version  # the latest in force wins (ascending order)
    return out


def spec_for(item: CatalogueItem, version: CatalogueVersion | None) -> IndicatorSpec:
    """The engine's description of ``item`` as of ``version`` (raises ScoringInputError)."""
    if version is None:
        raise ScoringInputError("version", _("Chỉ số chưa có giá trị áp dụng cho kỳ này."))
    cap = version.cap_percent
    weight = version.weight
    return IndicatorSpec(
        code=item.code,
        name=item.name,
        direction=item.direction,
        method=item.scoring_method,
        aggregation=item.aggregation,
        target=version.target,
        band_low=version.band_low,
        band_high=version.band_high,
        # The score is 0–100: a cap written above 100 caps nothing more than 100 does.
        cap_percent=None if cap is None else min(cap, HUNDRED),
        weight=None if weight is None or weight == 0 else weight,
        bands=tuple(
            (Decimal(str(b["from"])), Decimal(str(b["score"]))) for b in (version.bands or [])
        ),
    )


def indicator_items(*, positioned: bool | None = None) -> list[CatalogueItem]:
    """Active indicators of the catalogue; ``positioned`` True/False keeps position/unit ones."""
    stmt = sa.select(CatalogueItem).where(
        CatalogueItem.kind == "indicator", CatalogueItem.active.is_(True)
    )
    linked = sa.select(ItemPosition.item_id)
    if positioned is True:
        stmt = stmt.where(CatalogueItem.id.in_(linked))
    elif positioned is False:
        stmt = stmt.where(CatalogueItem.id.not_in(linked))
    return list(db.session.execute(stmt.order_by(CatalogueItem.code)).scalars())


def _observations(period: Period, item_ids, staff_id=None, *, unit: bool) -> dict:
    stmt = sa.select(
        IndicatorValue.item_id, IndicatorValue.value, IndicatorValue.observed_at
    ).where(IndicatorValue.period_id == period.id, IndicatorValue.item_id.in_(list(item_ids)))
    if not unit:
        stmt = stmt.where(IndicatorValue.staff_id == staff_id)
    out: dict[uuid.UUID, list[Observation]] = {}
    for item_id, value, at in db.session.execute(stmt.order_by(IndicatorValue.observed_at)):
        out.setdefault(item_id, []).append(Observation(value, at))
    return out


def _lines(period: Period, items, observations, versions=None) -> list[IndicatorLine]:
    if versions is None:
        versions = _versions(items, period.starts_on)
    lines = []
    for item in items:
        version = versions.get(item.id)
        try:
            spec = spec_for(item, version)
            result = score_indicator(spec, observations.get(item.id, []))
        except ScoringInputError as error:
            lines.append(IndicatorLine(item, version, None, problem=error.message))
            continue
        informational = version is not None and version.weight == 0
        lines.append(IndicatorLine(item, version, result, informational=informational))
    return lines


def _mean(lines: list[IndicatorLine]) -> UnitIndicatorResult:
    return unit_indicator_score(
        [line.result for line in lines if line.result is not None and not line.informational]
    )


def unit_board(period: Period) -> tuple[list[IndicatorLine], UnitIndicatorResult]:
    """The unit's indicators in ``period`` and their weighted mean."""
    items = indicator_items(positioned=False)
    lines = _lines(period, items, _observations(period, [i.id for i in items], unit=True))
    return lines, _mean(lines)


def unit_score(period: Period) -> Fraction | None:
    """The unit's indicator score in ``period`` (None when no indicator has data)."""
    return unit_board(period)[1].score


def person_indicators(
    period: Period, person: StaffMember, position_id
) -> tuple[list[IndicatorLine], UnitIndicatorResult]:
    """The indicators of ``person``'s position in ``period``, from their own values."""
    if position_id is None:
        return [], unit_indicator_score([])
    items = list(
        db.session.execute(
            sa.select(CatalogueItem)
            .join(
                ItemPosition,
                sa.and_(
                    ItemPosition.tenant_id == CatalogueItem.tenant_id,
                    ItemPosition.item_id == CatalogueItem.id,
                ),
            )  # fmt: skip
            .where(
                CatalogueItem.kind == "indicator",
                CatalogueItem.active.is_(True),
                ItemPosition.position_id == position_id,
            )
            .order_by(CatalogueItem.code)
        ).scalars()
    )
    observations = _observations(period, [i.id for i in items], person.id, unit=False)
    lines = _lines(period, items, observations)
    return lines, _mean(lines)


def trend(item: CatalogueItem, periods: list[Period]) -> list[Fraction | None]:
    """The unit indicator's score in each of ``periods`` (None where it has no data)."""
    out = []
    for period in periods:
        lines = _lines(period, [item], _observations(period, [item.id], unit=True))
        out.append(lines[0].score)
    return out


def person_score(period: Period, staff_id) -> tuple[Fraction | None, list]:
    """The weighted score of a person's position indicators in ``period`` and its lines."""
    from tenant_app.services.workspace import staff as staff_service

    person = db.session.get(StaffMember, (period.tenant_id, staff_id))
    post = staff_service.assignment_at(staff_id, period.ends_on)
    lines, mean = person_indicators(period, person, None if post is None else post.position_id)
    return mean.score, snapshot_lines(lines)


def people_scores(period: Period, staff_ids) -> dict[uuid.UUID, tuple[Fraction | None, list]]:
    """``person_score`` of each of ``staff_ids`` in five queries, whatever their number."""
    from tenant_app.services.workspace import staff as staff_service

    staff_ids = list(staff_ids)
    posts = staff_service.assignments_at(staff_ids, period.ends_on)
    items = indicator_items(positioned=True)
    holders: dict = {}
    if items:
        links = db.session.execute(
            sa.select(ItemPosition.position_id, ItemPosition.item_id).where(
                ItemPosition.item_id.in_([i.id for i in items])
            )
        )
        for position_id, item_id in links:
            holders.setdefault(position_id, set()).add(item_id)
    versions = _versions(items, period.starts_on)
    observed: dict = {}
    if items and staff_ids:
        stmt = sa.select(
            IndicatorValue.staff_id,
            IndicatorValue.item_id,
            IndicatorValue.value,
            IndicatorValue.observed_at,
        ).where(
            IndicatorValue.period_id == period.id,
            IndicatorValue.item_id.in_([i.id for i in items]),
            IndicatorValue.staff_id.in_(staff_ids),
        )
        for staff_id, item_id, value, at in db.session.execute(
            stmt.order_by(IndicatorValue.observed_at)
        ):
            observed.setdefault(staff_id, {}).setdefault(item_id, []).append(Observation(value, at))
    out = {}
    for staff_id in staff_ids:
        post = posts.get(staff_id)
        mine = holders.get(None if post is None else post.position_id, set())
        own = [i for i in items if i.id in mine]  # by code, as ``person_indicators`` orders
        lines = _lines(period, own, observed.get(staff_id, {}), versions) if own else []
        out[staff_id] = (_mean(lines).score, snapshot_lines(lines))
    return out


def _exact(value) -> str | None:
    if value is None:
        return None
    return exact_text(value) if isinstance(value, Fraction) else str(value)


def snapshot_lines(lines: list[IndicatorLine]) -> list[list]:
    """The lines as kept in a score's inputs: [code, name, value, target, score, weight, note]."""
    out = []
    for line in lines:
        version = line.version
        note = line.problem or ("info" if line.informational else None)
        out.append(
            [
                line.item.code,
                line.item.name,
                _exact(line.value),
                None if version is None or version.target is None else str(version.target),
                _exact(line.score),
                None if version is None or version.weight is None else str(version.weight),
                note,
            ]
        )
    return out


def explanation_steps(snapshot: dict) -> list[dict]:
    """Explanation lines naming every indicator that entered the score: value, target, score."""
    steps = []
    for key, label in (
        ("organising_indicators", _("Năng lực tổ chức thực hiện: chỉ số KPI của đơn vị")),
        ("position_indicators", _("Chỉ số KPI của vị trí việc làm")),
    ):
        for code, name, value, target, score, weight, note in snapshot.get(key) or []:
            shown_value = "—" if value is None else shown(Fraction(value), 2)
            shown_score = "—" if score is None else shown(Fraction(score), 2)
            formula = _(
                "%(name)s: giá trị %(v)s, chỉ tiêu %(t)s → %(s)s điểm (trọng số %(w)s)",
                name=name,
                v=shown_value,
                t="—" if target is None else shown(Decimal(target), 2),
                s=shown_score,
                w=weight or "1",
            )
            if note == "info":
                formula += " · " + _("chỉ để theo dõi")
            elif note:
                formula += " · " + note
            elif value is None:
                formula += " · " + _("chưa có số liệu: không tính")
            steps.append(
                {
                    "code": f"{key}:{code}",
                    "label": str(label),
                    "inputs": {"value": value, "target": target, "weight": weight},
                    "formula": formula,
                    "result": score or "",
                }
            )
    return steps
