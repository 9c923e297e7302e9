"""Schemas of the evaluation API: periods, assignments, reports, reviews, assessments, scores."""

from marshmallow import Schema, fields, validate

from tenant_app.models.calendar import WINDOWS
from tenant_app.models.evaluation import ASSESSMENT_STAGES, PERIOD_STATUSES, REPORT_STATUSES
from tenant_app.schemas.common import JsonBoolean, UtcDateTime

MONEY = fields.Decimal(as_string=True, dump_only=True)
POINTS = fields.Decimal(as_string=True, dump_only=True)
COUNT = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000))
PERIOD_CODE = validate.Regexp(r"^\d{4}-(\d{2}|Q[1-4])$")


# --- periods


class PeriodSchema(Schema):
    id = fields.UUID(dump_only=True)
    code = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    year = fields.Integer(dump_only=True)
    number = fields.Integer(dump_only=True)
    label = fields.Function(lambda p: str(p.label), dump_only=True)
    status = fields.String(dump_only=True)
    starts_on = fields.Date(dump_only=True)
    ends_on = fields.Date(dump_only=True)
    report_until = fields.Date(dump_only=True)
    self_assessment_until = fields.Date(dump_only=True)
    review_until = fields.Date(dump_only=True)
    approval_until = fields.Date(dump_only=True)
    rule_set = fields.String(dump_only=True)
    params = fields.Dict(dump_only=True)
    published_at = UtcDateTime(dump_only=True, allow_none=True)


class PeriodListArgsSchema(Schema):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    status = fields.String(load_default=None, validate=validate.OneOf(PERIOD_STATUSES))


class PeriodOpenSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    number = fields.Integer(required=True, validate=validate.Range(min=1, max=12))
    kind = fields.String(load_default=None, validate=validate.OneOf(("month", "quarter")))


class ReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=10, max=1000))


class WindowExtendSchema(Schema):
    """Extend one window of a period: the new deadline and the reason (checked by the service)."""

    window = fields.String(required=True, validate=validate.OneOf(WINDOWS))
    new_until = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.Length(max=1000))


class WindowExtensionSchema(Schema):
    id = fields.UUID(dump_only=True)
    period_id = fields.UUID(dump_only=True)
    window = fields.String(attribute="window_name", dump_only=True)
    old_until = fields.Date(dump_only=True)
    new_until = fields.Date(dump_only=True)
    reason = fields.String(dump_only=True)
    extended_by = fields.String(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)


# --- assignments


class WorkAssignmentSchema(Schema):
    id = fields.UUID(dump_only=True)
    period_id = fields.UUID(dump_only=True)
    staff_id = fields.UUID(dump_only=True)
    item_id = fields.UUID(dump_only=True)
    version_id = fields.UUID(dump_only=True)
    quantity = fields.Decimal(as_string=True, dump_only=True)
    coefficient = fields.Decimal(as_string=True, dump_only=True)
    due_on = fields.Date(dump_only=True)
    directing = fields.Boolean(dump_only=True)
    note = fields.String(dump_only=True, allow_none=True)
    assigned_by = fields.UUID(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)


class AssignmentListArgsSchema(Schema):
    period_id = fields.UUID(load_default=None)
    staff_id = fields.UUID(load_default=None)


class _AssignWork(Schema):
    period_id = fields.UUID(required=True)
    item_id = fields.UUID(required=True)
    quantity = fields.Decimal(
        required=True, validate=validate.Range(min=0, min_inclusive=False, max=1_000_000)
    )
    due_on = fields.Date(required=True)


class AssignmentCreateSchema(_AssignWork):
    staff_id = fields.UUID(required=True)
    directing = JsonBoolean(
        load_default=False,
        metadata={"description": "work directed by the head outside the person's position"},
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class AssignmentBulkSchema(_AssignWork):
    position_id = fields.UUID(
        required=True, metadata={"description": "everyone holding it on the period's first day"}
    )


# --- reports, evidence, reviews


class EvidenceSchema(Schema):
    id = fields.UUID(dump_only=True)
    filename = fields.String(dump_only=True)
    content_type = fields.String(dump_only=True)
    size = fields.Integer(dump_only=True)
    sha256 = fields.String(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    purged_at = UtcDateTime(
        dump_only=True,
        allow_none=True,
        metadata={"description": "when the retention policy deleted the file (row kept)"},
    )


class ReportSchema(Schema):
    id = fields.UUID(dump_only=True)
    assignment_id = fields.UUID(dump_only=True)
    completed = fields.Decimal(as_string=True, dump_only=True)
    completed_on = fields.Date(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True)
    note = fields.String(dump_only=True, allow_none=True)
    links = fields.List(fields.String(), dump_only=True)
    submitted_at = UtcDateTime(dump_only=True, allow_none=True)
    major_errors = fields.Integer(dump_only=True)
    delays = fields.Integer(dump_only=True)
    exempt_errors = fields.Integer(dump_only=True)
    exempt_delays = fields.Integer(dump_only=True)
    exemption_reason = fields.String(dump_only=True, allow_none=True)
    review_comment = fields.String(dump_only=True, allow_none=True)
    reviewed_by = fields.UUID(dump_only=True, allow_none=True)
    reviewed_at = UtcDateTime(dump_only=True, allow_none=True)


class ReportListArgsSchema(Schema):
    period_id = fields.UUID(load_default=None)
    staff_id = fields.UUID(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(REPORT_STATUSES))


class _ReportContent(Schema):
    completed = fields.Decimal(required=True, validate=validate.Range(min=0, max=1_000_000))
    completed_on = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    links = fields.List(
        fields.String(validate=validate.Length(max=500)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    submit = JsonBoolean(load_default=False, metadata={"description": "send for review"})


class ReportCreateSchema(_ReportContent):
    assignment_id = fields.UUID(required=True)


class ReportUpdateSchema(_ReportContent):
    pass


class EvidenceUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ReviewSchema(Schema):
    accept = JsonBoolean(required=True)
    major_errors = COUNT
    delays = COUNT
    exempt_errors = COUNT
    exempt_delays = COUNT
    exemption_reason = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=1000)
    )
    exemption_evidence_id = fields.UUID(load_default=None, allow_none=True)
    delay_reason = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=1000)
    )
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ExemptionDecisionSchema(Schema):
    approve = JsonBoolean(required=True)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


