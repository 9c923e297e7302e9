"""The HTXS quota check: per agency and per quota group, HTXS ≤ ratio × people rated HTT."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from scoring.explain import Explanation, ExplanationStep
from scoring.numbers import DECIMAL_CONTEXT
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

    ``must_lower`` is how many HTXS the approver has to lower, choosing among ``htxs_person_ids``.
    """

    scope: str
    agency: str
    group: str | None
    htxs_count: int
    htt_count: int
    ratio: Decimal
    allowed: int
    must_lower: int
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
    """Return the HTXS allowed: ``ratio × htt_count`` rounded by ``params.quota_rounding``."""
    ratio = params.quota_ratio if ratio is None else ratio
    with localcontext(DECIMAL_CONTEXT):
        exact = ratio * htt_count
        return int(exact.quantize(Decimal(1), rounding=QUOTA_ROUNDINGS[params.quota_rounding]))


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
        htt_count = sum(1 for e in members if e.grade is Grade.HTT)
        allowed = quota_allowed(htt_count, params, ratio)
        must_lower = max(0, len(htxs_ids) - allowed)
        check = QuotaCheck(
            scope, agency, group, len(htxs_ids), htt_count, ratio, allowed, must_lower, htxs_ids
        )
        checks.append(check)
        name = agency if group is None else f"{agency} / nhóm {group}"
        verdict = "đạt" if check.ok else f"vượt, cần hạ {must_lower} người (có ghi lý do)"
        steps.append(
            ExplanationStep(
                f"quota:{scope}:{agency}" + (f":{group}" if group else ""),
                f"Tỷ lệ HTXS – {name}",
                {"htxs_count": len(htxs_ids), "htt_count": htt_count, "ratio": ratio},
                f"cho phép = {params.quota_rounding}({ratio} × {htt_count}) = {allowed}; "
                f"HTXS {len(htxs_ids)} → {verdict}",
                Decimal(allowed),
            )
        )
    violations = tuple(c for c in checks if not c.ok)
    return QuotaReport(tuple(checks), violations, tuple(steps))


def _sort_key(key: tuple[str, str, str | None]) -> tuple[str, int, str]:
    scope, agency, group = key
    return (agency, 0 if scope == "agency" else 1, group or "")
