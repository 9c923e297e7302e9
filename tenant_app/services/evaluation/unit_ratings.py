"""A public service unit's own rating (xếp loại đơn vị) and the cap it puts on its head's grade.

Whether the unit is a public service unit (đơn vị sự nghiệp công lập) is the tenant setting
``public_service_unit`` (set by the province); whether its head's grade is capped by the unit's
rating is ``head_capped_by_unit`` (default: yes for a public service unit; a unit that is not
one is never capped). The 2026 decree on public employees, art. 12(7): the head of a public
service unit is not rated above the unit.

The rating of a period is the one the competent authority entered (``UnitRating`` with source
"authority", written through ``tenancy.door.unit_rating_write``), else the one proposed from the
unit's KPI indicators (their weighted mean graded on the period's thresholds). The rating of a
year is the authority's only. Reads only; ``unit_rating_writes`` holds the write.
"""

from __future__ import annotations

from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scoring import Grade, grade_for_total
from scoring.grading import cap_grade
from scoring.numbers import exact_text, shown
from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.models.unit_rating import UnitRating
from tenant_app.services.evaluation import indicators
from tenant_app.services.evaluation.period_params import params_of
from tenant_app.tenancy.context import get_current_tenant

PUBLIC_SERVICE_UNIT = "public_service_unit"
HEAD_CAPPED_BY_UNIT = "head_capped_by_unit"
SNAPSHOT_KEY = "unit_cap"


def is_public_service_unit(tenant=None) -> bool:
    """Whether the unit (default: the one in context) is a public service unit."""
    tenant = tenant if tenant is not None else get_current_tenant()
    return bool((tenant.settings or {}).get(PUBLIC_SERVICE_UNIT))


def head_capped(tenant=None, period: Period | None = None) -> bool:
    """Whether the unit's head is not rated above the unit: never for a unit that is not a
    public service unit, nor when the unit's setting ``head_capped_by_unit`` is false, nor
    when the ``head_capped_by_unit`` parameter frozen in ``period``'s rule-set parameters is
    false (both default to true: the rule applies unless one of them turns it off)."""
    tenant = tenant if tenant is not None else get_current_tenant()
    settings = tenant.settings or {}
    if not settings.get(PUBLIC_SERVICE_UNIT) or settings.get(HEAD_CAPPED_BY_UNIT) is False:
        return False
    if period is not None:
        frozen = getattr(params_of(period), HEAD_CAPPED_BY_UNIT, None)
        if frozen is not None:
            return bool(frozen)
    return True


def stored(code: str) -> UnitRating | None:
    """The stored rating of period ``code`` ("2026-11") or year ("2026"), if any."""
    return db.session.execute(
        sa.select(UnitRating).where(UnitRating.period_code == code)
    ).scalar_one_or_none()


def of_year(year: int) -> list[UnitRating]:
    """Every stored rating of ``year`` (its periods and the year), by code."""
    return list(
        db.session.execute(
            sa.select(UnitRating).where(UnitRating.year == year).order_by(UnitRating.period_code)
        ).scalars()
    )


def proposal(period: Period, score: Fraction | None = ...) -> dict | None:
    """The rating proposed from the unit's indicators in ``period`` (None when none has data).

    ``score`` is the unit's indicator score when the caller has it already.
    """
    if score is ...:
        score = indicators.unit_score(period)
    if score is None:
        return None
    grade = grade_for_total(score, params_of(period))
    return {
        "code": period.code,
        "grade": grade.value,
        "score": exact_text(score),
        "source": "indicators",
        "decision_ref": None,
        "decided_by": None,
    }


def as_dict(row: UnitRating) -> dict:
    return {
        "code": row.period_code,
        "grade": row.grade,
        "score": None if row.score is None else str(row.score),
        "source": row.source,
        "decision_ref": row.decision_ref,
        "decided_by": row.decided_by,
        "decision_date": row.decision_date,
        "reason": row.reason,
        "note": row.note,
        "updated_at": row.updated_at,
    }


