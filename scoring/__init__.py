"""Pure scoring engine of KPI Công vụ: period scores, annual grades, quota, income, indicators.

Frozen dataclasses in and out, exact rationals for every score, standard library only (no
Flask, SQLAlchemy, Redis, rq or tenant_app). See docs/scoring.md.
"""

from scoring.annual import AnnualResult, PeriodTotal, classify_year
from scoring.errors import ScoringInputError
from scoring.explain import Explanation, ExplanationStep, explanation_to_dict, result_to_dict
from scoring.grading import cap_grade, classify, grade_for_total, leader_unit_results
from scoring.income import (
    CoefficientSalarySettings,
    FundSplitSettings,
    IncomeMonth,
    IncomePerson,
    IncomeResult,
    PersonIncome,
    compute_income,
    get_income_scheme,
    register_income_scheme,
)
from scoring.indicators import (
    IndicatorResult,
    IndicatorSpec,
    IndicatorValue,
    UnitIndicatorResult,
    aggregate,
    score_indicator,
    spec_from_mapping,
    unit_indicator_score,
)
from scoring.params import Criterion, ForcedFailReason, Params
from scoring.quota import QuotaCheck, QuotaEntry, QuotaReport, check_quota, quota_allowed
from scoring.registry import (
    DEFAULT_RULE_SET,
    ENGINE_VERSION,
    RuleSet,
    explain_period,
    get_rule_set,
    register_rule_set,
    resolve_rule_sets,
    rule_set_codes,
    score_period,
    score_rows,
)
from scoring.rulesets.nd90_2020 import (
    NotClassified,
    check_htxs_share,
    classify_year_nd90,
    htxs_share_allowed,
)
from scoring.service_time import (
    ABSENCE_KINDS,
    Absence,
    PeriodService,
    YearService,
    period_service,
    year_service,
)
from scoring.types import Grade, LeaderCriteria, PeriodInput, PeriodResult, WorkItem

__all__ = [
    "ABSENCE_KINDS",
    "DEFAULT_RULE_SET",
    "ENGINE_VERSION",
    "Absence",
    "AnnualResult",
    "CoefficientSalarySettings",
    "Criterion",
    "Explanation",
    "ExplanationStep",
    "ForcedFailReason",
    "FundSplitSettings",
    "Grade",
    "IncomeMonth",
    "IncomePerson",
    "IncomeResult",
    "IndicatorResult",
    "IndicatorSpec",
    "IndicatorValue",
    "LeaderCriteria",
    "NotClassified",
    "Params",
    "PeriodInput",
    "PeriodResult",
    "PeriodService",
    "PeriodTotal",
    "PersonIncome",
    "QuotaCheck",
    "QuotaEntry",
    "QuotaReport",
    "RuleSet",
    "ScoringInputError",
    "UnitIndicatorResult",
    "WorkItem",
    "YearService",
    "aggregate",
    "cap_grade",
    "check_quota",
    "classify",
    "classify_year",
    "classify_year_nd90",
    "compute_income",
    "explain_period",
    "explanation_to_dict",
    "get_income_scheme",
    "get_rule_set",
    "grade_for_total",
    "htxs_share_allowed",
    "check_htxs_share",
    "leader_unit_results",
    "period_service",
    "quota_allowed",
    "register_income_scheme",
    "register_rule_set",
    "resolve_rule_sets",
    "result_to_dict",
    "rule_set_codes",
    "score_indicator",
    "score_period",
    "score_rows",
    "spec_from_mapping",
    "unit_indicator_score",
    "year_service",
]
