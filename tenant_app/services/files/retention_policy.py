"""The retention policy of files: how long each kind of stored file is kept before the purge.

One province-level setting (the ``retention`` row of ``province_settings``), changed by a
province administrator on ``/admin/retention`` and audited on the province chain. Every value is
a whole number; 0 means "never purge this kind". The defaults are the product's choice (no text
at hand fixes them; see docs/operations.md, "Lưu giữ và xoá tệp"):

- ``import_workbook_days`` (90): a committed import's workbook, counted from the import; its rows
  are in the database and the commit in the audit log, the file is only a copy;
- ``rejected_upload_days`` (30): an import never committed (refused by validation, failed, or
  checked and abandoned), counted from the upload;
- ``export_days`` (7): a stored export file (the province's background exports; a unit's exports
  are built on request and never stored), counted from when it was built; the download link
  usually expires sooner (``KPI_EXPORT_HOURS``) and the hourly purge removes the file then;
- ``evidence_years`` (10): evidence (minh chứng) of a report, counted from when its period was
  locked (the last lock, never before the period's end); evidence of a period that is not locked
  is never purged, whatever its age;
- ``orphan_days`` (30, at least 1): a file in a unit's upload folder that no row names (an upload
  whose transaction rolled back), counted from its last change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.settings import ProvinceSetting
from tenant_app.services.errors import ServiceError
from tenant_app.services.province import settings_store

KEY = "retention"


@dataclass(frozen=True)
class Policy:
    """How long each kind of file is kept (0: never purged)."""

    import_workbook_days: int = 90
    rejected_upload_days: int = 30
    export_days: int = 7
    evidence_years: int = 10
    orphan_days: int = 30

    def as_dict(self) -> dict:
        return asdict(self)


NAMES = tuple(f.name for f in fields(Policy))
DEFAULTS = Policy()
# Accepted range of each value: (lowest, highest). Orphans need a day's grace at least: an upload
# writes its file before its row commits.
LIMITS = {
    "import_workbook_days": (0, 3650),
    "rejected_upload_days": (0, 3650),
    "export_days": (0, 3650),
    "evidence_years": (0, 100),
    "orphan_days": (1, 3650),
}


def _from_value(value: dict | None) -> Policy:
    """The policy stored in ``value``; a missing or unreadable entry takes its default."""
    value = value or {}
    known = {}
    for name in NAMES:
        low, high = LIMITS[name]
        try:
            number = int(value[name])
        except (KeyError, TypeError, ValueError):
            continue
        if low <= number <= high:
            known[name] = number
    return Policy(**known)


def load() -> Policy:
    """The policy as stored now, defaults for whatever is not set."""
    row = db.session.get(ProvinceSetting, KEY)
    return _from_value(row.value if row is not None else None)


def _clean(name: str, value) -> int:
    low, high = LIMITS[name]
    text = str(value if value is not None else "").strip()
    try:
        number = int(text)
    except ValueError:
        raise ServiceError(
            "retention_invalid", _("Nhập một số nguyên (0 là không bao giờ xoá)."), field=name
        ) from None
    if not low <= number <= high:
        raise ServiceError(
            "retention_out_of_range",
            _("Nhập một số từ %(low)d đến %(high)d.", low=low, high=high),
            field=name,
        )
    return number


def update(*, actor, **values) -> Policy:
    """Store the policy given (every value) and record the change on the province chain
    (``retention.policy_updated``, before and after). Only a province administrator may (403
    otherwise); raises ServiceError naming the field for a value that is not a whole number in
    its range. The caller commits."""
    if not (getattr(actor, "is_province", False) and actor.has_role("province_admin")):
        raise ServiceError(
            "forbidden",
            _("Chỉ quản trị cấp tỉnh được đổi thời hạn lưu giữ tệp."),
            status=403,
        )
    unknown = set(values) - set(NAMES)
    if unknown:
        raise ValueError(f"unknown retention fields {sorted(unknown)}")
    cleaned = {name: _clean(name, values.get(name)) for name in NAMES}
    row = db.session.get(ProvinceSetting, KEY)
    before = _from_value(row.value if row is not None else None).as_dict()
    settings_store.store(
        KEY, cleaned, before=before, action="retention.policy_updated", actor=actor
    )
    return Policy(**cleaned)
