"""The scoring parameters frozen in a period, as the engine reads them.

Its own module because the comparison figures need it and the period's life cycle needs the
comparison (a status change refreshes the figures): neither imports the other through it.
"""

from __future__ import annotations

from scoring import Params, get_rule_set
from tenant_app.models.evaluation import Period


def params_of(period: Period) -> Params:
    """The scoring parameters frozen in the period."""
    rule_set = get_rule_set(period.rule_set)
    return Params.from_dict(period.params or {}, base=rule_set.default_params)


def rule_set_for(period: Period, staff_type: str | None) -> str:
    """The rule set scoring a person of ``staff_type`` in ``period``: the one frozen for that
    kind when the period opened, else the period's own (periods opened before 0020)."""
    return (period.rule_sets or {}).get(staff_type) or period.rule_set
