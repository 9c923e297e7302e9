"""Schemas of the KPI catalogue: work items and indicators with their versioned values."""

from marshmallow import Schema, fields, post_load, validate

from tenant_app.models.catalogue import (
    AGGREGATIONS,
    DIRECTIONS,
    ITEM_KINDS,
    ORIGINS,
    SCORING_METHODS,
)
from tenant_app.schemas.common import JsonBoolean
from tenant_app.schemas.org_units import CODE

_NUM = {"as_string": True, "allow_none": True}


class BandSchema(Schema):
    from_ = fields.Decimal(required=True, data_key="from", as_string=True)
    score = fields.Decimal(required=True, as_string=True, validate=validate.Range(min=0, max=100))

    @post_load
    def _service_keys(self, data, **_kwargs):
        return {"from": data["from_"], "score": data["score"]}


class VersionSchema(Schema):
    effective_from = fields.Date(dump_only=True)
    coefficient = fields.Decimal(dump_only=True, **_NUM)
    target = fields.Decimal(dump_only=True, **_NUM)
    band_low = fields.Decimal(dump_only=True, **_NUM)
    band_high = fields.Decimal(dump_only=True, **_NUM)
    cap_percent = fields.Decimal(dump_only=True, **_NUM)
    weight = fields.Decimal(dump_only=True, **_NUM)
    bands = fields.Raw(dump_only=True, allow_none=True)


class CatalogueItemSchema(Schema):
    id = fields.UUID(dump_only=True)
    kind = fields.String(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    unit_of_measure = fields.String(dump_only=True)
    description = fields.String(dump_only=True, allow_none=True)
    evidence_requirement = fields.String(dump_only=True, allow_none=True)
    org_unit_id = fields.UUID(dump_only=True, allow_none=True)
    active = fields.Boolean(dump_only=True)
    canonical_code = fields.String(dump_only=True, allow_none=True)
    origin = fields.String(dump_only=True)
    mandatory = fields.Boolean(dump_only=True)
    direction = fields.String(dump_only=True, allow_none=True)
    scoring_method = fields.String(dump_only=True, allow_none=True)
    aggregation = fields.String(dump_only=True, allow_none=True)
    allowed_min = fields.Decimal(dump_only=True, **_NUM)
    allowed_max = fields.Decimal(dump_only=True, **_NUM)
    position_ids = fields.List(fields.UUID(), dump_only=True)
    version = fields.Nested(
        VersionSchema,
        dump_only=True,
        allow_none=True,
        metadata={"description": "values in force today (or on ?at=)"},
    )


class CatalogueItemDetailSchema(CatalogueItemSchema):
    versions = fields.List(fields.Nested(VersionSchema), dump_only=True)


class _ItemInput(Schema):
    code = fields.String(validate=CODE)
    name = fields.String(validate=validate.Length(min=1, max=200))
    unit_of_measure = fields.String(validate=validate.Length(min=1, max=50))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    evidence_requirement = fields.String(allow_none=True, validate=validate.Length(max=500))
    org_unit_id = fields.UUID(allow_none=True)
    direction = fields.String(allow_none=True, validate=validate.OneOf(DIRECTIONS))
    scoring_method = fields.String(allow_none=True, validate=validate.OneOf(SCORING_METHODS))
    aggregation = fields.String(allow_none=True, validate=validate.OneOf(AGGREGATIONS))
    position_ids = fields.List(fields.UUID(), validate=validate.Length(max=200))
    active = JsonBoolean()
    coefficient = fields.Decimal(
        allow_none=True, validate=validate.Range(min=0, min_inclusive=False, max=100)
    )
    target = fields.Decimal(allow_none=True, validate=validate.Range(min=0, max=10**9))
    band_low = fields.Decimal(allow_none=True, validate=validate.Range(max=10**9))
    band_high = fields.Decimal(allow_none=True, validate=validate.Range(max=10**9))
    cap_percent = fields.Decimal(
        allow_none=True, validate=validate.Range(min=0, min_inclusive=False, max=200)
    )
    weight = fields.Decimal(allow_none=True, validate=validate.Range(min=0, max=100))
    bands = fields.List(
        fields.Nested(BandSchema), allow_none=True, validate=validate.Length(min=1, max=20)
    )
    effective_from = fields.Date(
        metadata={"description": "date new values take effect; default today"}
    )


class CatalogueItemCreateSchema(_ItemInput):
    kind = fields.String(required=True, validate=validate.OneOf(ITEM_KINDS))
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit_of_measure = fields.String(required=True, validate=validate.Length(min=1, max=50))


class CatalogueItemUpdateSchema(_ItemInput):
    pass


class CatalogueItemListArgsSchema(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    kind = fields.String(load_default=None, validate=validate.OneOf(ITEM_KINDS))
    origin = fields.String(load_default=None, validate=validate.OneOf(ORIGINS))
    mandatory = fields.Boolean(load_default=None)
    active = fields.Boolean(load_default=None)
    position_id = fields.UUID(load_default=None)
    org_unit_id = fields.UUID(load_default=None)


class CatalogueItemReadArgsSchema(Schema):
    at = fields.Date(load_default=None, metadata={"description": "show the values in force then"})
