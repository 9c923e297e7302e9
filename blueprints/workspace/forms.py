"""HTML forms of the workspace screens (Flask-WTF, CSRF); numbers and dates are checked by services.

Services validate numbers, dates and references with Vietnamese messages naming the field, so the
forms keep text inputs for them and copy any ServiceError onto the matching field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from tenant_app.forms import REQUIRED, MultiCheckboxField, NumberField
from tenant_app.models.catalogue import AGGREGATIONS, DIRECTIONS, SCORING_METHODS, label
from tenant_app.models.org import ORG_UNIT_KIND_LABELS, POSITION_GROUP_LABELS
from tenant_app.models.staff import STAFF_TYPE_LABELS
from tenant_app.services.workspace.fields import CODE_PATTERN

CODE_MESSAGE = _l("Chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới (tối đa 32).")
DATE = {"type": "date"}
NUMBER = {"inputmode": "decimal"}


def _code(text):
    return StringField(
        text,
        validators=[
            DataRequired(REQUIRED),
            Length(max=32),
            Regexp(CODE_PATTERN, message=CODE_MESSAGE),
        ],
    )


def _choices(labels):
    return lambda: [(key, str(value)) for key, value in labels.items()]


def _optional_choices(values):
    return lambda: [("", "—")] + [(v, label(v)) for v in values]


class OrgUnitForm(FlaskForm):
    code = _code(_l("Mã đơn vị"))
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField(
        _l("Loại đơn vị"), choices=_choices(ORG_UNIT_KIND_LABELS), validate_choice=False
    )
    parent_id = SelectField(_l("Đơn vị cấp trên"), choices=[], validate_choice=False)
    head_staff_id = SelectField(_l("Người đứng đầu"), choices=[], validate_choice=False)
    effective_from = StringField(
        _l("Ngày hiệu lực (đổi tên, chuyển đơn vị cấp trên)"), render_kw=DATE
    )
    submit = SubmitField(_l("Lưu"))


class PositionForm(FlaskForm):
    code = _code(_l("Mã vị trí việc làm"))
    name = StringField(
        _l("Tên vị trí việc làm"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    position_group = SelectField(
        _l("Nhóm vị trí"), choices=_choices(POSITION_GROUP_LABELS), validate_choice=False
    )
    description = TextAreaField(_l("Mô tả công việc"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Lưu"))


class StaffForm(FlaskForm):
    code = _code(_l("Mã nhân sự"))
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=120)])
    staff_type = SelectField(
        _l("Loại cán bộ"), choices=_choices(STAFF_TYPE_LABELS), validate_choice=False
    )
    org_unit_id = SelectField(_l("Đơn vị công tác"), choices=[], validate_choice=False)
    position_id = SelectField(_l("Vị trí việc làm"), choices=[], validate_choice=False)
    manager_id = SelectField(_l("Người quản lý trực tiếp"), choices=[], validate_choice=False)
    user_id = SelectField(_l("Tài khoản đăng nhập"), choices=[], validate_choice=False)
    quota_group = StringField(
        _l("Nhóm nhiệm vụ tương đồng"), validators=[Optional(), Length(max=64)]
    )
    rank_code = StringField(_l("Mã ngạch (ví dụ 01.003)"), validators=[Optional(), Length(max=16)])
    monthly_salary = NumberField(_l("Lương tháng (đồng)"), render_kw=NUMBER)
    start_date = StringField(_l("Ngày bắt đầu"), render_kw=DATE)
    end_date = StringField(_l("Ngày kết thúc"), render_kw=DATE)
    effective_from = StringField(_l("Ngày hiệu lực của đơn vị/vị trí mới"), render_kw=DATE)
    decision_ref = StringField(_l("Số quyết định"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Lưu"))


class ItemForm(FlaskForm):
    kind = SelectField(
        _l("Loại mục"),
        choices=lambda: [("work_item", label("work_item")), ("indicator", label("indicator"))],
        validate_choice=False,
    )
    code = _code(_l("Mã mục"))
    name = StringField(_l("Tên mục"), validators=[DataRequired(REQUIRED), Length(max=200)])
    unit_of_measure = StringField(
        _l("Đơn vị tính"), validators=[DataRequired(REQUIRED), Length(max=50)]
    )
    description = TextAreaField(_l("Mô tả"), validators=[Optional(), Length(max=5000)])
    evidence_requirement = StringField(
        _l("Yêu cầu minh chứng"), validators=[Optional(), Length(max=500)]
    )
    org_unit_id = SelectField(_l("Bộ phận phụ trách"), choices=[], validate_choice=False)
    position_ids = MultiCheckboxField(_l("Vị trí áp dụng"), choices=[], validate_choice=False)
    coefficient = NumberField(_l("Hệ số quy đổi (sản phẩm/công việc)"), render_kw=NUMBER)
    direction = SelectField(
        _l("Chiều đánh giá"), choices=_optional_choices(DIRECTIONS), validate_choice=False
    )
    scoring_method = SelectField(
        _l("Phương pháp chấm"), choices=_optional_choices(SCORING_METHODS), validate_choice=False
    )
    aggregation = SelectField(
        _l("Cách tổng hợp trong kỳ"), choices=_optional_choices(AGGREGATIONS), validate_choice=False
    )
    target = NumberField(_l("Chỉ tiêu"), render_kw=NUMBER)
    band_low = NumberField(_l("Cận dưới (chỉ tiêu trong khoảng)"), render_kw=NUMBER)
    band_high = NumberField(_l("Cận trên (chỉ tiêu trong khoảng)"), render_kw=NUMBER)
    cap_percent = NumberField(_l("Mức trần (%)"), render_kw=NUMBER)
    weight = NumberField(_l("Trọng số"), render_kw=NUMBER)
    effective_from = StringField(_l("Ngày hiệu lực của giá trị mới"), render_kw=DATE)
    submit = SubmitField(_l("Lưu"))


def form_data(form: FlaskForm, names) -> dict:
    """Return {name: value or None} for ``names`` (empty strings become None)."""
    data = {}
    for name in names:
        value = getattr(form, name).data
        if isinstance(value, str):
            value = value.strip() or None
        data[name] = value
    return data


class SalaryChangeForm(FlaskForm):
    effective_from = StringField(_l("Ngày hiệu lực"), render_kw=DATE)
    monthly_salary = NumberField(_l("Lương tháng (đồng)"), render_kw=NUMBER)
    decision_ref = StringField(_l("Số quyết định"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Ghi nhận mức lương"))


class ConcurrentPostForm(FlaskForm):
    position_id = SelectField(_l("Vị trí kiêm nhiệm"), choices=[], validate_choice=False)
    org_unit_id = SelectField(_l("Đơn vị"), choices=[], validate_choice=False)
    effective_from = StringField(_l("Từ ngày"), render_kw=DATE)
    effective_to = StringField(_l("Đến trước ngày (để trống nếu đang kiêm nhiệm)"), render_kw=DATE)
    monthly_salary = NumberField(_l("Lương tháng của chức vụ kiêm nhiệm (đồng)"), render_kw=NUMBER)
    decision_ref = StringField(_l("Số quyết định"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Thêm chức vụ kiêm nhiệm"))
