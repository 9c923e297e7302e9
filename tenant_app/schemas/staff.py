"""Schemas of staff records (people evaluated in the unit)."""

from flask import g
from marshmallow import Schema, fields, validate

from tenant_app.models.staff import STAFF_TYPES
from tenant_app.schemas.org_units import CODE

RANK = [validate.Length(min=1, max=16), validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
SALARY = validate.Range(min=0, max=10**12)


class AssignmentSchema(Schema):
    org_unit_id = fields.UUID(dump_only=True)
    position_id = fields.UUID(dump_only=True)
    effective_from = fields.Date(dump_only=True)
    effective_to = fields.Date(
        dump_only=True, allow_none=True, metadata={"description": "exclusive; null while current"}
    )
    decision_ref = fields.String(dump_only=True, allow_none=True)


class StaffSchema(Schema):
    id = fields.UUID(dump_only=True)
    code = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    user_id = fields.UUID(dump_only=True, allow_none=True)
    staff_type = fields.String(dump_only=True)
    manager_id = fields.UUID(dump_only=True, allow_none=True)
    quota_group = fields.String(dump_only=True, allow_none=True)
    rank_code = fields.String(dump_only=True, allow_none=True)
    monthly_salary = fields.Method(
        "_salary",
        dump_only=True,
        allow_none=True,
        metadata={"description": "VND; shown to unit administrators only"},
    )
    start_date = fields.Date(dump_only=True)
    end_date = fields.Date(dump_only=True, allow_none=True)
    org_unit_id = fields.Function(
        lambda s: getattr(s, "post", None) and str(s.post.org_unit_id),
        dump_only=True,
        metadata={"description": "current unit"},
    )
    position_id = fields.Function(
        lambda s: getattr(s, "post", None) and str(s.post.position_id),
        dump_only=True,
        metadata={"description": "current job position"},
    )

    def _salary(self, person):
        # Salaries are for the unit administrator (income schemes), not for every manager.
        user = g.get("api_user")
        if person.monthly_salary is None or user is None or not user.has_role("unit_admin"):
            return None
        return f"{person.monthly_salary:f}"


class StaffDetailSchema(StaffSchema):
    history = fields.List(
        fields.Nested(AssignmentSchema),
        dump_only=True,
        metadata={"description": "units and positions held, oldest first"},
    )


class StaffCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    staff_type = fields.String(required=True, validate=validate.OneOf(STAFF_TYPES))
    start_date = fields.Date(required=True)
    org_unit_id = fields.UUID(required=True)
    position_id = fields.UUID(required=True)
    user_id = fields.UUID(allow_none=True)
    manager_id = fields.UUID(allow_none=True)
    quota_group = fields.String(allow_none=True, validate=validate.Length(max=64))
    rank_code = fields.String(allow_none=True, validate=RANK)
    monthly_salary = fields.Decimal(allow_none=True, validate=SALARY, places=0)
    end_date = fields.Date(allow_none=True)
    decision_ref = fields.String(allow_none=True, validate=validate.Length(max=100))


class StaffUpdateSchema(Schema):
    code = fields.String(validate=CODE)
    full_name = fields.String(validate=validate.Length(min=1, max=120))
    staff_type = fields.String(validate=validate.OneOf(STAFF_TYPES))
    start_date = fields.Date()
    org_unit_id = fields.UUID()
    position_id = fields.UUID()
    user_id = fields.UUID(allow_none=True)
    manager_id = fields.UUID(allow_none=True)
    quota_group = fields.String(allow_none=True, validate=validate.Length(max=64))
    rank_code = fields.String(allow_none=True, validate=RANK)
    monthly_salary = fields.Decimal(allow_none=True, validate=SALARY, places=0)
    end_date = fields.Date(allow_none=True)
    effective_from = fields.Date(
        metadata={"description": "date a new unit or position takes effect; default today"}
    )
    decision_ref = fields.String(
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"description": "decision behind a new unit or position"},
    )


class StaffListArgsSchema(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    org_unit_id = fields.UUID(
        load_default=None, metadata={"description": "people of this unit and its sub-units"}
    )
    position_id = fields.UUID(load_default=None)
    staff_type = fields.String(load_default=None, validate=validate.OneOf(STAFF_TYPES))
    quota_group = fields.String(load_default=None, validate=validate.Length(max=64))
    active = fields.Boolean(load_default=None, metadata={"description": "not yet left"})


class SalaryChangeSchema(Schema):
    id = fields.UUID(dump_only=True)
    effective_from = fields.Date(dump_only=True)
    monthly_salary = fields.Decimal(dump_only=True, as_string=True, metadata={"description": "VND"})
    decision_ref = fields.String(dump_only=True, allow_none=True)


class SalaryChangeCreateSchema(Schema):
    effective_from = fields.Date(
        required=True, metadata={"description": "in force from this day until the next change"}
    )
    monthly_salary = fields.Decimal(required=True, validate=SALARY, places=0)
    decision_ref = fields.String(allow_none=True, validate=validate.Length(max=100))


class ConcurrentPostSchema(Schema):
    id = fields.UUID(dump_only=True)
    position_id = fields.UUID(dump_only=True)
    org_unit_id = fields.UUID(dump_only=True, allow_none=True)
    effective_from = fields.Date(dump_only=True)
    effective_to = fields.Date(
        dump_only=True, allow_none=True, metadata={"description": "exclusive; null while held"}
    )
    monthly_salary = fields.Decimal(
        dump_only=True, as_string=True, allow_none=True, metadata={"description": "VND"}
    )
    decision_ref = fields.String(dump_only=True, allow_none=True)


class ConcurrentPostCreateSchema(Schema):
    position_id = fields.UUID(required=True)
    org_unit_id = fields.UUID(allow_none=True)
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(allow_none=True, metadata={"description": "exclusive"})
    monthly_salary = fields.Decimal(
        allow_none=True,
        validate=SALARY,
        places=0,
        metadata={"description": "VND; counted when the scheme takes the highest post"},
    )
    decision_ref = fields.String(allow_none=True, validate=validate.Length(max=100))
