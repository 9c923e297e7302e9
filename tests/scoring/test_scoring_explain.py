"""Explanations and results convert to JSON-ready dicts; rule sets come from a registry."""

import json
from decimal import Decimal

import pytest

from scoring import (
    DEFAULT_RULE_SET,
    ExplanationStep,
    Params,
    RuleSet,
    explanation_to_dict,
    get_rule_set,
    register_rule_set,
    registry,
    result_to_dict,
    rule_set_codes,
    score_period,
)


def test_explain_result_to_dict_is_json_ready(golden_period):
    """result_to_dict gives strings for Decimals and the grade code, and dumps to JSON."""
    data = result_to_dict(score_period(golden_period))
    assert (data["total"], data["total_display"], data["grade"]) == ("78.625", "78.63", "HTT")
    assert json.loads(json.dumps(data, ensure_ascii=False))["b"] == "73.75"


def test_explain_explanation_to_dict_keeps_order_and_fields():
    """explanation_to_dict keeps step order and the five fields of each step."""
    steps = (
        ExplanationStep("x", "Bước x", {"v": Decimal("1.50")}, "1.50", Decimal("1.50")),
        ExplanationStep("y", "Bước y", {}, "", "HTT"),
    )
    assert explanation_to_dict(steps) == [
        {
            "code": "x",
            "label": "Bước x",
            "inputs": {"v": "1.50"},
            "formula": "1.50",
            "result": "1.50",
        },
        {"code": "y", "label": "Bước y", "inputs": {}, "formula": "", "result": "HTT"},
    ]


def test_explain_step_inputs_are_read_only():
    """A step's inputs cannot be changed after the fact."""
    step = ExplanationStep("x", "Bước x", {"v": 1})
    with pytest.raises(TypeError):
        step.inputs["v"] = 2


def test_registry_default_is_nd335_2025():
    """The default rule set is nd335_2025."""
    assert DEFAULT_RULE_SET == "nd335_2025"
    assert get_rule_set().code == "nd335_2025"
    assert "nd335_2025" in rule_set_codes()


def test_registry_accepts_a_new_versioned_rule_set(golden_period, monkeypatch):
    """A registered rule set is used when named."""
    monkeypatch.setattr(registry, "_RULE_SETS", dict(registry._RULE_SETS))

    def flat(period, params):
        return score_period(period, params)

    register_rule_set(RuleSet("test_flat_2026", "Thử nghiệm", flat, Params(quota_ratio="0.25")))
    assert get_rule_set("test_flat_2026").default_params.quota_ratio == Decimal("0.25")
    assert score_period(golden_period, rule_set="test_flat_2026").total == Decimal("78.625")


def test_registry_refuses_duplicate_codes():
    """Registering an existing code is a programming error."""
    with pytest.raises(ValueError):
        register_rule_set(get_rule_set())