def year_view(year: int) -> dict:
    """The unit's ratings of ``year`` as the unit and the province read them: for each period
    of the year its rating (the authority's, else the indicators' proposal, else none) and the
    year's own; with the unit's classification settings."""
    tenant = get_current_tenant()
    settings = tenant.settings or {}
    rows = {row.period_code: row for row in of_year(year)}
    entries = []
    for period in db.session.execute(
        sa.select(Period).where(Period.year == year).order_by(Period.starts_on)
    ).scalars():
        row = rows.get(period.code)
        found = as_dict(row) if row is not None else proposal(period)
        entries.append(
            {
                "code": period.code,
                "label": str(period.label),
                "period_id": period.id,
                "frozen": period.status == "locked" or period.published_at is not None,
                "rating": found,
            }
        )
    row = rows.get(str(year))
    entries.append(
        {
            "code": str(year),
            "label": _("Năm %(y)d", y=year),
            "period_id": None,
            "frozen": False,
            "rating": None if row is None else as_dict(row),
        }
    )
    return {
        "year": year,
        PUBLIC_SERVICE_UNIT: bool(settings.get(PUBLIC_SERVICE_UNIT)),
        HEAD_CAPPED_BY_UNIT: head_capped(tenant),
        "periods": entries,
    }


def rating_of_period(period: Period, score: Fraction | None = ...) -> dict | None:
    """The unit's rating of ``period``: the authority's (stored) or the indicators' proposal."""
    row = stored(period.code)
    if row is not None:
        return as_dict(row)
    return proposal(period, score)


def rating_of_year(year: int) -> dict | None:
    row = stored(str(year))
    return None if row is None else as_dict(row)


def cap_for_period(period: Period, score: Fraction | None = ...) -> dict | None:
    """What the head's score of ``period`` records about the cap: None when the rule does not
    apply to the unit; else the rating (``grade`` None when the unit has none)."""
    if not head_capped(period=period):
        return None
    return _cap(rating_of_period(period, score))


def cap_for_year(year: int) -> dict | None:
    """As ``cap_for_period`` for the annual classification of ``year``."""
    if not head_capped():
        return None
    return _cap(rating_of_year(year))


def _cap(rating: dict | None) -> dict:
    if rating is None:
        return {"grade": None, "source": None, "decision_ref": None}
    return {k: rating[k] for k in ("grade", "source", "decision_ref")}


def capped(grade: Grade | str, cap: dict | None) -> Grade:
    """``grade`` under the recorded cap (unchanged when there is none)."""
    return cap_grade(grade, None if not cap else cap.get("grade"))


SOURCE_LABELS = {
    "indicators": _l("Đề xuất từ chỉ số KPI của đơn vị"),
    "authority": _l("Cấp có thẩm quyền quyết định"),
}


def explanation_step(cap: dict | None, before: Grade | str | None) -> dict | None:
    """The explanation line of the cap recorded with a head's score (None: no rule applied)."""
    if cap is None or before is None:
        return None
    before = Grade.parse(before, "grade")
    label = _("Xếp loại của người đứng đầu không cao hơn xếp loại của đơn vị")
    if not cap.get("grade"):
        formula = _("chưa có xếp loại đơn vị: không giới hạn, giữ %(g)s", g=before.value)
        result = before.value
    else:
        after = cap_grade(before, cap["grade"])
        source = (
            _("cấp có thẩm quyền quyết định")
            if cap.get("source") == "authority"
            else _("đề xuất từ chỉ số KPI của đơn vị")
        )
        if cap.get("decision_ref"):
            source += ", " + cap["decision_ref"]
        if after != before:
            formula = _(
                "đơn vị xếp loại %(u)s (%(s)s): %(b)s hạ xuống %(a)s",
                u=cap["grade"],
                s=source,
                b=before.value,
                a=after.value,
            )
        else:
            formula = _(
                "đơn vị xếp loại %(u)s (%(s)s): %(b)s không cao hơn, giữ nguyên",
                u=cap["grade"],
                s=source,
                b=before.value,
            )
        result = after.value
    return {
        "code": "unit_cap",
        "label": label,
        "inputs": {"grade_before": before.value, "unit_grade": cap.get("grade")},
        "formula": formula,
        "result": result,
    }


def score_text(value) -> str:
    """An indicator score for display (2 decimals, decimal comma)."""
    return "—" if value is None else shown(Fraction(str(value)), 2)


def shown_beside(period: Period | None) -> dict | None:
    """The unit's rating of ``period`` as its pages show it beside its people's results: None
    for a unit that is not a public service unit and has no rating on record."""
    if period is None:
        return None
    rating = rating_of_period(period)
    if rating is None and not is_public_service_unit():
        return None
    return {
        "rating": rating,
        "source": None if rating is None else SOURCE_LABELS[rating["source"]],
        "score": None if rating is None or rating["score"] is None else score_text(rating["score"]),
        "head_capped": head_capped(period=period),
    }
