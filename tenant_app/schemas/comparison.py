"""Schemas of the province comparison API: units side by side, warning signs, shared items.

Decimals are strings (percentages to 2 places, points and item scores to 4) so that no client
rounds them through a float; a value that cannot be computed (no one evaluated) is null.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, fields, validate

from tenant_app.services.comparison.comparison import SCOPE_PATTERN

PERIOD_MESSAGE = "Kỳ phải có dạng YYYY-MM (tháng), YYYY-Qn (quý) hoặc YYYY (năm), vd. 2026-10."


def _pct(**kwargs):
    return fields.Decimal(
        as_string=True, places=2, rounding=ROUND_HALF_UP, allow_none=True, dump_only=True, **kwargs
    )


def _points(**kwargs):
    return fields.Decimal(
        as_string=True, places=4, rounding=ROUND_HALF_UP, allow_none=True, dump_only=True, **kwargs
    )


class ComparisonArgsSchema(Schema):
    period = fields.String(
        load_default=None,
        validate=validate.Regexp(SCOPE_PATTERN, error=PERIOD_MESSAGE),
        metadata={"description": "2026-10, 2026-Q4 or 2026; default: the newest month"},
    )
    tenants = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        load_default=list,
        validate=validate.Length(max=1000, error="Chọn tối đa 1000 đơn vị."),
        metadata={"description": "unit ids or slugs (repeat the parameter); default: every unit"},
    )


class ItemArgsSchema(ComparisonArgsSchema):
    code = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=32, error="Mã chuẩn dài từ 1 đến 32 ký tự."),
        metadata={"description": "canonical item code; without it, the list of shared items"},
    )


class GradesSchema(Schema):
    HTXS = fields.Integer()
    HTT = fields.Integer()
    HTNV = fields.Integer()
    KHTNV = fields.Integer()


class ShareSchema(Schema):
    HTXS = _pct()
    HTT = _pct()
    HTNV = _pct()
    KHTNV = _pct()


class QuotaGroupSchema(Schema):
    group = fields.String()
    htxs = fields.Integer()
    htt = fields.Integer()
    allowed = fields.Integer()


class FlagSchema(Schema):
    code = fields.String(metadata={"description": "stable code of the warning sign"})
    title = fields.String()
    detail = fields.String(metadata={"description": "the sign in words, with its numbers"})
    numbers = fields.Method("_numbers", metadata={"type": "object"})

    def _numbers(self, flag) -> dict:
        return {key: _plain(value) for key, value in flag.numbers.items()}


def _plain(value):
    """A flag's number for JSON: decimals as strings (4 places), groups as lists of objects."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return (
            f"{value.quantize(Decimal('0.0001'), ROUND_HALF_UP):f}" if value.is_finite() else None
        )
    if isinstance(value, list):
        return [{k: _plain(v) for k, v in item.items()} if isinstance(item, dict) else item
                for item in value]  # fmt: skip
    return value


class FiguresSchema(Schema):
    """One unit's figures (or every selected unit added up)."""

    has_data = fields.Function(lambda u: u.agg is not None)
    periods = fields.Function(lambda u: list(u.agg.periods or []) if u.agg is not None else [])
    people = fields.Integer()
    grades = fields.Nested(GradesSchema)
    shares = fields.Nested(ShareSchema, metadata={"description": "percent of people"})
    mean = _points()
    stdev = _points(metadata={"description": "population standard deviation of totals"})
    min = fields.Function(
        lambda u: _plain(u.agg.total_min) if u.agg is not None else None,
        metadata={"type": "string", "nullable": True},
    )
    max = fields.Function(
        lambda u: _plain(u.agg.total_max) if u.agg is not None else None,
        metadata={"type": "string", "nullable": True},
    )
    htxs_of_htt = _pct()
    quota_allowed = fields.Function(lambda u: u.agg.quota_allowed if u.agg is not None else None)
    quota_use = fields.Method(
        "_quota_use",
        metadata={"type": "string", "nullable": True, "description": "HTXS as % of the quota"},
    )
    quota_exceeded = fields.Function(
        lambda u: u.agg is not None and u.agg.quota_htxs > u.agg.quota_allowed
    )
    quota_groups = fields.Function(
        lambda u: list(u.agg.quota_groups or []) if u.agg is not None else [],
        metadata={"type": "array", "items": {"type": "object"}},
    )
    reports = fields.Function(lambda u: u.agg.reports if u.agg is not None else 0)
    late_share = _pct()
    returned_share = _pct()
    self_gap = _points(metadata={"description": "mean of self score − manager score"})
    self_gap_abs = _points()
    self_equal_share = _pct()

    def _quota_use(self, unit):
        value = unit.quota_use
        if value is None or not value.is_finite():
            return None
        return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):f}"


class UnitFiguresSchema(FiguresSchema):
    tenant_id = fields.Integer(attribute="tenant.id")
    slug = fields.String(attribute="tenant.slug")
    name = fields.String(attribute="tenant.name")
    flags = fields.List(fields.Nested(FlagSchema))


class ComparisonSchema(Schema):
    period = fields.String(attribute="scope")
    kind = fields.String(metadata={"description": "month, quarter or year"})
    visibility = fields.String(metadata={"description": "published (or locked) only, or all"})
    units = fields.List(fields.Nested(UnitFiguresSchema))
    province = fields.Nested(FiguresSchema, metadata={"description": "selected units summed"})


class SharedItemSchema(Schema):
    code = fields.String()
    name = fields.String()
    units = fields.Integer(metadata={"description": "units reporting the item"})
    kind = fields.String(metadata={"description": "work_item or indicator"})


class ItemUnitSchema(Schema):
    tenant_id = fields.Integer(attribute="tenant.id")
    slug = fields.String(attribute="tenant.slug")
    name = fields.String(attribute="tenant.name")
    item_name = fields.String(attribute="agg.item_name")
    unit_of_measure = fields.String(attribute="agg.unit_of_measure")
    assignments = fields.Integer(attribute="agg.assignments")
    people = fields.Integer(attribute="agg.people")
    assigned_qty = _points(attribute="agg.assigned_qty")
    completed_qty = _points(attribute="agg.completed_qty")
    errors = fields.Integer(attribute="agg.errors")
    delays = fields.Integer(attribute="agg.delays")
    exempted = fields.Integer(attribute="agg.exempted")
    a = _points()
    b = _points()
    c = _points()
    score = _points(
        metadata={"description": "a work item: mean of a, b and c; an indicator: its score 0–100"}
    )
    kind = fields.String(attribute="agg.kind", metadata={"description": "work_item or indicator"})
    value = _points(metadata={"description": "an indicator's value (mean over the periods)"})
    target = _points(attribute="agg.indicator_target", metadata={"description": "its target"})
    rank = fields.Function(lambda r: r.rank or None, metadata={"type": "integer"})


class ItemComparisonSchema(Schema):
    period = fields.String()
    visibility = fields.String()
    code = fields.String(allow_none=True)
    items = fields.List(
        fields.Nested(SharedItemSchema), metadata={"description": "without code: shared items"}
    )
    units = fields.List(
        fields.Nested(ItemUnitSchema), metadata={"description": "with code: units by rank"}
    )
