"""The province's own name: what every PDF, export header and page title prints.

Four settings (the ``identity`` row of ``province_settings``), changed by a province administrator
on the console and audited on the province chain:

- ``province_name``: the province, as people write it ("Thanh Hóa"); the page titles and the
  header brand add it to the product's name;
- ``authority_name``: the issuing authority printed at the top left of a form, above the unit
  ("ỦY BAN NHÂN DÂN TỈNH THANH HÓA");
- ``place``: the place of the date line ("Thanh Hóa, ngày … tháng … năm …");
- ``logo_path``: optional, a PNG or JPEG seal/logo, a path relative to the instance folder
  (``KPI_INSTANCE_DIR``); checked when saved and again when printed (type by content, never a
  path that leaves the folder, a symbolic link included).

Unset, everything falls back to what the product printed before: "KPI Công vụ / Cấp tỉnh" as the
issuer, the province name for the place when only that is set, a dotted place line otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app, g, has_app_context
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.settings import ProvinceSetting
from tenant_app.security import filetypes
from tenant_app.services.errors import ServiceError
from tenant_app.services.province import settings_store

KEY = "identity"
MAX_LOGO_BYTES = 2 * 1024 * 1024
LIMITS = {"province_name": 100, "authority_name": 200, "place": 100, "logo_path": 255}
_CACHE = "_kpi_province_identity"


@dataclass(frozen=True)
class Identity:
    """The province's names as set (empty strings when unset)."""

    province_name: str = ""
    authority_name: str = ""
    place: str = ""
    logo_path: str = ""

    @property
    def issuer(self) -> str:
        """The authority printed above a form's unit: as set, else the province's name in
        capitals, else "" (the form then prints the product's name)."""
        return self.authority_name or self.province_name.upper()

    @property
    def form_place(self) -> str:
        """The place of the date line: as set, else the province's name, else "" (dotted)."""
        return self.place or self.province_name

    def as_dict(self) -> dict:
        return asdict(self)


def _row() -> ProvinceSetting | None:
    return db.session.get(ProvinceSetting, KEY)


def _from_value(value: dict | None) -> Identity:
    value = value or {}
    return Identity(**{name: str(value.get(name) or "") for name in LIMITS})


def load() -> Identity:
    """The identity as stored now (one query)."""
    row = _row()
    return _from_value(row.value if row is not None else None)


def current() -> Identity:
    """The identity, read once per request or job (kept on ``flask.g`` until it ends)."""
    if not has_app_context():
        return Identity()
    cached = g.get(_CACHE)
    if cached is None:
        cached = load()
        setattr(g, _CACHE, cached)
    return cached


def forget() -> None:
    """Drop the copy kept for this request (after a change)."""
    if has_app_context():
        g.pop(_CACHE, None)


# --- the logo ----------------------------------------------------------------------------


def instance_root() -> Path:
    return Path(current_app.config["KPI_INSTANCE_DIR"]).resolve()


def _logo_refused(message: str) -> ServiceError:
    return ServiceError("logo_invalid", message, field="logo_path")


