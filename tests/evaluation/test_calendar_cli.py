"""``kpi calendar run`` and ``kpi calendar simulate``: the daily calendar with a frozen clock."""

from __future__ import annotations

from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.tenancy import tenant_context
from tests.evaluation.test_calendar_views import _unapproved_work


def test_cli_calendar_run_moves_one_unit_on_a_given_day(app, tenant_a, ward_a, tenant_b):
    """``run --today --unit`` does that unit's day: the empty month of 2026-11 closes on
    11 December, and running the same day again prints nothing new."""
    runner = app.test_cli_runner()
    args = ["calendar", "run", "--today", "2026-12-11", "--unit", "phuong-a"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "closed 2026-11" in result.output and "phuong-b" not in result.output
    again = runner.invoke(args=args)
    assert again.exit_code == 0 and "closed" not in again.output
    with tenant_context(tenant_a):
        assert db.session.get(Period, (tenant_a.id, ward_a["period"])).status == "closed"


def test_cli_calendar_run_unknown_unit_is_refused(app, tenant_a):
    """An unknown unit is a usage error."""
    result = app.test_cli_runner().invoke(
        args=["calendar", "run", "--today", "2026-12-11", "--unit", "nowhere"]
    )
    assert result.exit_code == 2 and "nowhere" in result.output


def test_cli_calendar_simulate_prints_what_waits_for_a_person(app, tenant_a, ward_a):
    """A simulated December: the period with an unapproved result stays open and the output
    names the approval still waiting, with its days late."""
    _unapproved_work(tenant_a, ward_a)
    result = app.test_cli_runner().invoke(
        args=["calendar", "simulate", "--from", "2026-12-01", "--to", "2026-12-20"]
    )
    assert result.exit_code == 0, result.output
    assert "window ended 2026-11:approval" in result.output
    assert "2026-11=open" in result.output
    assert (
        "WAITING phuong-a" in result.output and "approval: 1 pending, 10 days late" in result.output
    )
