"""The words of a merge plan: coded lines read in Vietnamese by default and in English on request;
lines stored before codes keep their message."""

from __future__ import annotations

from flask_babel import force_locale

from tenant_app.services.rollout import plan_messages
from tenant_app.services.rollout.rollout_merge import Line, MessageCode

CONFLICT = Line(
    "items", "TH.SP01", "Soạn thảo văn bản", "coefficient",
    {"local": "1.3", "template": "1.5", "base": "1"},
    MessageCode.BOTH_CHANGED,
    {"name": "Soạn thảo văn bản", "field": "coefficient", "local": "1.3", "template": "1.5",
     "base": "1"},
).as_dict()  # fmt: skip


def test_plan_messages_vietnamese_by_default(app):
    """A coded line reads as the merge used to write it, in Vietnamese."""
    with app.test_request_context():
        text = plan_messages.line_text(CONFLICT)
    assert text == (
        "Soạn thảo văn bản – Hệ số quy đổi: đơn vị đã đổi thành 1.3, mẫu mới đổi thành 1.5 "
        "(trước đây 1). Hệ thống không tự chọn: hãy thống nhất với đơn vị rồi chạy lại cho "
        "đơn vị này."
    )


def test_plan_messages_english_on_request(app):
    """The same stored line reads in English when the reader chose English."""
    with app.test_request_context(), force_locale("en"):
        text = plan_messages.line_text(CONFLICT)
        empty = plan_messages.show(None)
    assert "the unit changed it to 1.3, the new template changes it to 1.5" in text
    assert empty == "(empty)"


def test_plan_messages_line_without_code_keeps_its_message(app):
    """A line stored before lines had codes (or a refused write) shows its stored message."""
    line = {"field": "code", "message": "Mã đã được sử dụng."}
    with app.test_request_context():
        assert plan_messages.line_text(line) == "Mã đã được sử dụng."
        assert plan_messages.readable(line) == line


def test_plan_messages_settings_line_named_by_its_section(app):
    """A settings line (no name in the plan) is named by its section's label."""
    line = Line("scoring", "scoring", None, "params.threshold_htxs", {"old": "90", "new": "92"})
    with app.test_request_context():
        row = plan_messages.readable(line.as_dict())
    assert row["name"] == "Tham số chấm điểm"
    assert "message" not in row
