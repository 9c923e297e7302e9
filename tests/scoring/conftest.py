"""Small fixtures for the scoring tests: the worked check of DOMAIN.md."""

from decimal import Decimal

import pytest

from scoring import PeriodInput, WorkItem


@pytest.fixture
def golden_items():
    """The DOMAIN.md month: T1 10 × 1.0 (1 error, 2 delays), T2 2 × 2.5, T3 1 × 5.0 not done."""
    return (
        WorkItem("T1", 10, Decimal("1.0"), 10, major_errors=1, delays=2),
        WorkItem("T2", 2, Decimal("2.5"), 2),
        WorkItem("T3", 1, Decimal("5.0"), 0),
    )


@pytest.fixture
def golden_period(golden_items):
    """The DOMAIN.md month with general criteria 9 + 9 + 9 = 27."""
    return PeriodInput(items=golden_items, general=(9, 9, 9))


@pytest.fixture
def golden_input_json():
    """The DOMAIN.md month in the sandbox JSON shape."""
    return {
        "rule_set": "nd335_2025",
        "params": {},
        "leader": False,
        "items": [
            {
                "code": "T1",
                "assigned": 10,
                "coefficient": "1.0",
                "completed": 10,
                "major_errors": 1,
                "delays": 2,
                "exempt_errors": 0,
                "exempt_delays": 0,
            },
            {"code": "T2", "assigned": 2, "coefficient": "2.5", "completed": 2},
            {"code": "T3", "assigned": 1, "coefficient": "5.0", "completed": 0},
        ],
        "general": [9, 9, 9],
        "leader_criteria": None,
        "forced_fail": None,
    }
