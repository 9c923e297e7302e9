"""WTForms' built-in messages reach people in their language, never English in Vietnamese."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from tenant_app.forms import FirstAdminForm


def _errors(app, lang: str) -> dict:
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = lang
        form = FirstAdminForm(MultiDict({"username": "ab", "full_name": "A", "email": "x@"}))
        form.validate()
        return form.errors


def test_wtforms_messages_are_vietnamese(app):
    """A too-short username and a bad e-mail read in Vietnamese, without any English."""
    errors = _errors(app, "vi")
    assert errors["username"] == ["Trường này cần từ 3 đến 64 ký tự."]
    assert errors["email"] == ["Thư điện tử không hợp lệ."]


def test_wtforms_messages_are_english_in_english(app):
    """The same mistakes read in English once English is chosen."""
    errors = _errors(app, "en")
    assert errors["username"] == ["Field must be between 3 and 64 characters long."]
    assert errors["email"] == ["Invalid email address."]
