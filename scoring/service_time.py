"""Time in service: days worked in a period, and the year's figures the old regime reads.

Pure: dates in (the period, the day the person joined and the day they left, both inclusive, and
their absences, inclusive), exact counts out. Days worked = days of the period within the
person's service, less the days of an absence (overlapping absences are counted once).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from scoring.errors import ScoringInputError

ABSENCE_KINDS = ("maternity", "sickness", "training", "other")
# As the explanation names them (plain Vietnamese, like every label of the engine).
ABSENCE_LABELS = {
    "maternity": "nghỉ thai sản",
    "sickness": "nghỉ ốm đau",
    "training": "đi đào tạo, bồi dưỡng",
    "other": "nghỉ khác",
}


@dataclass(frozen=True)
class Absence:
    """A leave from ``starts_on`` to ``ends_on`` (both inclusive) and its document reference."""

    kind: str
    starts_on: date
    ends_on: date
    reference: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ABSENCE_KINDS:
            raise ScoringInputError("absences.kind", "Loại vắng mặt không hợp lệ.")
        if not isinstance(self.starts_on, date) or not isinstance(self.ends_on, date):
            raise ScoringInputError("absences.starts_on", "Ngày vắng mặt không hợp lệ.")
        if self.ends_on < self.starts_on:
            raise ScoringInputError(
                "absences.ends_on", "Ngày kết thúc không được trước ngày bắt đầu."
            )

    @property
    def label(self) -> str:
        return ABSENCE_LABELS[self.kind]


@dataclass(frozen=True)
class PeriodService:
    """A person's service in one period: days in the period, in post, absent, and worked.

    ``absences`` are those that take days of this period while the person is in post.
    ``share`` = days worked / days in the period, exact.
    """

    days_in_period: int
    days_in_post: int
    days_absent: int
    absences: tuple[Absence, ...] = ()

    @property
    def days_worked(self) -> int:
        return self.days_in_post - self.days_absent

    @property
    def share(self) -> Fraction:
        return Fraction(self.days_worked, self.days_in_period)

    @property
    def worked(self) -> bool:
        return self.days_worked > 0

    @property
    def full(self) -> bool:
        return self.days_worked == self.days_in_period


def _in_post(start: date, end: date, joined: date | None, left: date | None) -> tuple[date, date]:
    return max(start, joined) if joined else start, min(end, left) if left else end


def period_service(
    starts_on: date,
    ends_on: date,
    *,
    joined: date | None = None,
    left: date | None = None,
    absences: Iterable[Absence] = (),
) -> PeriodService:
    """Return the person's service in the period ``starts_on``–``ends_on`` (inclusive).

    ``joined``/``left`` are the first and last days of service (None: before / after the period).
    Raises ScoringInputError when the period ends before it starts.
    """
    if ends_on < starts_on:
        raise ScoringInputError("period.ends_on", "Kỳ kết thúc trước khi bắt đầu.")
    first, last = _in_post(starts_on, ends_on, joined, left)
    in_post = max(0, (last - first).days + 1)
    # Each leave clipped to the days in post, then merged, so overlapping leaves count once.
    taking = sorted(
        (a for a in absences if max(a.starts_on, first) <= min(a.ends_on, last)),
        key=lambda a: (a.starts_on, a.ends_on),
    )
    absent = 0
    covered_until = first - timedelta(days=1)
    for absence in taking:
        start = max(absence.starts_on, first, covered_until + timedelta(days=1))
        end = min(absence.ends_on, last)
        if end >= start:
            absent += (end - start).days + 1
            covered_until = end
    return PeriodService((ends_on - starts_on).days + 1, in_post, absent, tuple(taking))


@dataclass(frozen=True)
class YearService:
    """The figures of a year the Decree 90/2020 thresholds read, each an exact number of months.

    A month counts as its share of days: 17 days of a 31-day October are 17/31 of a month.
    ``months_in_post`` is the time in service (joined–left); ``months_absent`` the part of it on
    leave; ``months_worked`` = in post − absent; ``months_absent_maternity`` the maternity part;
    ``maternity`` whether any maternity leave falls in the year while in post.
    """

    year: int
    months_in_post: Fraction
    months_absent: Fraction
    months_absent_maternity: Fraction

    @property
    def months_worked(self) -> Fraction:
        return self.months_in_post - self.months_absent

    @property
    def maternity(self) -> bool:
        return self.months_absent_maternity > 0


def year_service(
    year: int,
    *,
    joined: date | None = None,
    left: date | None = None,
    absences: Iterable[Absence] = (),
) -> YearService:
    """Return the year's months in post, absent (all kinds, and maternity) and worked, exactly."""
    absences = tuple(absences)
    maternity = tuple(a for a in absences if a.kind == "maternity")
    in_post = absent = absent_maternity = Fraction(0)
    for month in range(1, 13):
        length = calendar.monthrange(year, month)[1]
        start, end = date(year, month, 1), date(year, month, length)
        whole = period_service(start, end, joined=joined, left=left, absences=absences)
        in_post += Fraction(whole.days_in_post, length)
        absent += Fraction(whole.days_absent, length)
        mat = period_service(start, end, joined=joined, left=left, absences=maternity)
        absent_maternity += Fraction(mat.days_absent, length)
    return YearService(year, in_post, absent, absent_maternity)
