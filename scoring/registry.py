"""Registry of versioned rule sets (``nd335_2025`` is the default) and period-score dispatch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from scoring.errors import ScoringInputError
from scoring.explain import Explanation
from scoring.params import Params
from scoring.rulesets import nd90_2020, nd335_2025, vc_2026
from scoring.types import PeriodInput, PeriodResult, WorkItem

DEFAULT_RULE_SET = nd335_2025.CODE
# Stored with every score. Raised whenever a change to the engine could change a stored total,
# grade or explanation for the same inputs, rule set and parameters (docs/scoring.md).
ENGINE_VERSION = nd335_2025.ENGINE_VERSION


@dataclass(frozen=True)
class RuleSet:
    """A versioned rule set: code, title, period scoring and explaining functions, defaults."""

    code: str
    title: str
    score_period: Callable[[PeriodInput, Params], PeriodResult] = field(compare=False)
    default_params: Params = field(default_factory=Params)
    explain_period: Callable[[PeriodInput, Params], Explanation] | None = field(
        default=None, compare=False
    )
    score_rows: Callable[..., PeriodResult] | None = field(default=None, compare=False)
    # The version its results are stored with (``PeriodResult.engine_version``).
    engine_version: str = ENGINE_VERSION


_RULE_SETS: dict[str, RuleSet] = {}


def register_rule_set(rule_set: RuleSet) -> None:
    """Add ``rule_set``; raise ValueError when its code is already registered."""
    if rule_set.code in _RULE_SETS:
        raise ValueError(f"rule set {rule_set.code!r} is already registered")
    _RULE_SETS[rule_set.code] = rule_set


def get_rule_set(code: str | None = None) -> RuleSet:
    """Return the rule set ``code`` (the default when None); raise ScoringInputError if unknown."""
    code = DEFAULT_RULE_SET if code is None else code
    try:
        return _RULE_SETS[code]
    except (KeyError, TypeError):
        known = ", ".join(sorted(_RULE_SETS))
        raise ScoringInputError(
            "rule_set", f"Bộ quy tắc '{code}' không tồn tại (hiện có: {known})."
        ) from None


def rule_set_codes() -> tuple[str, ...]:
    """Return the codes of all registered rule sets, sorted."""
    return tuple(sorted(_RULE_SETS))


for _module in (nd335_2025, vc_2026, nd90_2020):
    register_rule_set(
        RuleSet(
            _module.CODE,
            _module.TITLE,
            _module.score_period,
            explain_period=_module.explain_period,
            score_rows=_module.score_rows,
            engine_version=_module.ENGINE_VERSION,
        )
    )


def resolve_rule_sets(params: Params, starts_on: date) -> dict[str, str]:
    """Return ``{staff_type: rule set code}`` for a period starting on ``starts_on``.

    ``params.staff_rule_sets`` names each kind's rule set; ``vc_2026`` becomes ``nd90_2020`` for
    a period starting before ``params.vc_2026_effective_from``. Raises ScoringInputError naming
    the kind of person when a code is not a registered rule set.
    """
    resolved = {}
    for staff_type, code in params.staff_rule_sets:
        if code not in _RULE_SETS:
            known = ", ".join(sorted(_RULE_SETS))
            raise ScoringInputError(
                f"params.staff_rule_sets.{staff_type}",
                f"Bộ quy tắc '{code}' không tồn tại (hiện có: {known}).",
            )
        if code == vc_2026.CODE and starts_on < params.effective_from:
            code = nd90_2020.CODE
        resolved[staff_type] = code
    return resolved


def score_period(
    period: PeriodInput, params: Params | None = None, rule_set: str | None = None
) -> PeriodResult:
    """Return the period score of ``period`` under ``rule_set`` (default ``nd335_2025``).

    ``params`` defaults to the rule set's defaults. Raises ScoringInputError on invalid input or an
    unknown rule set.
    """
    chosen = get_rule_set(rule_set)
    return chosen.score_period(period, chosen.default_params if params is None else params)


def explain_period(
    period: PeriodInput, params: Params | None = None, rule_set: str | None = None
) -> Explanation:
    """Return the explanation steps of ``period``'s score under ``rule_set``, built now."""
    chosen = get_rule_set(rule_set)
    params = chosen.default_params if params is None else params
    if chosen.explain_period is None:
        return chosen.score_period(period, params).explanation
    return chosen.explain_period(period, params)


def score_rows(
    rows,
    general,
    leader=None,
    forced_fail=None,
    params: Params | None = None,
    rule_set=None,
    indicators=None,
    unit_cap=None,
) -> PeriodResult:
    """Return ``score_period``'s result from item rows ``(code, assigned, coefficient, completed,
    major_errors, delays, exempt_errors, exempt_delays)``: the bulk path, same checks, no
    per-item objects unless the explanation is read. ``unit_cap`` (the unit's rating capping its
    head, read by ``vc_2026``) goes through the full input."""
    chosen = get_rule_set(rule_set)
    params = chosen.default_params if params is None else params
    if chosen.score_rows is None or unit_cap is not None:
        period = PeriodInput(
            items=tuple(WorkItem(*row) for row in rows),
            general=tuple(general),
            leader=leader,
            forced_fail=forced_fail,
            indicators=indicators,
            unit_cap=unit_cap,
        )
        return chosen.score_period(period, params)
    if indicators is None:
        return chosen.score_rows(rows, general, leader, forced_fail, params)
    return chosen.score_rows(rows, general, leader, forced_fail, params, indicators)
