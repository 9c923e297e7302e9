"""Schemas of configuration templates: the version payload (checked field by field, in
Vietnamese) and the province API's templates and versions.

The payload format is documented in ``services.rollout.template_payload`` and docs/templates.md;
``PayloadSchema`` checks the shape of each field, the payload module adds what spans fields.
"""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from tenant_app.models.catalogue import AGGREGATIONS, DIRECTIONS, ITEM_KINDS, SCORING_METHODS
from tenant_app.models.org import POSITION_GROUPS
from tenant_app.models.vocabulary import AssessmentStage, FeedKind, LatePolicy, values
from tenant_app.schemas.common import UtcDateTime
from tenant_app.schemas.org_units import CODE
from tenant_app.services.rollout.payload_format import ANNUAL_DEADLINES, LOCK_AFTER_DAYS_MAX

APPROVAL_STAGES = values(AssessmentStage)
PERIOD_KINDS = ("month", "quarter")
WINDOW_NAMES = ("report", "self_assessment", "review", "approval")


class _Number(fields.Field):
    """A decimal given as a number or a numeric string (kept as given; the payload module
    normalises it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        from decimal import Decimal, InvalidOperation

        if isinstance(value, bool):
            raise ValidationError(_("Phải là số."))
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except (InvalidOperation, ValueError):
            raise ValidationError(_("Phải là số.")) from None
        if not number.is_finite():
            raise ValidationError(_("Phải là số."))
        return number


class PositionPayloadSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    position_group = fields.String(required=True, validate=validate.OneOf(POSITION_GROUPS))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))


class BandPayloadSchema(Schema):
    class Meta:
        unknown = RAISE

    from_ = _Number(required=True, data_key="from")
    score = _Number(required=True)


class ItemPayloadSchema(Schema):
    class Meta:
        unknown = RAISE

    canonical_code = fields.String(required=True, validate=CODE)
    kind = fields.String(required=True, validate=validate.OneOf(ITEM_KINDS))
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit_of_measure = fields.String(required=True, validate=validate.Length(min=1, max=50))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    evidence_requirement = fields.String(allow_none=True, validate=validate.Length(max=500))
    coefficient = _Number(allow_none=True)
    target = _Number(allow_none=True)
    band_low = _Number(allow_none=True)
    band_high = _Number(allow_none=True)
    cap_percent = _Number(allow_none=True)
    weight = _Number(allow_none=True)
    bands = fields.List(fields.Nested(BandPayloadSchema), allow_none=True)
    direction = fields.String(allow_none=True, validate=validate.OneOf(DIRECTIONS))
    scoring_method = fields.String(allow_none=True, validate=validate.OneOf(SCORING_METHODS))
    aggregation = fields.String(allow_none=True, validate=validate.OneOf(AGGREGATIONS))
    positions = fields.List(fields.String(validate=CODE), load_default=list)
    mandatory = fields.Boolean(load_default=False)
    allowed_min = _Number(allow_none=True)
    allowed_max = _Number(allow_none=True)

    @validates_schema(skip_on_field_errors=True)
    def _by_kind(self, data, **_kwargs):
        errors: dict[str, list[str]] = {}

        def add(name, message):
            errors.setdefault(name, []).append(message)

        def positive(name, label, *, above=None, minimum=None, maximum=None):
            value = data.get(name)
            if value is None:
                return
            if above is not None and value <= above:
                add(name, _("%(label)s phải lớn hơn %(n)s.", label=label, n=above))
            if minimum is not None and value < minimum:
                add(name, _("%(label)s phải lớn hơn hoặc bằng %(n)s.", label=label, n=minimum))
            if maximum is not None and value > maximum:
                add(name, _("%(label)s phải nhỏ hơn hoặc bằng %(n)s.", label=label, n=maximum))

        positive("coefficient", _("Hệ số quy đổi"), above=0, maximum=100)
        positive("target", _("Chỉ tiêu"), minimum=0, maximum=10**9)
        positive("cap_percent", _("Mức trần (%)"), above=0, maximum=200)
        positive("weight", _("Trọng số"), minimum=0, maximum=100)
        if data["kind"] == "work_item":
            if data.get("coefficient") is None:
                add("coefficient", _("Sản phẩm/công việc cần hệ số quy đổi."))
            for name in (
                "target", "band_low", "band_high", "cap_percent", "weight", "bands",
                "direction", "scoring_method", "aggregation",
            ):  # fmt: skip
                if data.get(name) not in (None, []):
                    add(name, _("Sản phẩm/công việc chỉ có hệ số quy đổi."))
        else:
            if data.get("coefficient") is not None:
                add("coefficient", _("Chỉ tiêu không có hệ số quy đổi."))
            for name, label in (
                ("direction", _("Chiều đánh giá")),
                ("scoring_method", _("Phương pháp chấm")),
                ("aggregation", _("Cách tổng hợp trong kỳ")),
            ):
                if not data.get(name):
                    add(name, _("%(label)s là bắt buộc với chỉ tiêu.", label=label))
            direction, method = data.get("direction"), data.get("scoring_method")
            if direction == "yes_no" and method and method != "pass_fail":
                add("scoring_method", _("Chỉ tiêu đạt/không đạt phải chấm đạt/không đạt."))
            if direction == "band":
                if data.get("band_low") is None or data.get("band_high") is None:
                    add("band_low", _("Chỉ tiêu trong khoảng cần cận dưới và cận trên."))
                elif data["band_low"] > data["band_high"]:
                    add("band_low", _("Cận dưới lớn hơn cận trên."))
            elif direction and direction != "yes_no" and data.get("target") is None:
                add("target", _("Chỉ tiêu là bắt buộc."))
            if method == "bands":
                bands = data.get("bands") or []
                starts = [b["from_"] for b in bands]
                if not bands:
                    add("bands", _("Phương pháp theo khung điểm cần khung điểm."))
                elif starts != sorted(set(starts)) or any(
                    not 0 <= b["score"] <= 100 for b in bands
                ):
                    add("bands", _("Khung điểm phải tăng dần theo “từ”, điểm từ 0 đến 100."))
        low, high = data.get("allowed_min"), data.get("allowed_max")
        if low is not None and high is not None and low > high:
            add("allowed_min", _("Giá trị tối thiểu cho phép lớn hơn giá trị tối đa."))
        key = "coefficient" if data["kind"] == "work_item" else "target"
        value = data.get(key)
        if (
            value is not None
            and key not in errors
            and ((low is not None and value < low) or (high is not None and value > high))
        ):
            add(key, _("Giá trị nằm ngoài khoảng cho phép của chính mẫu."))
        if errors:
            raise ValidationError(errors)


SOURCE_CODE = validate.Regexp(
    r"^[a-z0-9][a-z0-9-]{1,31}$",
    error="Mã nguồn gồm 2–32 chữ thường không dấu, số hoặc gạch nối (ví dụ: mot-cua).",
)


class _ClosingTime(fields.Field):
    """A local time of day "HH:MM" (seconds, if given, must be 0); loaded as "HH:MM"."""

    def _deserialize(self, value, attr, data, **kwargs):
        from datetime import time

        if isinstance(value, time):
            at = value
        else:
            try:
                at = time.fromisoformat(str(value).strip())
            except ValueError:
                at = None
        if at is None or at.second or at.microsecond or at.tzinfo is not None:
            raise ValidationError(_("Giờ chốt số liệu có dạng HH:MM."))
        return at.strftime("%H:%M")


class SourceItemPayloadSchema(Schema):
    class Meta:
        unknown = RAISE

    external_code = fields.String(
        required=True, validate=validate.Length(min=1, max=64, error="Từ 1 đến 64 ký tự.")
    )
    canonical_code = fields.String(required=True, validate=CODE)


class SourcePayloadSchema(Schema):
    """A data source of the units (feeds) with its item mappings; officers are mapped per unit."""

    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=SOURCE_CODE)
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(values(FeedKind)))
    closing_day = fields.Integer(strict=True, load_default=3, validate=validate.Range(1, 28))
    closing_time = _ClosingTime(load_default="17:00")
    late_policy = fields.String(
        load_default=LatePolicy.HOLD.value, validate=validate.OneOf(values(LatePolicy))
    )
    items = fields.List(fields.Nested(SourceItemPayloadSchema), load_default=list)


class ScoringPayloadSchema(Schema):
    class Meta:
        unknown = RAISE

    rule_set = fields.String(required=True, validate=validate.Length(min=1, max=64))
    params = fields.Dict(keys=fields.String(), load_default=dict)


# Yes and no as a spreadsheet or a form may say them ("Có"/"Không" too).
# Strings are compared in lower case; True and False stand for 1 and 0 as well.
TRUTHY = {True, "1", "true", "có", "co", "yes", "x"}
FALSY = {False, "0", "false", "không", "khong", "no"}


class _YesNo(fields.Boolean):
    """Yes or no; the message names the setting (``label``)."""

    def __init__(self, label: str, **kwargs):
        super().__init__(truthy=TRUTHY, falsy=FALSY, **kwargs)
        self.label = label

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip().lower()
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError:
            raise ValidationError(
                _("%(label)s phải là “Có” hoặc “Không”.", label=_(self.label))
            ) from None


class _LockDays(fields.Field):
    """A whole number of days from 0 to LOCK_AFTER_DAYS_MAX (5, 5.0 or "5"; not 5.5 or true)."""

    def _deserialize(self, value, attr, data, **kwargs):
        from decimal import Decimal, InvalidOperation

        number = None
        if not isinstance(value, bool):
            try:
                number = Decimal(str(value).strip())
            except (InvalidOperation, ValueError):
                number = None
        if (
            number is None
            or not number.is_finite()
            or number != number.to_integral_value()
            or not 0 <= number <= LOCK_AFTER_DAYS_MAX
        ):
            raise ValidationError(
                _(
                    "Số ngày khóa kỳ sau hạn phê duyệt phải là số nguyên từ 0 đến %(n)d.",
                    n=LOCK_AFTER_DAYS_MAX,
                )
            )
        return int(number)


class _AnnualDeadline(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        if value not in ANNUAL_DEADLINES:
            raise ValidationError(
                _("Hạn xếp loại cả năm phải là “12-15” (15/12) hoặc “01-15” (15/01 năm sau).")
            )
        return value


# The labels of the calendar's settings (translated where shown).
CALENDAR_LABELS = {
    "auto_close": "Tự động đóng kỳ",
    "auto_lock": "Tự động khóa kỳ",
    "lock_after_days": "Số ngày khóa kỳ sau hạn phê duyệt",
    "annual_deadline": "Hạn xếp loại cả năm",
}


class CalendarPayloadSchema(Schema):
    """The calendar's own settings (``payload_format.CALENDAR_DEFAULTS`` where absent)."""

    class Meta:
        unknown = RAISE

    auto_close = _YesNo(CALENDAR_LABELS["auto_close"])
    auto_lock = _YesNo(CALENDAR_LABELS["auto_lock"])
    lock_after_days = _LockDays()
    annual_deadline = _AnnualDeadline()


