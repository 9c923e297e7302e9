"""One province setting (a row of ``province_settings``) written with its audited change.

The province's identity and its retention policy are each one JSON value under a key; both are
changed the same way: the row created or updated, then one event on the province chain naming
only the fields that changed (before and after).
"""

from __future__ import annotations

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.settings import ProvinceSetting


def store(key: str, cleaned: dict, *, before: dict, action: str, actor) -> bool:
    """Store ``cleaned`` under ``key`` and record ``action`` with the changed fields' before and
    after values. Returns False, writing nothing, when the stored value already equals it. The
    caller checked who may and commits."""
    row = db.session.get(ProvinceSetting, key)
    if row is not None and before == cleaned and row.value == cleaned:
        return False
    if row is None:
        row = ProvinceSetting(key=key, value={})
        db.session.add(row)
    row.value = cleaned
    row.updated_at = utcnow()
    row.updated_by = actor.id
    changed = [name for name in cleaned if before.get(name) != cleaned[name]]
    audit.record(
        action,
        object_type="province_settings",
        object_id=key,
        before={name: before.get(name) for name in changed},
        after={name: cleaned[name] for name in changed},
        actor=actor,
        province=True,
    )
    return True