# --- assessments and scores


class AssessmentSchema(Schema):
    id = fields.UUID(dump_only=True)
    period_id = fields.UUID(dump_only=True)
    staff_id = fields.UUID(dump_only=True)
    stage = fields.String(dump_only=True)
    general = fields.List(fields.String(), dump_only=True)
    organising = fields.Decimal(as_string=True, dump_only=True, allow_none=True)
    comment = fields.String(dump_only=True, allow_none=True)
    by_user = fields.UUID(dump_only=True, allow_none=True)
    updated_at = UtcDateTime(dump_only=True)


class AssessmentListArgsSchema(Schema):
    period_id = fields.UUID(load_default=None)
    staff_id = fields.UUID(load_default=None)
    stage = fields.String(load_default=None, validate=validate.OneOf(ASSESSMENT_STAGES))


class AssessmentCreateSchema(Schema):
    period_id = fields.UUID(required=True)
    staff_id = fields.UUID(required=True)
    stage = fields.String(required=True, validate=validate.OneOf(ASSESSMENT_STAGES))
    general = fields.List(
        fields.Decimal(validate=validate.Range(min=0, max=100)),
        required=True,
        validate=validate.Length(min=1, max=10),
    )
    organising = fields.Decimal(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=100)
    )
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


DETAIL_NOTE = "present only for the person, whoever directs them and the unit administrator"


class PublicScoreSchema(Schema):
    """A colleague's row of a published period: name, post, total and grade only (as the
    published results page shows them)."""

    id = fields.UUID(dump_only=True)
    period_id = fields.UUID(dump_only=True)
    staff_id = fields.UUID(dump_only=True)
    full_name = fields.Function(lambda s: getattr(s, "full_name", None), dump_only=True)
    position = fields.Function(
        lambda s: getattr(s, "position", None),
        dump_only=True,
        metadata={"description": "the post held at the end of the period"},
    )
    total = POINTS
    total_exact = fields.Function(
        lambda s: s.total_exact or format(s.total.normalize(), "f"),
        dump_only=True,
        metadata={"description": 'exact total as a decimal or a fraction ("490/7")'},
    )
    grade = fields.String(dump_only=True)
    grade_provisional = fields.Function(
        lambda s: bool(getattr(s, "grade_provisional", s.approved_at is None)),
        dump_only=True,
        metadata={
            "description": "true while the period runs: total and grade may still change "
            "until the score is approved or the period published or locked"
        },
    )
    detail = fields.Constant(
        False,
        dump_only=True,
        metadata={"enum": [False], "description": f"false: no detail ({DETAIL_NOTE})"},
    )


class ScoreSchema(PublicScoreSchema):
    """A score in full: parts, self score, forced fail and the explanation."""

    detail = fields.Constant(
        True,
        dump_only=True,
        metadata={"enum": [True], "description": f"true: the row in full ({DETAIL_NOTE})"},
    )
    a = POINTS
    b = POINTS
    c = POINTS
    task_score = POINTS
    task_points = POINTS
    general_points = POINTS
    self_total = fields.Decimal(as_string=True, dump_only=True, allow_none=True)
    forced_fail = fields.String(dump_only=True, allow_none=True)
    stage = fields.String(dump_only=True)
    rule_set = fields.String(dump_only=True)
    engine_version = fields.String(dump_only=True)
    provisional = fields.Boolean(
        dump_only=True,
        metadata={"description": "a leader scored while some subordinates had no score yet"},
    )
    approved_at = UtcDateTime(dump_only=True, allow_none=True)
    computed_at = UtcDateTime(dump_only=True)
    # Rendered by the view from the inputs the score was computed with.
    explanation = fields.Function(
        lambda s: getattr(s, "rendered_explanation", None) or s.explanation,
        dump_only=True,
    )


class ScoreListArgsSchema(Schema):
    period = fields.String(
        required=True,
        validate=PERIOD_CODE,
        metadata={"description": "period code, e.g. 2026-11 or 2026-Q4"},
    )
    staff_id = fields.UUID(load_default=None)


class ScoreApproveSchema(Schema):
    period_id = fields.UUID(required=True)
    staff_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1))
