"""HTML forms (Flask-WTF: every form carries a CSRF token), with Vietnamese labels and messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from tenant_app.formatting import input_number, normalise_number
from tenant_app.models.tenants import KIND_LABELS, SLUG_PATTERN
from tenant_app.models.users import ROLE_LABELS, TENANT_ROLES
from tenant_app.services.province.break_glass import HOURS_MAX as BREAK_GLASS_HOURS_MAX
from tenant_app.services.province.break_glass import HOURS_MIN as BREAK_GLASS_HOURS_MIN
from tenant_app.services.province.break_glass import REASON_MAX as BREAK_GLASS_REASON_MAX
from tenant_app.services.province.break_glass import REASON_MIN as BREAK_GLASS_REASON_MIN

REQUIRED = _l("Trường này là bắt buộc.")


class NumberField(StringField):
    """A number typed the Vietnamese way: "1,5" and "9.500.000" reach the service as "1.5" and
    "9500000"; the input shows its value back with the decimal comma ("1,5"), accepted unchanged.

    Still text for the service to check, so its Vietnamese message names the field."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = normalise_number(self.data)

    def _value(self):
        return input_number(self.data) if self.data not in (None, "") else ""


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(REQUIRED), Length(max=256)])
    submit = SubmitField(_l("Đăng nhập"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(
        _l("Mật khẩu mới"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=10, max=256, message=_l("Mật khẩu mới cần 10–256 ký tự.")),
        ],
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new_password", message=_l("Hai mật khẩu mới không khớp.")),
        ],
    )
    submit = SubmitField(_l("Đổi mật khẩu"))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _role_choices():
    return [(r, ROLE_LABELS[r]) for r in TENANT_ROLES]


class UserForm(FlaskForm):
    username = StringField(
        _l("Tên đăng nhập"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=3, max=64),
            Regexp(
                r"^[A-Za-z0-9._-]+$",
                message=_l("Chỉ dùng chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang."),
            ),
        ],
    )
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField(
        _l("Thư điện tử"),
        validators=[Optional(), Email(_l("Thư điện tử không hợp lệ.")), Length(max=254)],
    )
    roles = MultiCheckboxField(
        _l("Vai trò"),
        choices=_role_choices,
        validators=[DataRequired(_l("Chọn ít nhất một vai trò."))],
    )
    submit = SubmitField(_l("Lưu"))


class UserEditForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField(
        _l("Thư điện tử"),
        validators=[Optional(), Email(_l("Thư điện tử không hợp lệ.")), Length(max=254)],
    )
    roles = MultiCheckboxField(
        _l("Vai trò"),
        choices=_role_choices,
        validators=[DataRequired(_l("Chọn ít nhất một vai trò."))],
    )
    active = BooleanField(_l("Đang hoạt động"))
    submit = SubmitField(_l("Lưu thay đổi"))


class ActionForm(FlaskForm):
    """A bare form for POST buttons (reset password, suspend…): only the CSRF token."""

    submit = SubmitField(_l("Xác nhận"))


class TenantForm(FlaskForm):
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(REQUIRED), Length(max=200)])
    slug = StringField(
        _l("Mã đơn vị (dùng trong địa chỉ)"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=64),
            Regexp(
                SLUG_PATTERN, message=_l("Chỉ dùng chữ thường không dấu, số và dấu gạch ngang.")
            ),
        ],
    )
    kind = SelectField(
        _l("Loại đơn vị"), choices=lambda: [(k.value, v) for k, v in KIND_LABELS.items()]
    )
    submit = SubmitField(_l("Tạo đơn vị"))


class ProvinceIdentityForm(FlaskForm):
    """The province's own name on forms, exports and pages (``services.province.identity``,
    which checks the lengths and the logo again)."""

    province_name = StringField(
        _l("Tên tỉnh"),
        description=_l("Như thường viết, ví dụ: Thanh Hóa. Hiện ở tiêu đề trang và tệp xuất."),
        validators=[Optional(), Length(max=100)],
    )
    authority_name = StringField(
        _l("Tên cơ quan chủ quản"),
        description=_l(
            "In ở góc trái phía trên các biểu mẫu, trên tên đơn vị, ví dụ: "
            "ỦY BAN NHÂN DÂN TỈNH THANH HÓA. Để trống: dùng tên tỉnh."
        ),
        validators=[Optional(), Length(max=200)],
    )
    place = StringField(
        _l("Địa danh ghi trên biểu mẫu"),
        description=_l(
            "Dòng “…, ngày … tháng … năm …”, ví dụ: Thanh Hóa. Để trống: dùng tên tỉnh."
        ),
        validators=[Optional(), Length(max=100)],
    )
    logo_path = StringField(
        _l("Tệp con dấu/biểu trưng (không bắt buộc)"),
        description=_l(
            "Đường dẫn tương đối trong thư mục dữ liệu (instance) của hệ thống, ví dụ: "
            "branding/logo.png. Chỉ nhận ảnh PNG hoặc JPEG, tối đa 2 MB."
        ),
        validators=[Optional(), Length(max=255)],
    )
    submit = SubmitField(_l("Lưu thông tin tỉnh"))


