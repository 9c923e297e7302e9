"""Indicators in the period score: position indicators joining a, b, c (``in_task``) or shown
for information, and the leaders' capacity to organise read exactly from an indicator score."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from scoring import LeaderCriteria, Params, PeriodInput, ScoringInputError, WorkItem, score_period
from scoring.registry import explain_period, score_rows

ITEM = WorkItem("T1", Decimal(5), Decimal(1), Decimal(3), 1, 1, 0, 0)  # a 60, b 55, c 55
GENERAL = (Decimal(10), Decimal(10), Decimal(10))  # 30 general points
INDICATORS = Fraction(1800, 19)  # 100 × 90 / 95: a share settled on time of 90% for 95%
IN_TASK = Params(position_indicators="in_task")


def test_position_indicators_join_a_b_c_as_a_fourth_criterion():
    result = score_period(PeriodInput((ITEM,), GENERAL, indicators=INDICATORS), IN_TASK)
    assert result.indicators == INDICATORS
    assert result.task_score == (60 + 55 + 55 + INDICATORS) / 4
    assert result.total == 30 + result.task_score * Fraction(7, 10)


def test_position_indicators_for_information_change_nothing():
    plain = score_period(PeriodInput((ITEM,), GENERAL), Params())
    shown = score_period(PeriodInput((ITEM,), GENERAL, indicators=INDICATORS), Params())
    assert shown.indicators is None
    assert (shown.task_score, shown.total) == (plain.task_score, plain.total)


def test_a_leader_with_indicators_averages_six_criteria_and_organising_stays_exact():
    leader = LeaderCriteria(unit_results=Decimal(100), organising=INDICATORS, team_size=0)
    period = PeriodInput((ITEM,), GENERAL, leader=leader, indicators=Decimal(80))
    result = score_period(period, IN_TASK)
    assert result.organising == INDICATORS
    assert result.task_score == (60 + 55 + 55 + 100 + INDICATORS + 80) / 6


def test_the_bulk_path_agrees_and_the_explanation_names_the_criterion():
    period = PeriodInput((ITEM,), GENERAL, indicators=INDICATORS)
    row = ("T1", Decimal(5), Decimal(1), Decimal(3), 1, 1, 0, 0)
    fast = score_rows([row], GENERAL, None, None, IN_TASK, indicators=INDICATORS)
    assert fast.total == score_period(period, IN_TASK).total
    steps = {step.code: step for step in explain_period(period, IN_TASK)}
    assert steps["indicators"].result == INDICATORS
    assert "/ 4" in steps["task_score"].formula


@pytest.mark.parametrize("value", [Fraction(-1), Fraction(100001, 1000) * 10, Decimal(-1)])
def test_out_of_range_indicator_scores_are_refused(value):
    with pytest.raises(ScoringInputError) as refused:
        score_period(PeriodInput((ITEM,), GENERAL, indicators=value), IN_TASK)
    assert refused.value.field == "indicators"


@pytest.mark.parametrize(
    ("name", "value"), [("organising_source", "auto"), ("position_indicators", "both")]
)
def test_unknown_indicator_settings_are_refused(name, value):
    with pytest.raises(ScoringInputError) as refused:
        Params(**{name: value})
    assert refused.value.field == f"params.{name}"
