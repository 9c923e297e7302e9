"""Schemas of the annual classification and income-run API."""

from flask_babel import gettext
from marshmallow import Schema, fields, validate

from tenant_app.schemas.common import UtcDateTime

GRADES = ("HTXS", "HTT", "HTNV", "KHTNV")
YEAR = validate.Range(min=2000, max=2100)


DETAIL_NOTE = "present only for the person, whoever directs them and the unit administrator"


class PublicClassificationSchema(Schema):
    """A colleague's row of a published year: name, final grade and status only."""

    id = fields.UUID(dump_only=True)
    year = fields.Integer(dump_only=True)
    staff_id = fields.UUID(dump_only=True)
    full_name = fields.Function(lambda r: getattr(r, "full_name", None), dump_only=True)
    final_grade = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    detail = fields.Constant(
        False,
        dump_only=True,
        metadata={"enum": [False], "description": f"false: no detail ({DETAIL_NOTE})"},
    )


class ClassificationSchema(PublicClassificationSchema):
    """A classification in full: average, proposed grade, forced fail, decision, explanation."""

    detail = fields.Constant(
        True,
        dump_only=True,
        metadata={"enum": [True], "description": f"true: the row in full ({DETAIL_NOTE})"},
    )
    average = fields.Decimal(as_string=True, dump_only=True)
    periods_counted = fields.Integer(dump_only=True)
    proposed_grade = fields.String(dump_only=True)
    forced_fail = fields.String(dump_only=True, allow_none=True)
    decision_reason = fields.String(dump_only=True, allow_none=True)
    decided_by = fields.UUID(dump_only=True, allow_none=True)
    decided_by_province = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "the competent higher level's account, for the unit's head"},
    )
    decided_at = UtcDateTime(dump_only=True, allow_none=True)
    explanation = fields.List(fields.Dict(), dump_only=True)


class NotClassifiedSchema(Schema):
    """A person the rule set does not classify for the year ("Không xếp loại"), with why."""

    year = fields.Integer(dump_only=True)
    staff_id = fields.UUID(dump_only=True)
    full_name = fields.Function(lambda r: getattr(r, "full_name", None), dump_only=True)
    grade = fields.Constant(
        None, dump_only=True, metadata={"nullable": True, "description": "never a grade"}
    )
    grade_label = fields.Function(lambda _r: gettext("Không xếp loại"), dump_only=True)
    reason = fields.String(
        dump_only=True,
        metadata={"enum": ["under_min_months", "no_period_worked"]},
    )
    reason_label = fields.Function(lambda r: getattr(r, "reason_label", None), dump_only=True)
    explanation = fields.List(fields.Dict(), dump_only=True)


class YearArgsSchema(Schema):
    year = fields.Integer(required=True, validate=YEAR)


class YearSchema(Schema):
    year = fields.Integer(required=True, validate=YEAR)


class DecisionSchema(Schema):
    final_grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    reason = fields.String(required=True, validate=validate.Length(min=10, max=1000))


class QuotaCheckSchema(Schema):
    scope = fields.String(dump_only=True)
    agency = fields.String(dump_only=True)
    group = fields.String(dump_only=True, allow_none=True)
    htxs_count = fields.Integer(dump_only=True)
    htt_count = fields.Integer(dump_only=True)
    ratio = fields.Decimal(as_string=True, dump_only=True)
    allowed = fields.Integer(dump_only=True)
    must_lower = fields.Integer(dump_only=True)
    allowed_after = fields.Integer(dump_only=True)
    htxs_person_ids = fields.List(fields.String(), dump_only=True)


class QuotaSchema(Schema):
    year = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True, allow_none=True)
    checks = fields.List(fields.Nested(QuotaCheckSchema), dump_only=True)
    violations = fields.List(fields.Nested(QuotaCheckSchema), dump_only=True)


class IncomeLineSchema(Schema):
    staff_id = fields.UUID(dump_only=True)
    code = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    grade = fields.String(dump_only=True)
    salary = fields.Decimal(as_string=True, dump_only=True, allow_none=True)
    amount = fields.Decimal(as_string=True, dump_only=True)
    explanation = fields.List(fields.Dict(), dump_only=True)
    months = fields.List(
        fields.Dict(),
        dump_only=True,
        metadata={
            "description": "each month's determination: month, grade, salary, amount (exact), "
            "missing_salary"
        },
    )
    missing_salary_months = fields.List(
        fields.String(),
        dump_only=True,
        metadata={
            "description": "months not paid because no salary was on record (never the floor)"
        },
    )


class IncomeRunSchema(Schema):
    id = fields.UUID(dump_only=True)
    period_id = fields.UUID(dump_only=True)
    scheme = fields.String(dump_only=True)
    settings = fields.Dict(dump_only=True)
    total = fields.Decimal(as_string=True, dump_only=True)
    status = fields.String(dump_only=True)
    created_by = fields.UUID(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)


class IncomeRunDetailSchema(IncomeRunSchema):
    lines = fields.List(fields.Nested(IncomeLineSchema), dump_only=True)


class IncomeRunCreateSchema(Schema):
    period_id = fields.UUID(required=True)
    scheme = fields.String(
        load_default=None,
        validate=validate.OneOf(("coefficient_salary", "fund_split")),
        metadata={"description": "default: the unit's setting income_scheme"},
    )
    settings = fields.Dict(
        load_default=None,
        allow_none=True,
        metadata={"description": 'scheme settings, e.g. {"fund": 12000000} for fund_split'},
    )
