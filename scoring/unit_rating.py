"""The cap of a head's grade by the unit's own rating (public employees' decree 2026, art. 12(7)).

Pure: the head of a public service unit is not rated above the unit. Grades rank
KHTNV < HTNV < HTT < HTXS (``Grade.rank``).
"""

from __future__ import annotations

from scoring.types import Grade


def cap_grade(grade: Grade | str, cap: Grade | str | None) -> Grade:
    """Return ``grade`` lowered to ``cap`` when it is above it; ``cap`` None leaves it.

    >>> cap_grade("HTXS", "HTT").value
    'HTT'
    >>> cap_grade("HTNV", "HTT").value
    'HTNV'
    """
    grade = Grade.parse(grade, "grade")
    if cap is None:
        return grade
    cap = Grade.parse(cap, "unit_cap")
    return cap if grade.rank > cap.rank else grade
