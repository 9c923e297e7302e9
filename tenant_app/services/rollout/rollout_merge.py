"""Three-way merge of a template version into one tenant: base, new version, the tenant's tables.

``base`` is the payload the tenant last applied (``TenantConfig.base_payload``; None for a unit
that never applied one), ``new`` the version being applied, ``local`` the tenant's configuration
read from its tables in the same canonical shape (``template_payload``). Per field:

- unchanged by the template → the unit's value stays (a local change survives the upgrade);
- unchanged by the unit → the template's value is taken;
- changed by both, differently → a mandatory item takes the template's value and says so;
  anything else is a conflict the rules cannot settle: the tenant stops with a message.

Positions and items a unit stopped using (inactive rows) read as absent. Reads only; the plan is
written by ``rollout_apply``. Run inside the tenant's context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem, CatalogueVersion, ItemPosition
from tenant_app.models.org import JobPosition
from tenant_app.models.staff import StaffAssignment
from tenant_app.services.rollout.template_payload import (
    DECIMAL_KEYS,
    ITEM_KEYS,
    POSITION_KEYS,
    SETTINGS_MAP,
    dec,
    field_label,
)

MISSING = object()
KEEP = object()  # a field's three-way result: the local value stays
# Value fields live in catalogue versions; the others on the item row.
VALUE_KEYS = ("coefficient", "target", "band_low", "band_high", "cap_percent", "weight", "bands")
SETTING_SECTIONS = ("scoring", "schedule", "approval", "income")


@dataclass
class LocalState:
    """The tenant's configuration as payload-shaped dicts, plus what the apply step needs."""

    positions: dict[str, dict]
    items: dict[str, dict]  # by canonical code (a unit's own item: by its code)
    settings: dict
    item_rows: dict[str, CatalogueItem]
    position_rows: dict[str, JobPosition]
    inactive_items: dict[str, CatalogueItem]
    inactive_positions: dict[str, JobPosition]
    held_positions: set[str]
    codes_in_use: dict[str, str]  # item code → canonical code (or code) of the item using it
    versions: dict = field(default_factory=dict)  # item id → its value versions, oldest first


@dataclass
class Plan:
    """What applying ``new`` to the tenant does; ``conflicts`` non-empty means: nothing."""

    positions: list[dict] = field(default_factory=list)  # {"op", "code", "fields", "entry"}
    items: list[dict] = field(default_factory=list)  # {"op", "key", "fields", "entry"}
    settings: dict | None = None  # the whole new Tenant.settings, None when unchanged
    changes: list[dict] = field(default_factory=list)
    kept: list[dict] = field(default_factory=list)
    overrides: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.positions or self.items or self.settings is not None)

    def diff(self) -> dict:
        """The JSON stored on the rollout target and shown on the board."""
        return {
            "changes": self.changes,
            "kept": self.kept,
            "overrides": self.overrides,
            "counts": {
                "changes": len(self.changes),
                "kept": len(self.kept),
                "overrides": len(self.overrides),
                "conflicts": len(self.conflicts),
            },
        }


def _position_dict(row: JobPosition) -> dict:
    return {key: getattr(row, key) for key in POSITION_KEYS}


def _bands(value):
    if not value:
        return None
    return [{"from": dec(b["from"]), "score": dec(b["score"])} for b in value]


