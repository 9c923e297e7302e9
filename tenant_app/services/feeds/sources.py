"""Data sources of a unit: their settings, their code mappings and their own tokens.

Every change is audited in the caller's transaction; the caller commits.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.formatting import DEFAULT_TIMEZONE, local_zone
from tenant_app.models.base import utcnow
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Period
from tenant_app.models.feeds import FeedItemMap, FeedOfficerMap, FeedSource, FeedToken
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import FeedKind, LatePolicy, values
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.workspace import tokens
from tenant_app.tenancy import current_tenant_id

# The province's clock is ``formatting.local_zone()`` (KPI_TIMEZONE); this default serves the
# demo and the simulator, which run before any app is configured.
LOCAL_ZONE = ZoneInfo(DEFAULT_TIMEZONE)
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,31}$")
TOKEN_PREFIX = "kpi_f"

KIND_LABELS = {
    FeedKind.ONE_STOP: _l("Một cửa (hồ sơ thủ tục hành chính)"),
    FeedKind.DOCUMENTS: _l("Quản lý văn bản, giao việc điện tử"),
    FeedKind.DISBURSEMENT: _l("Giải ngân"),
    FeedKind.OTHER: _l("Hệ thống khác"),
}
POLICY_LABELS = {
    LatePolicy.HOLD: _l("Chuyển sang kỳ sau"),
    LatePolicy.REFUSE: _l("Từ chối"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def policy_label(policy: str) -> str:
    return str(POLICY_LABELS.get(policy, policy))


# --- reading


def list_sources() -> list[FeedSource]:
    return list(db.session.execute(sa.select(FeedSource).order_by(FeedSource.code)).scalars())


def get_source(source_id) -> FeedSource:
    try:
        key = uuid.UUID(str(source_id))
    except ValueError:
        key = None
    row = None if key is None else db.session.get(FeedSource, (current_tenant_id(), key))
    if row is None:
        raise NotFound("not_found", _("Không tìm thấy nguồn dữ liệu."))
    return row


def find_source(code: str) -> FeedSource | None:
    return db.session.execute(
        sa.select(FeedSource).where(FeedSource.code == code)
    ).scalar_one_or_none()


def closing_at(source: FeedSource, period: Period) -> datetime:
    """The naive UTC instant at which ``period``'s data close for ``source``: day
    ``closing_day`` of the month after the period ends, at ``closing_time`` local time."""
    end = period.ends_on
    year, month = (end.year + 1, 1) if end.month == 12 else (end.year, end.month + 1)
    local = datetime.combine(date(year, month, source.closing_day), source.closing_time)
    return local.replace(tzinfo=local_zone()).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def officer_maps(source: FeedSource) -> list[tuple[FeedOfficerMap, StaffMember]]:
    return list(
        db.session.execute(
            sa.select(FeedOfficerMap, StaffMember)
            .join(
                StaffMember,
                sa.and_(
                    StaffMember.tenant_id == FeedOfficerMap.tenant_id,
                    StaffMember.id == FeedOfficerMap.staff_id,
                ),
            )
            .where(FeedOfficerMap.source_id == source.id)
            .order_by(FeedOfficerMap.external_id)
        ).all()
    )


def item_maps(source: FeedSource) -> list[tuple[FeedItemMap, CatalogueItem]]:
    return list(
        db.session.execute(
            sa.select(FeedItemMap, CatalogueItem)
            .join(
                CatalogueItem,
                sa.and_(
                    CatalogueItem.tenant_id == FeedItemMap.tenant_id,
                    CatalogueItem.id == FeedItemMap.item_id,
                ),
            )
            .where(FeedItemMap.source_id == source.id)
            .order_by(FeedItemMap.external_code)
        ).all()
    )


def tokens_of(source: FeedSource) -> list[FeedToken]:
    return list(
        db.session.execute(
            sa.select(FeedToken)
            .where(FeedToken.source_id == source.id)
            .order_by(FeedToken.created_at.desc())
        ).scalars()
    )


# --- writing the source


def _snapshot(source: FeedSource) -> dict:
    return {
        "code": source.code,
        "name": source.name,
        "kind": source.kind,
        "closing_day": source.closing_day,
        "closing_time": source.closing_time.strftime("%H:%M"),
        "late_policy": source.late_policy,
        "active": source.active,
    }


def _clean(data: dict, source: FeedSource | None) -> dict:
    out: dict = {}
    if source is None or "code" in data:
        code = str(data.get("code") or "").strip().lower()
        if not CODE_PATTERN.match(code):
            raise ServiceError(
                "invalid_code",
                _("Mã nguồn gồm 2–32 chữ thường không dấu, số hoặc gạch nối (ví dụ: mot-cua)."),
                field="code",
            )
        other = find_source(code)
        if other is not None and (source is None or other.id != source.id):
            raise Conflict("duplicate_code", _("Mã nguồn đã được dùng."), field="code")
        out["code"] = code
    if source is None or "name" in data:
        name = str(data.get("name") or "").strip()
        if not 2 <= len(name) <= 200:
            raise ServiceError("invalid_name", _("Tên nguồn cần từ 2 đến 200 ký tự."), field="name")
        out["name"] = name
    if source is None or "kind" in data:
        if data.get("kind") not in values(FeedKind):
            raise ServiceError("invalid_kind", _("Loại nguồn không hợp lệ."), field="kind")
        out["kind"] = data["kind"]
    if "closing_day" in data or source is None:
        day = data.get("closing_day", 3)
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 28:
            raise ServiceError(
                "invalid_closing_day",
                _("Ngày chốt số liệu là một ngày từ 1 đến 28 của tháng sau kỳ."),
                field="closing_day",
            )
        out["closing_day"] = day
    if "closing_time" in data or source is None:
        at = data.get("closing_time", time(17, 0))
        if isinstance(at, str):
            try:
                at = time.fromisoformat(at)
            except ValueError:
                at = None
        if not isinstance(at, time):
            raise ServiceError(
                "invalid_closing_time", _("Giờ chốt số liệu có dạng HH:MM."), field="closing_time"
            )
        out["closing_time"] = at.replace(second=0, microsecond=0, tzinfo=None)
    if "late_policy" in data or source is None:
        policy = data.get("late_policy", LatePolicy.HOLD.value)
        if policy not in values(LatePolicy):
            raise ServiceError(
                "invalid_policy",
                _("Cách xử lý số liệu gửi muộn không hợp lệ."),
                field="late_policy",
            )
        out["late_policy"] = policy
    if "active" in data:
        out["active"] = bool(data["active"])
    if "description" in data:
        out["description"] = str(data["description"] or "").strip()[:500] or None
    return out


def create_source(data: dict, *, actor=None) -> FeedSource:
    source = FeedSource(**_clean(data, None))
    db.session.add(source)
    db.session.flush()
    audit.record(
        "feed.source_created",
        object_type="feed_source",
        object_id=source.id,
        after=_snapshot(source),
        actor=actor,
    )
    return source


def update_source(source: FeedSource, data: dict, *, actor=None) -> FeedSource:
    before = _snapshot(source)
    for key, value in _clean(data, source).items():
        setattr(source, key, value)
    db.session.flush()
    after = _snapshot(source)
    if after != before:
        audit.record(
            "feed.source_updated",
            object_type="feed_source",
            object_id=source.id,
            before=before,
            after=after,
            actor=actor,
        )
    return source


# --- mappings


def _external(value, field: str, label: str) -> str:
    text = str(value or "").strip()
    if not 1 <= len(text) <= 64:
        raise ServiceError(
            "invalid_external", _("%(f)s cần từ 1 đến 64 ký tự.", f=label), field=field
        )
    return text


def map_officer(source: FeedSource, external_id, staff_code: str, *, actor=None) -> FeedOfficerMap:
    """Map the external officer id to the person with ``staff_code`` (replacing an old mapping)."""
    external = _external(external_id, "external_id", _("Mã cán bộ ở hệ thống nguồn"))
    person = db.session.execute(
        sa.select(StaffMember).where(StaffMember.code == str(staff_code or "").strip())
    ).scalar_one_or_none()
    if person is None:
        raise ServiceError(
            "unknown_staff", _("Không có nhân sự mã “%(c)s”.", c=staff_code), field="staff_code"
        )
    return _mapped(
        source,
        FeedOfficerMap,
        ("external_id", external),
        ("staff_id", person.id),
        "feed.officer_mapped",
        {"staff_code": person.code},
        actor,
    )


def map_item(source: FeedSource, external_code, canonical_code: str, *, actor=None) -> FeedItemMap:
    """Map the external procedure or task type to the catalogue item with ``canonical_code``
    (or, for a unit's own item without one, with that item code)."""
    external = _external(external_code, "external_code", _("Mã thủ tục/loại việc ở nguồn"))
    code = str(canonical_code or "").strip()
    item = (
        db.session.execute(
            sa.select(CatalogueItem)
            .where(sa.or_(CatalogueItem.canonical_code == code, CatalogueItem.code == code))
            .order_by(CatalogueItem.canonical_code.is_(None))
        )
        .scalars()
        .first()
    )
    if item is None:
        raise ServiceError(
            "unknown_item",
            _("Danh mục không có sản phẩm/chỉ số mã “%(c)s”.", c=code),
            field="canonical_code",
        )
    return _mapped(
        source,
        FeedItemMap,
        ("external_code", external),
        ("item_id", item.id),
        "feed.item_mapped",
        {"item_code": item.code},
        actor,
    )


def _mapped(source: FeedSource, model, key: tuple, target: tuple, action: str, named: dict, actor):
    """Create or repoint the ``model`` mapping of ``key`` (field, value) to ``target`` (field,
    id), audited with the old and the new target (``named`` adds the target's code)."""
    key_field, external = key
    target_field, target_id = target
    row = db.session.execute(
        sa.select(model).where(model.source_id == source.id, getattr(model, key_field) == external)
    ).scalar_one_or_none()
    before = (
        None
        if row is None
        else {key_field: external, target_field: str(getattr(row, target_field))}
    )
    if row is None:
        row = model(source_id=source.id, **{key_field: external, target_field: target_id})
        db.session.add(row)
    else:
        setattr(row, target_field, target_id)
    db.session.flush()
    audit.record(
        action,
        object_type="feed_source",
        object_id=source.id,
        before=before,
        after={key_field: external, target_field: str(target_id), **named},
        actor=actor,
    )
    return row


def unmap(source: FeedSource, kind: str, external: str, *, actor=None) -> None:
    model, column = (
        (FeedOfficerMap, FeedOfficerMap.external_id)
        if kind == "officer"
        else (FeedItemMap, FeedItemMap.external_code)
    )
    row = db.session.execute(
        sa.select(model).where(model.source_id == source.id, column == external)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("not_found", _("Không tìm thấy ánh xạ."))
    db.session.delete(row)
    audit.record(
        f"feed.{kind}_unmapped",
        object_type="feed_source",
        object_id=source.id,
        before={"external": external},
        actor=actor,
    )


# --- tokens


def issue_token(
    source: FeedSource, *, actor=None, name: str = "feed", lifetime_days: int | None = None
) -> tuple[str, FeedToken]:
    """A new token for the source's service account; returns (the token, shown once; its row).

    The prefix carries the unit's id so the token is looked up in its own unit only.
    """
    days = lifetime_days or current_app.config.get("KPI_FEED_TOKEN_DAYS", 365)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 730:
        raise ServiceError(
            "invalid_lifetime", _("Thời hạn token từ 1 đến 730 ngày."), field="lifetime_days"
        )
    token = f"{TOKEN_PREFIX}{source.tenant_id}_" + secrets.token_urlsafe(32)
    row = FeedToken(
        source_id=source.id,
        token_hash=tokens.digest(token),
        name=(name or "feed").strip()[:100] or "feed",
        expires_at=utcnow() + timedelta(days=days),
        created_by=getattr(actor, "id", None) if not getattr(actor, "is_province", False) else None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "feed.token_issued",
        object_type="feed_source",
        object_id=source.id,
        after={"token_id": str(row.id), "name": row.name, "expires_at": row.expires_at},
        actor=actor,
    )
    return token, row


def revoke_token(source: FeedSource, token_id, *, actor=None) -> FeedToken:
    try:
        key = uuid.UUID(str(token_id))
    except ValueError:
        key = None
    row = None if key is None else db.session.get(FeedToken, (source.tenant_id, key))
    if row is None or row.source_id != source.id:
        raise NotFound("not_found", _("Không tìm thấy token."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(
            "feed.token_revoked",
            object_type="feed_source",
            object_id=source.id,
            after={"token_id": str(row.id)},
            actor=actor,
        )
    return row


def rotate_token(source: FeedSource, *, actor=None) -> tuple[str, FeedToken]:
    """Revoke every usable token of the source and issue a new one (one audited change)."""
    now = utcnow()
    for row in tokens_of(source):
        if row.usable(now):
            revoke_token(source, row.id, actor=actor)
    return issue_token(source, actor=actor, name="feed")


def token_tenant_id(token: str) -> int | None:
    """The unit id a feed token was issued in, from its prefix (None if not a feed token)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    head = token[len(TOKEN_PREFIX) :].split("_", 1)[0]
    return int(head) if head.isdigit() else None


def resolve_token(token: str) -> FeedToken | None:
    """The usable feed token row for ``token`` in the unit in context, or None."""
    if token_tenant_id(token) != current_tenant_id():
        return None
    row = db.session.execute(
        sa.select(FeedToken).where(FeedToken.token_hash == tokens.digest(token))
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or not row.usable(now):
        return None
    tokens.note_use(row, now)
    return row