def _days_field(label, description):
    # Text, checked by ``services.files.retention_policy`` (whole number in range, message
    # naming the field), so that "abc" or "-1" gets the same Vietnamese answer as over the API.
    return StringField(
        label,
        description=description,
        validators=[DataRequired(REQUIRED), Length(max=6)],
        render_kw={"inputmode": "numeric"},
    )


class RetentionPolicyForm(FlaskForm):
    """How long stored files are kept (``services.files.retention_policy``); 0: never purged."""

    import_workbook_days = _days_field(
        _l("Tệp nhập dữ liệu đã ghi (ngày)"),
        _l("Tính từ ngày ghi dữ liệu. Dữ liệu đã ghi vẫn còn trong hệ thống; 0: không xoá."),
    )
    rejected_upload_days = _days_field(
        _l("Tệp nhập dữ liệu bị từ chối hoặc bỏ dở (ngày)"),
        _l("Tệp có lỗi, bị hủy hoặc kiểm tra xong nhưng không ghi; tính từ ngày tải lên."),
    )
    export_days = _days_field(
        _l("Tệp xuất dữ liệu (ngày)"),
        _l(
            "Tệp xuất lưu trên máy chủ, tính từ ngày tạo (liên kết tải thường hết hạn sớm hơn). "
            "Tệp xuất của đơn vị được tạo khi tải về và không lưu lại."
        ),
    )
    evidence_years = _days_field(
        _l("Minh chứng (năm sau khi khóa kỳ)"),
        _l(
            "Chỉ xoá minh chứng của kỳ đánh giá đã khóa, tính từ ngày khóa kỳ; kỳ chưa khóa "
            "giữ nguyên mọi tệp. 0: không bao giờ xoá."
        ),
    )
    orphan_days = _days_field(
        _l("Tệp không còn gắn với dữ liệu nào (ngày)"),
        _l("Tệp mồ côi trong thư mục tải lên của đơn vị, tính từ lần ghi cuối; tối thiểu 1."),
    )
    submit = SubmitField(_l("Lưu thời hạn lưu giữ"))


class FirstAdminForm(FlaskForm):
    username = StringField(
        _l("Tên đăng nhập"),
        validators=[DataRequired(REQUIRED), Length(min=3, max=64), Regexp(r"^[A-Za-z0-9._-]+$")],
    )
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField(_l("Thư điện tử"), validators=[Optional(), Email(), Length(max=254)])
    submit = SubmitField(_l("Tạo quản trị đơn vị"))


class BreakGlassForm(FirstAdminForm):
    """A unit administrator in a live unit: break-glass, so a reason, an expiry and a confirmation
    (limits from ``tenant_app.services.province.break_glass``, which checks them again)."""

    reason = TextAreaField(
        _l("Lý do truy cập khẩn cấp"),
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=BREAK_GLASS_REASON_MIN,
                max=BREAK_GLASS_REASON_MAX,
                message=_l("Lý do cần từ %(min)d đến %(max)d ký tự."),
            ),
        ],
    )
    hours = IntegerField(
        _l("Thời hạn (giờ)"),
        default=4,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(
                min=BREAK_GLASS_HOURS_MIN,
                max=BREAK_GLASS_HOURS_MAX,
                message=_l("Thời hạn phải từ %(min)s đến %(max)s giờ."),
            ),
        ],
    )
    confirm = BooleanField(
        _l(
            "Tôi xác nhận đây là truy cập khẩn cấp vào đơn vị đang hoạt động; quản trị viên đơn "
            "vị sẽ được thông báo và tài khoản tự hết hạn."
        ),
        validators=[DataRequired(_l("Cần xác nhận để tiếp tục."))],
    )
    submit = SubmitField(_l("Mở truy cập khẩn cấp"))