def read_local(tenant) -> LocalState:
    """Read the tenant's positions, catalogue (latest values) and settings, set-based."""
    positions, inactive_positions, by_id = {}, {}, {}
    for row in db.session.execute(sa.select(JobPosition)).scalars():
        by_id[row.id] = row
        (positions if row.active else inactive_positions)[row.code] = row
    held = {
        by_id[pid].code
        for pid in db.session.execute(
            sa.select(StaffAssignment.position_id).where(StaffAssignment.effective_to.is_(None))
        ).scalars()
        if pid in by_id
    }
    latest: dict = {}
    history: dict = {}
    for version in db.session.execute(
        sa.select(CatalogueVersion).order_by(CatalogueVersion.effective_from)
    ).scalars():
        latest[version.item_id] = version
        history.setdefault(version.item_id, []).append(version)
    links: dict = {}
    for item_id, position_id in db.session.execute(
        sa.select(ItemPosition.item_id, ItemPosition.position_id)
    ).all():
        position = by_id.get(position_id)
        if position is not None and position.active:
            links.setdefault(item_id, []).append(position.code)
    items, rows, inactive, codes = {}, {}, {}, {}
    for row in db.session.execute(sa.select(CatalogueItem)).scalars():
        key = row.canonical_code or row.code
        codes[row.code] = key
        if not row.active:
            inactive[key] = row
            continue
        entry = {name: getattr(row, name, None) for name in ITEM_KEYS if name not in VALUE_KEYS}
        version = latest.get(row.id)
        for name in VALUE_KEYS:
            entry[name] = None if version is None else getattr(version, name)
        entry["canonical_code"] = key
        entry["positions"] = sorted(links.get(row.id, []))
        entry["mandatory"] = bool(row.mandatory)
        for name in DECIMAL_KEYS:
            entry[name] = dec(entry[name])
        entry["bands"] = _bands(entry["bands"])
        items[key], rows[key] = entry, row
    return LocalState(
        positions={code: _position_dict(row) for code, row in positions.items()},
        items=items,
        settings=dict(tenant.settings or {}),
        item_rows=rows,
        position_rows=positions,
        inactive_items=inactive,
        inactive_positions=inactive_positions,
        held_positions=held,
        codes_in_use=codes,
        versions=history,
    )


# --- settings as flat leaves


def _flatten(value, prefix: str, out: dict) -> dict:
    if isinstance(value, dict):
        for key in sorted(value):
            _flatten(value[key], f"{prefix}.{key}", out)
    else:
        out[prefix] = _plain(value)
    return out


