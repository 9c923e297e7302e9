"""The HTXS quota check: per agency and per quota group, HTXS ≤ ratio × people rated HTT."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from scoring.explain import Explanation, ExplanationStep
from scoring.numbers import round_fraction, shown
from scoring.params import QUOTA_ROUNDINGS, Params
from scoring.types import Grade


@dataclass(frozen=True)
class QuotaEntry:
    """One person's proposed grade, agency and optional quota group (nhóm nhiệm vụ tương đồng)."""

    person_id: str
    grade: Grade
    agency: str
    quota_group: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "grade", Grade.parse(self.grade, f"people[{self.person_id}].grade")
        )


@dataclass(frozen=True)
class QuotaCheck:
    """The count in one scope. ``scope`` is ``"agency"`` (``group`` None) or ``"quota_group"``.

    ``allowed`` is the HTXS allowance now. ``must_lower`` is the fewest HTXS the approver has to
    lower (choosing among ``htxs_person_ids``); each person lowered becomes HTT and raises the
    allowance, which is ``allowed_after`` once ``must_lower`` people are lowered.
    """

    scope: str
    agency: str
    group: str | None
    htxs_count: int
    htt_count: int
    ratio: Decimal
    allowed: int
    must_lower: int
    allowed_after: int
    htxs_person_ids: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Return True when the scope is within its quota."""
        return self.must_lower == 0


@dataclass(frozen=True)
class QuotaReport:
    """Every scope checked, the violating ones, and an explanation. Grades are never changed."""

    checks: tuple[QuotaCheck, ...]
    violations: tuple[QuotaCheck, ...]
    explanation: Explanation = field(default=(), hash=False)


def quota_allowed(htt_count: int, params: Params, ratio: Decimal | None = None) -> int:
    """Return the HTXS allowed: exact ``ratio × htt_count`` rounded by ``params.quota_rounding``."""
    ratio = params.quota_ratio if ratio is None else ratio
    exact = Fraction(ratio) * htt_count
    return int(round_fraction(exact, 0, QUOTA_ROUNDINGS[params.quota_rounding]))


def must_lower(htxs_count: int, htt_count: int, params: Params, ratio: Decimal) -> int:
    """Return the smallest k ≥ 0 with ``htxs_count − k ≤ allowed(htt_count + k)``.

    Lowering a person from HTXS makes them HTT, so the allowance grows as k grows; the condition
    is monotone in k and always holds at k = htxs_count (nobody left at HTXS), which bounds the
    binary search even when the allowance stays 0 (a ratio of 0).
    """
    low, high = 0, htxs_count
    while low < high:
        k = (low + high) // 2
        if htxs_count - k <= quota_allowed(htt_count + k, params, ratio):
            high = k
        else:
            low = k + 1
    return low


def check_quota(
    entries: Iterable[QuotaEntry],
    params: Params | None = None,
    *,
    outstanding_agencies: Collection[str] = (),
) -> QuotaReport:
    """Return the quota report for ``entries``, counted per agency and per (agency, quota group).

    Agencies in ``outstanding_agencies`` (units with outstanding achievements) use
    ``params.quota_ratio_outstanding``. The report only informs: it never changes a grade.
    """
    params = params or Params()
    entries = tuple(entries)
    scopes: dict[tuple[str, str, str | None], list[QuotaEntry]] = {}
    for entry in entries:
        scopes.setdefault(("agency", entry.agency, None), []).append(entry)
        if entry.quota_group is not None:
            key = ("quota_group", entry.agency, entry.quota_group)
            scopes.setdefault(key, []).append(entry)
    checks = []
    steps = []
    for (scope, agency, group), members in sorted(scopes.items(), key=lambda kv: _sort_key(kv[0])):
        ratio = (
            params.quota_ratio_outstanding if agency in outstanding_agencies else params.quota_ratio
        )
        htxs_ids = tuple(e.person_id for e in members if e.grade is Grade.HTXS)
        htxs = len(htxs_ids)
        htt = sum(1 for e in members if e.grade is Grade.HTT)
        allowed = quota_allowed(htt, params, ratio)
        lower = must_lower(htxs, htt, params, ratio)
        after = quota_allowed(htt + lower, params, ratio)
        check = QuotaCheck(scope, agency, group, htxs, htt, ratio, allowed, lower, after, htxs_ids)
        checks.append(check)
        name = agency if group is None else f"{agency} / nhóm {group}"
        steps.append(
            ExplanationStep(
                f"quota:{scope}:{agency}" + (f":{group}" if group else ""),
                f"Tỷ lệ HTXS – {name}",
                {
                    "htxs_count": htxs,
                    "htt_count": htt,
                    "ratio": ratio,
                    "allowed": allowed,
                    "must_lower": lower,
                    "allowed_after": after,
                },
                _reasoning(check, params),
                lower,
            )
        )
    violations = tuple(c for c in checks if not c.ok)
    return QuotaReport(tuple(checks), violations, tuple(steps))


def _reasoning(check: QuotaCheck, params: Params) -> str:
    """Write out why ``must_lower`` people, and not one fewer, have to be lowered."""

    def allowance(htt: int) -> str:
        ratio = shown(check.ratio, 6)
        return (
            f"{params.quota_rounding}({ratio} × {htt}) = {quota_allowed(htt, params, check.ratio)}"
        )

    htxs, htt, k = check.htxs_count, check.htt_count, check.must_lower
    if k == 0:
        return f"HTXS {htxs}, HTT {htt}, cho phép {allowance(htt)} → đạt"
    text = (
        f"HTXS {htxs} > cho phép {allowance(htt)} → vượt, cần hạ ít nhất {k} người (có ghi lý do);"
        f" hạ {k}: HTXS còn {htxs - k}, HTT thành {htt + k}, cho phép {allowance(htt + k)} → đạt"
    )
    if k > 1:
        text += f"; hạ {k - 1}: HTXS còn {htxs - k + 1} > {allowance(htt + k - 1)} → chưa đạt"
    return text


def _sort_key(key: tuple[str, str, str | None]) -> tuple[str, int, str]:
    scope, agency, group = key
    return (agency, 0 if scope == "agency" else 1, group or "")
