"""WTForms' own messages in the user's language: WTForms ships no Vietnamese catalogue.

Every WTForms validator without an explicit message ("Field must be between 3 and 64 characters
long.", "Invalid email address.") asks the form's translations for its English text; this table
answers with our Vietnamese source text (placeholders kept), which the English catalogue turns
back into English.
``init_app`` makes every form (``FlaskForm``) use it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "This field is required.": _l("Trường này là bắt buộc."),
    "Invalid input.": _l("Giá trị không hợp lệ."),
    "Invalid email address.": _l("Thư điện tử không hợp lệ."),
    "Invalid URL.": _l("Địa chỉ web không hợp lệ."),
    "Invalid UUID.": _l("Mã định danh không hợp lệ."),
    "Invalid IP address.": _l("Địa chỉ IP không hợp lệ."),
    "Field must be equal to %(other_name)s.": _l("Giá trị phải trùng với %(other_name)s."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Trường này cần từ %(min)d đến %(max)d ký tự."
    ),
    "Number must be at least %(min)s.": _l("Số phải lớn hơn hoặc bằng %(min)s."),
    "Number must be at most %(max)s.": _l("Số phải nhỏ hơn hoặc bằng %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Số phải từ %(min)s đến %(max)s."),
    "Date must be at least %(min)s.": _l("Ngày phải từ %(min)s trở đi."),
    "Date must be at most %(max)s.": _l("Ngày phải đến %(max)s là muộn nhất."),
    "Date must be between %(min)s and %(max)s.": _l("Ngày phải từ %(min)s đến %(max)s."),
    "Invalid value, must be one of: %(values)s.": _l("Giá trị phải là một trong: %(values)s."),
    "Invalid value, can't be any of: %(values)s.": _l(
        "Giá trị không được là một trong: %(values)s."
    ),
    "This field cannot be edited.": _l("Trường này không được sửa."),
    "This field is disabled and cannot have a value.": _l(
        "Trường này bị khóa, không nhận giá trị."
    ),
    "Invalid Choice: could not coerce.": _l("Lựa chọn không hợp lệ."),
    "Choices cannot be None.": _l("Lựa chọn không hợp lệ."),
    "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l(
        "Lựa chọn không hợp lệ."
    ),
    "Not a valid datetime value.": _l("Thời điểm không hợp lệ."),
    "Not a valid date value.": _l("Ngày không hợp lệ."),
    "Not a valid time value.": _l("Giờ không hợp lệ."),
    "Not a valid week value.": _l("Tuần không hợp lệ."),
    "Not a valid integer value.": _l("Phải là số nguyên."),
    "Not a valid decimal value.": _l("Phải là số."),
    "Not a valid float value.": _l("Phải là số."),
    # Vietnamese has one form for every count: the singular English text is the key.
    "Field must be at least %(min)d character long.": _l("Trường này cần ít nhất %(min)d ký tự."),
    "Field cannot be longer than %(max)d character.": _l("Trường này dài tối đa %(max)d ký tự."),
    "Field must be exactly %(max)d character long.": _l("Trường này cần đúng %(max)d ký tự."),
    "'%(value)s' is not a valid choice for this field.": _l(
        "'%(value)s' không phải lựa chọn hợp lệ."
    ),
}


class FormTranslations:
    """The ``gettext``/``ngettext`` pair WTForms calls, answering from the tables above."""

    def gettext(self, string: str) -> str:
        message = MESSAGES.get(string)
        return string if message is None else str(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        message = MESSAGES.get(singular)
        if message is None:
            return singular if n == 1 else plural
        return str(message)


FORM_TRANSLATIONS = FormTranslations()


def init_app(app) -> None:
    """Make every Flask-WTF form translate WTForms' messages through ``FORM_TRANSLATIONS``."""
    from flask_wtf import FlaskForm

    FlaskForm.Meta.get_translations = lambda self, form: FORM_TRANSLATIONS
