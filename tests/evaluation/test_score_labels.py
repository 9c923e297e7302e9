"""A score's explanation names its inputs in words: no engine codes reach the reader."""

from __future__ import annotations

from tenant_app.services.evaluation import score_display


def test_forced_fail_reason_reads_as_words(app):
    """``forced_fail: discipline`` is shown as "kỷ luật", never the code."""
    with app.test_request_context():
        assert score_display.forced_fail_text("discipline") == "kỷ luật"
        assert str(score_display.INPUT_NAMES["forced_fail"]) == "Không hoàn thành nhiệm vụ do"


def test_leader_inputs_have_labels(app):
    """The leader step's inputs (team size, passing, pending, unit results) have labels."""
    names = ("unit_results", "team_size", "team_passing", "team_pending", "organising")
    with app.test_request_context():
        assert all(name in score_display.INPUT_NAMES for name in names)
