"""Every action the code records has a Vietnamese label in the audit log viewer."""

from __future__ import annotations

import re
from pathlib import Path

from tenant_app.services.audit.audit_labels import ACTION_LABELS

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r"""["']([a-z_]+\.[a-z_]+)["']""")
# Dotted literals in those modules that are not actions: job kinds and workbook field paths.
NOT_ACTIONS = {"income.scheme", "rollout.apply", "rollout.rollback"}


def _recorded_actions() -> set[str]:
    """Dotted literals in modules that record audit events, whose prefix names an action family."""
    families = {key.split(".")[0] for key in ACTION_LABELS}
    found = set()
    for folder in ("tenant_app", "admin", "blueprints"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "audit.record(" not in text and "_audit(" not in text:
                continue
            for literal in LITERAL.findall(text):
                if literal.split(".")[0] in families and literal not in NOT_ACTIONS:
                    found.add(literal)
    return found


def test_every_recorded_action_has_a_label():
    actions = _recorded_actions()
    assert "score.changed_after_publication" in actions  # the scan sees the recorders
    missing = sorted(a for a in actions if a not in ACTION_LABELS)
    assert missing == []


def test_rollout_outcomes_recorded_by_f_string_have_labels():
    """``rollout.{outcome}`` (applied, skipped) reads as words in the log, not as its code."""
    from tenant_app.models.vocabulary import TargetStatus

    for outcome in (TargetStatus.APPLIED, TargetStatus.SKIPPED):
        assert f"rollout.{outcome}" in ACTION_LABELS
