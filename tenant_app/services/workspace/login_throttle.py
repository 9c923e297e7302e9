"""Sign-in throttling per (username, source address): growing holds, the same for every username.

Failures are counted per pair, so whoever guesses from one address holds back only that address
for that username: the real user signing in from another address is not locked out. Unknown
usernames are counted and held exactly like real ones, so no answer tells which accounts exist.

After ``KPI_LOGIN_MAX_FAILURES`` failures in a row the pair is held for ``KPI_LOGIN_LOCKOUT``;
every further failure (once the hold is over) doubles it, up to ``KPI_LOGIN_LOCKOUT_MAX``. A
success from the pair, an administrator's unlock or a password reset clears the count; a pair
quiet for ``FORGET_AFTER`` starts again from zero. Tenant sign-ins are counted in the tenant in
context (a tenant table), province sign-ins in a province table.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from tenant_app.extensions import db
from tenant_app.models.users import LoginThrottle, ProvinceLoginThrottle

FORGET_AFTER = timedelta(hours=24)
UNKNOWN_ADDRESS = "unknown"


def _model(province: bool):
    return ProvinceLoginThrottle if province else LoginThrottle


def normalise_username(username: str | None) -> str:
    """The key a username is counted under: trimmed, lower case, at most 64 characters."""
    return (username or "").strip().lower()[:64]


def normalise_address(address: str | None) -> str:
    """The key a source address is counted under (``unknown`` when there is none)."""
    return (address or UNKNOWN_ADDRESS).strip()[:64] or UNKNOWN_ADDRESS


def _row(model, username: str, address: str):
    return db.session.execute(
        sa.select(model).where(model.username == username, model.address == address)
    ).scalar_one_or_none()


def held_until(username: str, address: str, *, province: bool, now: datetime) -> datetime | None:
    """Return when the hold on (``username``, ``address``) ends, or None if it is not held."""
    row = _row(_model(province), username, address)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def hold_after(failures: int) -> timedelta | None:
    """Return the hold that the ``failures``-th failure in a row starts (None below the limit)."""
    config = current_app.config
    limit = max(int(config["KPI_LOGIN_MAX_FAILURES"]), 1)
    if failures < limit:
        return None
    first, cap = config["KPI_LOGIN_LOCKOUT"], config["KPI_LOGIN_LOCKOUT_MAX"]
    return min(first * (2 ** min(failures - limit, 30)), max(cap, first))


def record_failure(
    username: str, address: str, *, province: bool, now: datetime
) -> timedelta | None:
    """Count a failed sign-in of the pair; return the hold it starts, if any. Caller commits."""
    model = _model(province)
    row = _row(model, username, address)
    if row is None:
        row = _insert(model, username, address, now)
    elif now - row.last_failure_at > FORGET_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    hold = hold_after(row.failures)
    row.locked_until = now + hold if hold else None
    _purge_stale(model, now)
    return hold


def _insert(model, username: str, address: str, now: datetime):
    """Add the pair's row; if a concurrent request added it first, use that one."""
    try:
        with db.session.begin_nested():
            row = model(username=username, address=address, failures=0, last_failure_at=now)
            db.session.add(row)
    except IntegrityError:
        row = _row(model, username, address)
    return row


def _purge_stale(model, now: datetime) -> None:
    """Drop pairs quiet for longer than ``FORGET_AFTER`` and not held (keeps the table small)."""
    db.session.execute(
        sa.delete(model)
        .where(
            model.last_failure_at < now - FORGET_AFTER,
            sa.or_(model.locked_until.is_(None), model.locked_until < now),
        )
        .execution_options(synchronize_session=False)
    )


def clear(username: str, address: str, *, province: bool) -> None:
    """Forget the failures of one pair (after a successful sign-in). Caller commits."""
    model = _model(province)
    db.session.execute(
        sa.delete(model)
        .where(model.username == username, model.address == address)
        .execution_options(synchronize_session=False)
    )


def clear_username(username: str, *, province: bool, now: datetime) -> int:
    """Forget the failures of ``username`` from every address; return how many pairs were held.

    Caller commits.
    """
    model = _model(province)
    name = normalise_username(username)
    held = db.session.execute(
        sa.select(sa.func.count())
        .select_from(model)
        .where(model.username == name, model.locked_until > now)
    ).scalar_one()
    db.session.execute(
        sa.delete(model).where(model.username == name).execution_options(synchronize_session=False)
    )
    return held
