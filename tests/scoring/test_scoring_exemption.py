"""Errors and delays with an approved objective cause do not deduct."""

from dataclasses import replace
from decimal import Decimal

from scoring import WorkItem, score_period


def test_exemption_exempt_error_and_delays_restore_credit(golden_period):
    """Exempting T1's error and both delays gives b = c = a = 75."""
    t1, t2, t3 = golden_period.items
    exempt = replace(t1, exempt_errors=1, exempt_delays=2)
    result = score_period(replace(golden_period, items=(exempt, t2, t3)))
    assert (result.a, result.b, result.c) == (Decimal(75), Decimal(75), Decimal(75))


def test_exemption_partial_exemption_deducts_the_rest(golden_period):
    """Exempting one of T1's two delays deducts 0.25 unit: c = 14.75 / 20 = 73.75."""
    t1, t2, t3 = golden_period.items
    result = score_period(replace(golden_period, items=(replace(t1, exempt_delays=1), t2, t3)))
    assert result.c == Decimal("73.75")


def test_exemption_is_shown_in_item_step(golden_period):
    """The item step records exempt counts so the person sees why nothing was deducted."""
    item = WorkItem("T1", 10, 1, 10, major_errors=1, exempt_errors=1)
    result = score_period(replace(golden_period, items=(item,)))
    step = result.explanation[0]
    assert (step.inputs["major_errors"], step.inputs["exempt_errors"]) == (1, 1)
    assert step.inputs["quality_units"] == 10