def _plain(value):
    if isinstance(value, Decimal):
        return dec(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def setting_leaves(payload: dict | None) -> dict:
    """The settings sections of a payload as {"scoring.params.x": value, …}."""
    out: dict = {}
    for section in SETTING_SECTIONS:
        for key, value in ((payload or {}).get(section) or {}).items():
            _flatten(value, f"{section}.{key}", out)
    return out


def local_setting_leaves(settings: dict) -> dict:
    """The tenant's settings read back into payload leaves (SETTINGS_MAP in reverse)."""
    out: dict = {}
    for (section, key), name in SETTINGS_MAP.items():
        if name in settings and settings[name] is not None:
            _flatten(settings[name], f"{section}.{key}", out)
    return out


def settings_from_leaves(current: dict, leaves: dict) -> dict:
    """Return ``current`` settings with every SETTINGS_MAP key rebuilt from ``leaves``."""
    result = dict(current)
    for (section, key), name in SETTINGS_MAP.items():
        prefix = f"{section}.{key}"
        value = MISSING
        for path, leaf in sorted(leaves.items()):
            if path == prefix:
                value = leaf
            elif path.startswith(prefix + "."):
                if value is MISSING or not isinstance(value, dict):
                    value = {}
                node = value
                parts = path[len(prefix) + 1 :].split(".")
                for part in parts[:-1]:
                    node = node.setdefault(part, {})
                node[parts[-1]] = leaf
        if value is MISSING:
            result.pop(name, None)
        else:
            result[name] = value
    return result


# --- the merge


def _show(value) -> str:
    if value is MISSING or value is None or value == []:
        return _("(trống)")
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "; ".join(f"{b.get('from')}→{b.get('score')}" for b in value)
        return ", ".join(str(v) for v in value)
    return str(value)


def _jsonable(value):
    return None if value is MISSING else value


def _norm(value):
    # Compare numbers by value whatever their type or spelling (3, "3", "3.0", Decimal("3.00")).
    if isinstance(value, bool) or value is MISSING or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return dec(value)
    if isinstance(value, str):
        try:
            return dec(value) if value.strip() and Decimal(value).is_finite() else value
        except ArithmeticError:
            return value
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


class _Merger:
    def __init__(self, base: dict | None, new: dict, local: LocalState):
        self.base, self.new, self.local = base, new, local
        self.adopting = base is None
        self.plan = Plan()

    # recording -------------------------------------------------------------

    def _entry(self, kind, section, key, name, field_name, **values):
        row = {"section": section, "key": key, "name": name, "field": field_name}
        row.update({k: _jsonable(v) for k, v in values.items()})
        if kind == "change":
            self.plan.changes.append(row)
        elif kind == "kept":
            self.plan.kept.append(row)
        elif kind == "override":
            self.plan.overrides.append(row)
        else:
            self.plan.conflicts.append(row)
        return row

    def conflict(self, section, key, name, field_name, message, **values):
        self._entry("conflict", section, key, name, field_name, message=message, **values)

    # three-way of one field ------------------------------------------------

    def field(self, section, key, name, field_name, b, n, lv, *, mandatory=False):
        """Return the value to write (MISSING: remove it) or KEEP, after recording the outcome."""
        if self.adopting:
            b = lv  # nothing known about local changes: adopting a template takes its values
        nb, nn, nl = _norm(b), _norm(n), _norm(lv)
        if nn == nb:
            if nl != nb:
                self._entry("kept", section, key, name, field_name, local=lv, template=n)
            return KEEP
        if nl == nb:
            self._entry("change", section, key, name, field_name, old=lv, new=n)
            return n
        if nl == nn:
            return KEEP
        if mandatory:
            self._entry(
                "override", section, key, name, field_name, local=lv, template=n,
                message=_(
                    "Mục bắt buộc «%(name)s» (%(key)s): %(field)s của đơn vị (%(local)s) được "
                    "thay bằng giá trị của mẫu (%(template)s).",
                    name=name, key=key, field=field_label(field_name).lower(),
                    local=_show(lv), template=_show(n),
                ),
            )  # fmt: skip
            return n
        self.conflict(
            section, key, name, field_name,
            _(
                "%(what)s – %(field)s: đơn vị đã đổi thành %(local)s, mẫu mới đổi thành "
                "%(template)s (trước đây %(base)s). Hệ thống không tự chọn: hãy thống nhất với "
                "đơn vị rồi chạy lại cho đơn vị này.",
                what=name, field=field_label(field_name), local=_show(lv),
                template=_show(n), base=_show(b),
            ),
            local=lv, template=n, base=b,
        )  # fmt: skip
        return KEEP

    # entities --------------------------------------------------------------

    def keyed(self, section, base_map, new_map, local_map):
        for key in sorted(set(base_map) | set(new_map)):
            b, n, lv = base_map.get(key), new_map.get(key), local_map.get(key)
            name = (n or lv or b or {}).get("name") or key
            if n is not None and (b is None or self.adopting):
                if lv is None:
                    self.create(section, key, name, n)
                else:
                    self.update(section, key, name, lv, lv, n)
            elif n is None:
                if lv is not None:
                    self.remove(section, key, name, b, lv)
            elif lv is None:
                self.absent_locally(section, key, name, b, n)
            else:
                self.update(section, key, name, b, lv, n)

    def create(self, section, key, name, n):
        if section == "items":
            owner = self.local.codes_in_use.get(n["code"])
            if owner is not None and owner != key:
                self.conflict(
                    section, key, name, "code",
                    _(
                        "Mục mới «%(name)s» (%(key)s) dùng mã %(code)s, nhưng đơn vị đã dùng mã "
                        "này cho mục %(owner)s. Hãy đổi mã ở đơn vị hoặc trong mẫu.",
                        name=name, key=key, code=n["code"], owner=owner,
                    ),
                )  # fmt: skip
                return
            op = "reactivate" if key in self.local.inactive_items else "create"
        else:
            op = "reactivate" if key in self.local.inactive_positions else "create"
        self._entry("change", section, key, name, None, old=None, new=n)
        getattr(self.plan, section).append({"op": op, "key": key, "fields": dict(n), "entry": n})

    def update(self, section, key, name, b, lv, n):
        mandatory = section == "items" and bool(n.get("mandatory"))
        writes = {}
        for field_name in sorted(set(n) | set(lv)):
            value = self.field(
                section, key, name, field_name,
                b.get(field_name, MISSING), n.get(field_name, MISSING),
                lv.get(field_name, MISSING), mandatory=mandatory,
            )  # fmt: skip
            if value is not KEEP:
                writes[field_name] = None if value is MISSING else value
        if section == "items":
            self._mandatory_range(key, name, lv, n, writes)
            if "kind" in writes:
                self.conflict(
                    section, key, name, "kind",
                    _(
                        "Mẫu mới đổi loại của mục «%(name)s» (%(key)s): không đổi được loại của "
                        "mục đã dùng; mẫu cần một mã chuẩn mới cho mục này.",
                        name=name, key=key,
                    ),
                )  # fmt: skip
                return
        if writes:
            getattr(self.plan, section).append(
                {"op": "update", "key": key, "fields": writes, "entry": {**lv, **writes}}
            )

    def _mandatory_range(self, key, name, lv, n, writes):
        # A kept local value of a mandatory item must still fit the (new) allowed range.
        if not n.get("mandatory"):
            return
        value_key = "coefficient" if n.get("kind") == "work_item" else "target"
        if value_key in writes:
            return
        value = lv.get(value_key)
        if value is None or value == n.get(value_key):
            return
        low, high = n.get("allowed_min"), n.get("allowed_max")
        number = Decimal(value)
        fits = (low is not None or high is not None) and not (
            (low is not None and number < Decimal(low))
            or (high is not None and number > Decimal(high))
        )
        if fits:
            return
        writes[value_key] = n.get(value_key)
        self.plan.kept = [
            k for k in self.plan.kept if not (k["key"] == key and k["field"] == value_key)
        ]
        self._entry(
            "override", "items", key, name, value_key, local=value, template=n.get(value_key),
            message=_(
                "Mục bắt buộc «%(name)s» (%(key)s): %(field)s của đơn vị (%(local)s) nằm ngoài "
                "khoảng mẫu cho phép nên được thay bằng giá trị của mẫu (%(template)s).",
                name=name, key=key, field=field_label(value_key).lower(), local=value,
                template=_show(n.get(value_key)),
            ),
        )  # fmt: skip

    def remove(self, section, key, name, b, lv):
        if section == "positions" and key in self.local.held_positions:
            self.conflict(
                section, key, name, None,
                _(
                    "Mẫu mới bỏ vị trí việc làm %(key)s «%(name)s» nhưng vị trí đang có người "
                    "đảm nhiệm: hãy chuyển người sang vị trí khác hoặc giữ vị trí trong mẫu.",
                    key=key, name=name,
                ),
            )  # fmt: skip
            return
        if (
            b is not None
            and not self.adopting
            and any(lv.get(k, MISSING) != b.get(k, MISSING) for k in set(lv) | set(b))
        ):
            self.conflict(
                section, key, name, None,
                _(
                    "Mẫu mới bỏ «%(name)s» (%(key)s) nhưng đơn vị đã sửa mục này: cần quyết "
                    "định giữ lại hay ngừng sử dụng.",
                    name=name, key=key,
                ),
            )  # fmt: skip
            return
        self._entry("change", section, key, name, None, old=lv, new=None)
        getattr(self.plan, section).append({"op": "deactivate", "key": key, "fields": {}})

    def absent_locally(self, section, key, name, b, n):
        # The unit stopped using it. A mandatory item comes back; otherwise the unit's choice holds.
        if section == "items" and n.get("mandatory"):
            self._entry(
                "override", section, key, name, "active", local=False, template=True,
                message=_(
                    "Mục bắt buộc «%(name)s» (%(key)s) đơn vị đã ngừng sử dụng được dùng lại "
                    "theo mẫu.",
                    name=name, key=key,
                ),
            )  # fmt: skip
            self.plan.items.append({"op": "reactivate", "key": key, "fields": dict(n), "entry": n})
        elif n != b:
            self._entry("kept", section, key, name, "active", local=False, template=True)

    def settings(self):
        b = setting_leaves(self.base)
        n = setting_leaves(self.new)
        lv = local_setting_leaves(self.local.settings)
        merged = dict(lv)
        changed = False
        for path in sorted(set(b) | set(n) | set(lv)):
            section = path.split(".", 1)[0]
            value = self.field(
                section, section, field_label(section), path.split(".", 1)[1],
                b.get(path, MISSING), n.get(path, MISSING), lv.get(path, MISSING),
            )  # fmt: skip
            if value is KEEP:
                continue
            changed = True
            if value is MISSING:
                merged.pop(path, None)
            else:
                merged[path] = value
        if changed:
            self.plan.settings = settings_from_leaves(self.local.settings, merged)


def plan_merge(base: dict | None, new: dict, local: LocalState) -> Plan:
    """Return the plan of applying canonical payload ``new`` over ``base`` to ``local``."""
    merger = _Merger(base, new, local)
    by = {"positions": "code", "items": "canonical_code"}
    for section, key_name in by.items():
        merger.keyed(
            section,
            {e[key_name]: e for e in (base or {}).get(section) or []},
            {e[key_name]: e for e in new.get(section) or []},
            local.positions if section == "positions" else local.items,
        )
    merger.settings()
    return merger.plan
