"""Periodic work: the table the scheduler (``kpi scheduler``) enqueues from.

Add an entry to PERIODIC to schedule a province-level job (it receives ``tenant_id=None``; a job
that works per tenant enqueues one job per tenant itself). Run exactly one ``kpi scheduler``:
each scheduler process enqueues every entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenant_app.background import paths
from tenant_app.background.queues import DEFAULT


@dataclass(frozen=True)
class Periodic:
    name: str
    cron: str  # crontab syntax, server time
    func: str  # dotted path of a job function taking tenant_id (None) first
    queue: str = DEFAULT


PERIODIC: list[Periodic] = [
    Periodic("audit.verify_chains", "30 1 * * *", paths.AUDIT_VERIFY_CHAINS),
    # Periods that open automatically, periods moved on at their window ends (the calendar,
    # docs/operations.md), and reminders of windows closing tomorrow (07:00 local).
    Periodic("evaluation.daily", "0 0 * * *", paths.EVALUATION_DAILY_ALL),
    # Every unit's comparison figures rebuilt from scratch (safety net behind the live refresh).
    Periodic("comparison.nightly", "0 20 * * *", paths.COMPARISON_REFRESH_ALL),
    # Province export files past their download lifetime deleted (rows kept), every hour.
    Periodic("exports.purge", "15 * * * *", paths.EXPORT_PURGE),
    # Stored files past their retention policy purged in every unit (archived ones too), at night
    # in Vietnam (02:45 local on a UTC server).
    Periodic("retention.daily", "45 19 * * *", paths.RETENTION_DAILY_ALL),
    # Break-glass accounts past their expiry marked disabled (the expiry itself holds at once).
    Periodic("break_glass.expire", "*/10 * * * *", paths.BREAK_GLASS_EXPIRE_ALL),
]
