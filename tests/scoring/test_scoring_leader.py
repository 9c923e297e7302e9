"""Leaders: unit results and organising join a, b, c in the task-score mean."""

from dataclasses import replace
from decimal import Decimal

from scoring import Grade, LeaderCriteria, Params, leader_unit_results, score_period


def test_leader_task_score_is_mean_of_five_criteria(golden_period):
    """Golden month as a leader with unit results 100 and organising 80: mean of five criteria."""
    period = replace(golden_period, leader=LeaderCriteria(100, 80))
    result = score_period(period)
    # (75 + 73.75 + 72.5 + 100 + 80) / 5 = 80.25 → 56.175 points, total 83.175
    assert result.task_score == Decimal("80.25")
    assert result.task_points == Decimal("56.175")
    assert result.total == Decimal("83.175")
    assert (result.unit_results, result.organising) == (100, 80)
    assert result.grade is Grade.HTT


def test_leader_explanation_has_leader_step(golden_period):
    """A leader's explanation includes the leader-criteria step before the task score."""
    result = score_period(replace(golden_period, leader=LeaderCriteria(50, 50)))
    codes = [s.code for s in result.explanation]
    assert codes.index("leader_criteria") == codes.index("task_score") - 1


def test_leader_non_leader_has_no_leader_criteria(golden_period):
    """A non-leader result carries None for the leader criteria."""
    result = score_period(golden_period)
    assert (result.unit_results, result.organising) == (None, None)


def test_leader_corruption_forces_fail(golden_period):
    """leader_corruption forces KHTNV for a leader."""
    period = replace(
        golden_period, leader=LeaderCriteria(100, 100), forced_fail="leader_corruption"
    )
    assert score_period(period).grade is Grade.KHTNV


def test_leader_unit_results_all_completed_is_100():
    """Every subordinate at HTNV or better gives 100."""
    assert leader_unit_results([Grade.HTXS, Grade.HTT, "HTNV"], Params()) == 100


def test_leader_unit_results_any_failure_is_50():
    """One subordinate at KHTNV gives 50."""
    assert leader_unit_results([Grade.HTXS, Grade.KHTNV], Params()) == 50


def test_leader_unit_results_empty_team_is_100():
    """A leader without subordinates counts as all passing."""
    assert leader_unit_results([], Params()) == 100
