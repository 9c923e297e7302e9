"""Schemas of a unit's own rating (public service units): read by the unit, set by the province."""

from marshmallow import Schema, fields, validate

from tenant_app.schemas.common import JsonBoolean, UtcDateTime

GRADES = ("HTXS", "HTT", "HTNV", "KHTNV")
YEAR = validate.Range(min=2000, max=2100)
CODE = validate.Regexp(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$")


class UnitRatingArgsSchema(Schema):
    year = fields.Integer(required=True, validate=YEAR)


class UnitRatingSchema(Schema):
    """One rating: the authority's decision, or the proposal from the unit's indicators."""

    code = fields.String(dump_only=True, metadata={"description": "period code, or the year"})
    grade = fields.String(dump_only=True, metadata={"enum": list(GRADES)})
    score = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "exact score (decimal, or a fraction for a proposal)"},
    )
    source = fields.String(dump_only=True, metadata={"enum": ["indicators", "authority"]})
    decision_ref = fields.String(dump_only=True, allow_none=True)
    decision_date = fields.Date(dump_only=True, allow_none=True)
    decided_by = fields.String(dump_only=True, allow_none=True)
    reason = fields.String(dump_only=True, allow_none=True)
    note = fields.String(dump_only=True, allow_none=True)
    updated_at = UtcDateTime(dump_only=True, allow_none=True)


class UnitRatingPeriodSchema(Schema):
    code = fields.String(dump_only=True)
    label = fields.String(dump_only=True)
    period_id = fields.UUID(dump_only=True, allow_none=True)
    frozen = fields.Boolean(
        dump_only=True, metadata={"description": "locked or published: the rating is frozen"}
    )
    rating = fields.Nested(UnitRatingSchema, dump_only=True, allow_none=True)


class UnitRatingYearSchema(Schema):
    year = fields.Integer(dump_only=True)
    public_service_unit = fields.Boolean(dump_only=True)
    head_capped_by_unit = fields.Boolean(
        dump_only=True, metadata={"description": "the head is not rated above the unit"}
    )
    periods = fields.List(fields.Nested(UnitRatingPeriodSchema), dump_only=True)


class UnitRatingPutSchema(Schema):
    """The competent authority's rating of a unit for a period (``2026-11``, ``2026-Q4``) or a
    year (``2026``)."""

    grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    reason = fields.String(required=True, validate=validate.Length(min=10, max=1000))
    decision_ref = fields.String(required=True, validate=validate.Length(min=1, max=100))
    decision_date = fields.Date(load_default=None, allow_none=True)
    score = fields.Decimal(
        load_default=None,
        allow_none=True,
        as_string=True,
        places=None,
        validate=validate.Range(min=0, max=100),
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class UnitClassificationSchema(Schema):
    public_service_unit = JsonBoolean(required=True)
    head_capped_by_unit = JsonBoolean(load_default=True)