class UnitCalendarSchema(CalendarPayloadSchema):
    """A unit's calendar set by the province (its page, ``services.province.unit_calendar``):
    every setting given."""

    auto_close = _YesNo(CALENDAR_LABELS["auto_close"], required=True)
    auto_lock = _YesNo(CALENDAR_LABELS["auto_lock"], required=True)
    lock_after_days = _LockDays(required=True)
    annual_deadline = _AnnualDeadline(required=True)


class SchedulePayloadSchema(Schema):
    class Meta:
        unknown = RAISE

    period_kind = fields.String(required=True, validate=validate.OneOf(PERIOD_KINDS))
    windows = fields.Dict(
        keys=fields.String(validate=validate.OneOf(WINDOW_NAMES)),
        values=fields.Integer(strict=False, validate=validate.Range(min=0, max=90)),
        load_default=dict,
    )
    calendar = fields.Nested(CalendarPayloadSchema, load_default=dict)


class ApprovalPayloadSchema(Schema):
    class Meta:
        unknown = RAISE

    chain = fields.List(
        fields.String(validate=validate.OneOf(APPROVAL_STAGES)),
        required=True,
        validate=validate.Length(min=1, max=len(APPROVAL_STAGES)),
    )


class IncomePayloadSchema(Schema):
    class Meta:
        unknown = RAISE

    scheme = fields.String(required=True, validate=validate.Length(min=1, max=64))
    settings = fields.Dict(keys=fields.String(), load_default=dict)


