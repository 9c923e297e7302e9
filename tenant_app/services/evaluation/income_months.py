"""Which months an income run pays, the grade of each, and how a month is stored on a line.

A quarter period pays its three months at the quarter's grade; a month period pays itself, or,
when the scheme pays quarterly, the run of a quarter's last month pays the quarter's three months
at each month's approved grade.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.workspace.salaries import month_end


def quarter_months(year: int, quarter: int) -> list[tuple[int, int]]:
    return [(year, m) for m in range(3 * quarter - 2, 3 * quarter + 1)]


def months_and_periods(period: Period, payment: str) -> tuple[list, list[Period]]:
    """The months the run pays and the periods whose approved grades decide them."""
    if period.kind == "quarter":
        return quarter_months(period.year, period.number), [period]
    if payment != "quarterly":
        return [(period.year, period.number)], [period]
    if period.number % 3:
        raise ServiceError(
            "quarterly_payment",
            _(
                "Thu nhập được xác định hằng tháng và chi trả theo quý: hãy tính ở kỳ tháng "
                "cuối quý (tháng %(month)d/%(year)d).",
                month=period.number + 3 - period.number % 3,
                year=period.year,
            ),
            status=409,
        )
    months = quarter_months(period.year, period.number // 3)
    periods = db.session.execute(
        sa.select(Period).where(
            Period.kind == "month",
            Period.year == period.year,
            Period.number.in_([m for _y, m in months]),
        )
    ).scalars()
    return months, list(periods)


def people_and_grades(rows, periods: list[Period], months: list) -> tuple:
    """{staff id: person} and {staff id: {(year, month): grade}} from approved scores."""
    by_id = {p.id: p for p in periods}
    people: dict = {}
    grades: dict = {}
    for score, person in rows:
        people.setdefault(person.id, person)
        scored = by_id[score.period_id]
        covered = months if scored.kind == "quarter" else [(scored.year, scored.number)]
        for key in covered:
            grades.setdefault(person.id, {})[key] = score.grade
    return people, grades


def line_grade(grades: dict) -> str:
    """The grade shown on the line: that of the last month graded."""
    return grades[max(grades)]


def employed(person: StaffMember, year: int, month: int) -> bool:
    first, last = date(year, month, 1), month_end(year, month)
    return person.start_date <= last and (person.end_date is None or person.end_date >= first)


def month_json(month) -> dict:
    return {
        "month": month.month,
        "grade": None if month.grade is None else month.grade.value,
        "salary": None if month.base_salary is None else str(month.base_salary),
        "amount": str(month.amount),
        "missing_salary": month.missing_salary,
    }
