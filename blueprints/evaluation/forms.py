"""HTML forms of the evaluation screens (Flask-WTF, CSRF). Services check numbers and dates.

Numbers and dates stay text inputs so that any value reaches the service, whose Vietnamese
message is then shown next to the field (see ``blueprints.evaluation.form_error``).
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from tenant_app.forms import REQUIRED, NumberField

DATE = {"type": "date"}
NUMBER = {"inputmode": "decimal"}


def parse_date(value):
    """A date from ``YYYY-MM-DD`` (or ``DD/MM/YYYY``), None when empty, else ValueError."""
    text = (value or "").strip()
    if not text:
        return None
    if "/" in text:
        day, month, year = text.split("/")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(text)


class OpenPeriodForm(FlaskForm):
    kind = SelectField(
        _l("Loại kỳ"),
        choices=[("month", _l("Tháng")), ("quarter", _l("Quý"))],
        validate_choice=False,
    )
    number = NumberField(_l("Tháng/Quý số"), validators=[DataRequired(REQUIRED)], render_kw=NUMBER)
    year = NumberField(_l("Năm"), validators=[DataRequired(REQUIRED)], render_kw=NUMBER)
    submit = SubmitField(_l("Mở kỳ đánh giá"))


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Lý do mở lại"), validators=[Length(max=1000)])
    submit = SubmitField(_l("Mở lại kỳ"))


class ExtendWindowForm(FlaskForm):
    window = SelectField(
        _l("Bước"),
        choices=[
            ("report", _l("Báo cáo kết quả")),
            ("self_assessment", _l("Tự đánh giá")),
            ("review", _l("Thẩm định")),
            ("approval", _l("Phê duyệt")),
        ],
        validate_choice=False,
    )
    new_until = StringField(_l("Hạn mới"), render_kw=DATE)
    reason = TextAreaField(_l("Lý do gia hạn"), validators=[Length(max=1000)])
    submit = SubmitField(_l("Gia hạn"))


class AssignForm(FlaskForm):
    item_id = SelectField(_l("Sản phẩm/công việc"), choices=[], validate_choice=False)
    quantity = NumberField(_l("Số lượng"), render_kw=NUMBER)
    due_on = StringField(_l("Hạn hoàn thành"), render_kw=DATE)
    directing = BooleanField(_l("Giao theo chỉ đạo (ngoài danh mục của vị trí)"))
    note = StringField(_l("Ghi chú"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Giao việc"))


class BulkAssignForm(FlaskForm):
    position_id = SelectField(_l("Vị trí việc làm"), choices=[], validate_choice=False)
    item_id = SelectField(_l("Sản phẩm/công việc"), choices=[], validate_choice=False)
    quantity = NumberField(_l("Số lượng"), render_kw=NUMBER)
    due_on = StringField(_l("Hạn hoàn thành"), render_kw=DATE)
    submit = SubmitField(_l("Giao cho mọi người giữ vị trí"))


class ActionForm(FlaskForm):
    submit = SubmitField(_l("Xác nhận"))


class ReportForm(FlaskForm):
    completed = NumberField(_l("Số lượng hoàn thành"), render_kw=NUMBER)
    completed_on = StringField(_l("Ngày hoàn thành"), render_kw=DATE)
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=1000)])
    links = TextAreaField(
        _l("Liên kết minh chứng (mỗi dòng một liên kết)"), validators=[Optional()]
    )
    file = FileField(_l("Tệp minh chứng (PDF, ảnh, Word, Excel; tối đa 10 MB)"))
    save = SubmitField(_l("Lưu nháp"))
    send = SubmitField(_l("Gửi báo cáo"))


class ReviewForm(FlaskForm):
    decision = SelectField(
        _l("Kết quả thẩm định"),
        choices=[("accept", _l("Chấp nhận")), ("return", _l("Trả lại để bổ sung"))],
        validate_choice=False,
    )
    major_errors = NumberField(_l("Số lỗi nội dung lớn"), default="0", render_kw=NUMBER)
    delays = NumberField(_l("Số lần chậm tiến độ"), default="0", render_kw=NUMBER)
    exempt_errors = NumberField(_l("Số lỗi được miễn trừ"), default="0", render_kw=NUMBER)
    exempt_delays = NumberField(_l("Số lần chậm được miễn trừ"), default="0", render_kw=NUMBER)
    exemption_reason = TextAreaField(
        _l("Nguyên nhân khách quan và căn cứ miễn trừ"), validators=[Optional(), Length(max=1000)]
    )
    exemption_evidence_id = SelectField(
        _l("Minh chứng của miễn trừ"), choices=[("", "—")], validate_choice=False
    )
    delay_reason = TextAreaField(
        _l("Lý do sửa số lần chậm đề xuất"), validators=[Optional(), Length(max=1000)]
    )
    comment = TextAreaField(_l("Nhận xét"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Lưu thẩm định"))


def assessment_form(criteria, *, organising: bool = False, data=None):
    """A form with one field ``general_<i>`` per general criterion (label and maximum shown)."""

    class AssessmentForm(FlaskForm):
        comment = TextAreaField(_l("Nhận xét"), validators=[Optional(), Length(max=1000)])
        submit = SubmitField(_l("Lưu đánh giá"))

    for i, criterion in enumerate(criteria):
        text = f"{criterion.label} (0–{criterion.max_points.normalize():f})"
        setattr(
            AssessmentForm,
            f"general_{i}",
            NumberField(text, render_kw={**NUMBER, "data-max": str(criterion.max_points)}),
        )
    if organising:
        AssessmentForm.organising = NumberField(
            _l("Năng lực tổ chức thực hiện nhiệm vụ (%)"), render_kw=NUMBER
        )
    form = AssessmentForm(data=data)
    form.general_fields = [getattr(form, f"general_{i}") for i in range(len(criteria))]
    return form


class ApproveForm(FlaskForm):
    staff_ids = HiddenField()
    submit = SubmitField(_l("Phê duyệt những người đã chọn"))
    approve_all = SubmitField(_l("Phê duyệt tất cả"))