class PayloadSchema(Schema):
    """The whole version payload; sections default to empty lists / the defaults of the module."""

    class Meta:
        unknown = RAISE

    format = fields.Integer(load_default=1, validate=validate.Equal(1))
    positions = fields.List(fields.Nested(PositionPayloadSchema), load_default=list)
    items = fields.List(fields.Nested(ItemPayloadSchema), load_default=list)
    sources = fields.List(fields.Nested(SourcePayloadSchema), load_default=list)
    scoring = fields.Nested(ScoringPayloadSchema, required=True)
    schedule = fields.Nested(SchedulePayloadSchema, required=True)
    approval = fields.Nested(ApprovalPayloadSchema, required=True)
    income = fields.Nested(IncomePayloadSchema, required=True)


# --- the province API


class TemplateSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    description = fields.String(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    latest_published = fields.Integer(dump_only=True, allow_none=True)
    draft = fields.Integer(dump_only=True, allow_none=True)


class TemplateCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))


class TemplateVersionSchema(Schema):
    id = fields.Integer(dump_only=True)
    template_id = fields.Integer(dump_only=True)
    number = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    notes = fields.String(dump_only=True, allow_none=True)
    created_by = fields.String(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    published_by = fields.String(dump_only=True, allow_none=True)
    published_at = UtcDateTime(dump_only=True, allow_none=True)


class TemplateVersionDetailSchema(TemplateVersionSchema):
    payload = fields.Dict(dump_only=True, metadata={"description": "see docs/templates.md"})


class TemplateVersionCreateSchema(Schema):
    """A new draft: from a payload, from a unit's configuration, or (neither) a copy of the
    template's latest version."""

    class Meta:
        unknown = RAISE

    payload = fields.Dict(metadata={"description": "the whole payload (docs/templates.md)"})
    from_tenant = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "slug of the unit whose configuration becomes the draft"},
    )
    notes = fields.String(allow_none=True, validate=validate.Length(max=5000))

    @validates_schema
    def _one_source(self, data, **_kwargs):
        if "payload" in data and "from_tenant" in data:
            raise ValidationError(_("Chỉ chọn một nguồn: payload hoặc from_tenant."), "from_tenant")


class TemplateVersionUpdateSchema(Schema):
    class Meta:
        unknown = RAISE

    payload = fields.Dict()
    notes = fields.String(allow_none=True, validate=validate.Length(max=5000))


class PayloadDiffQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    against = fields.Integer(required=True, metadata={"description": "id of the other version"})


class PayloadChangeSchema(Schema):
    section = fields.String(dump_only=True)
    key = fields.String(dump_only=True)
    change = fields.String(dump_only=True, metadata={"description": "added, removed or changed"})
    field = fields.String(dump_only=True, allow_none=True)
    old = fields.Raw(dump_only=True, allow_none=True)
    new = fields.Raw(dump_only=True, allow_none=True)


class PayloadDiffSchema(Schema):
    base = fields.Integer(dump_only=True, metadata={"description": "the ?against= version"})
    target = fields.Integer(dump_only=True)
    changes = fields.List(fields.Nested(PayloadChangeSchema), dump_only=True)