def check_logo(relative: str) -> Path:
    """Return the file ``relative`` names under the instance folder if it is a PNG or JPEG image.

    Raises ServiceError (field ``logo_path``) for a path that leaves the folder (``..``, an
    absolute path elsewhere, a symbolic link pointing out), a missing file, one too large, or
    content that is not a PNG/JPEG image that decodes (whatever the name says).
    """
    root = instance_root()
    text = (relative or "").strip()
    if "\x00" in text:
        raise _logo_refused(_("Đường dẫn tệp biểu tượng không hợp lệ."))
    try:
        path = (root / text).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        raise _logo_refused(
            _("Không tìm thấy tệp biểu tượng %(path)s trong thư mục dữ liệu.", path=text[:100])
        ) from None
    if not path.is_relative_to(root) or path == root:
        raise _logo_refused(
            _("Tệp biểu tượng phải nằm trong thư mục dữ liệu của hệ thống (instance).")
        )
    if not path.is_file():
        raise _logo_refused(_("Đường dẫn biểu tượng phải là một tệp, không phải thư mục."))
    if path.stat().st_size > MAX_LOGO_BYTES:
        raise _logo_refused(
            _("Tệp biểu tượng quá lớn: tối đa %(mb)d MB.", mb=MAX_LOGO_BYTES // (1024 * 1024))
        )
    try:
        kind = filetypes.detect(path.read_bytes())
    except filetypes.UnacceptedFile:
        kind = None
    if kind not in (filetypes.PNG, filetypes.JPEG):
        raise _logo_refused(_("Tệp biểu tượng phải là ảnh PNG hoặc JPEG còn nguyên vẹn."))
    return path


def logo_file(identity: Identity | None = None) -> Path | None:
    """The logo to print, checked again now; None when unset or no longer acceptable (the file
    was removed or replaced: the form prints without it rather than failing)."""
    identity = identity or current()
    if not identity.logo_path:
        return None
    try:
        return check_logo(identity.logo_path)
    except ServiceError:
        current_app.logger.warning("province logo %r refused", identity.logo_path[:100])
        return None


def logo_for_print() -> tuple[str | None, tuple[Path, ...]]:
    """What a PDF needs of the logo, checked now: the ``file://`` URL its template shows as
    ``province_logo`` (None without one) and the files its URL fetcher may load besides the
    packaged assets (``pdf_fetcher.fetcher(also=…)``)."""
    logo = logo_file()
    return (logo.as_uri(), (logo,)) if logo else (None, ())


# --- changing it -------------------------------------------------------------------------


def _clean(name: str, value) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > LIMITS[name]:
        raise ServiceError(
            "identity_too_long",
            _("Tối đa %(n)d ký tự.", n=LIMITS[name]),
            field=name,
        )
    return text


def update(*, actor, **values) -> Identity:
    """Store the identity given (every field; "" clears one) and record the change on the
    province chain (``province.identity_updated``, before and after). Only a province
    administrator may; raises ServiceError for a value too long or a logo refused by
    ``check_logo``. The caller commits."""
    if not (getattr(actor, "is_province", False) and actor.has_role("province_admin")):
        raise ServiceError(
            "forbidden", _("Chỉ quản trị cấp tỉnh được đổi thông tin của tỉnh."), status=403
        )
    unknown = set(values) - set(LIMITS)
    if unknown:
        raise ValueError(f"unknown identity fields {sorted(unknown)}")
    cleaned = {name: _clean(name, values.get(name)) for name in LIMITS}
    if cleaned["logo_path"]:
        path = check_logo(cleaned["logo_path"])
        cleaned["logo_path"] = path.relative_to(instance_root()).as_posix()
    row = _row()
    before = _from_value(row.value if row is not None else None).as_dict()
    if before == cleaned:
        return _from_value(cleaned)
    settings_store.store(
        KEY, cleaned, before=before, action="province.identity_updated", actor=actor
    )
    forget()
    return _from_value(cleaned)


def seed(values: dict) -> Identity:
    """Store ``values`` as the identity without an actor (the demo and ``kpi`` set-up); audited
    as a system change. The caller commits."""
    cleaned = {name: _clean(name, values.get(name)) for name in LIMITS}
    row = _row()
    if row is None:
        row = ProvinceSetting(key=KEY, value={})
        db.session.add(row)
    before = _from_value(row.value).as_dict()
    if before != cleaned:
        row.value = cleaned
        row.updated_at = utcnow()
        audit.record(
            "province.identity_updated",
            object_type="province_settings",
            object_id=KEY,
            before=before,
            after=cleaned,
            province=True,
        )
    forget()
    return _from_value(cleaned)


# --- pages -------------------------------------------------------------------------------


def for_pages() -> Identity:
    """The identity for a page's title and brand. A page never fails because of it: an error
    page rendered after the database failed shows the product's name alone."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return current()
    except SQLAlchemyError:
        current_app.logger.warning("province identity unavailable", exc_info=True)
        return Identity()


def init_app(app) -> None:
    """Give every template ``province_identity`` (read on first use, once per request)."""

    @app.context_processor
    def _identity():
        return {"province_identity": for_pages}
