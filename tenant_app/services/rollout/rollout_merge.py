"""Three-way merge of a template version into one unit, pure: plain data in, a plan out.

``base`` is the payload the unit last applied (``TenantConfig.base_payload``; None for a unit
that never applied one: onboarding), ``new`` the version being applied, ``state`` the unit's
configuration as plain data in the same canonical shape (``UnitState``, read by ``unit_state``).
Per field:

- unchanged by the template → the unit's value stays (a local change survives the upgrade);
- unchanged by the unit → the template's value is taken;
- changed by both, differently → a mandatory item takes the template's value and says so;
  anything else is a conflict the rules cannot settle: the unit stops with a message.

With no base, every value of the unit counts as unchanged, so the version is adopted whole.
Positions, items and sources a unit stopped using (inactive) read as absent. A source's item
mappings merge one by one, as fields ``mappings.<external code>``
(``payload_format.source_fields``): a mapping the template never had (the unit's own) is never
touched. No database, Flask or translation here (a test holds it to that): lines carry a
``MessageCode`` and its params, made readable where they are shown (``plan_messages``);
``rollout_apply`` writes the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from tenant_app.services.rollout.payload_format import (
    KEYED_SECTIONS,
    MAPPING_PREFIX,
    dec,
    local_setting_leaves,
    setting_leaves,
    settings_from_leaves,
    source_entry,
    source_fields,
)

MISSING = object()
KEEP = object()  # a field's three-way result: the local value stays


class MessageCode(StrEnum):
    """What a line of the plan tells the administrator (texts in ``plan_messages``)."""

    MANDATORY_OVERRIDE = "mandatory_override"
    MANDATORY_OUT_OF_RANGE = "mandatory_out_of_range"
    MANDATORY_REACTIVATED = "mandatory_reactivated"
    BOTH_CHANGED = "both_changed"
    CODE_IN_USE = "code_in_use"
    KIND_CHANGED = "kind_changed"
    POSITION_HELD = "position_held"
    REMOVED_BUT_CHANGED = "removed_but_changed"


class OpKind(StrEnum):
    CREATE = "create"
    REACTIVATE = "reactivate"
    UPDATE = "update"
    DEACTIVATE = "deactivate"


@dataclass(frozen=True)
class UnitState:
    """A unit's configuration as plain data, payload-shaped (``payload_format`` keys)."""

    positions: dict[str, dict] = field(default_factory=dict)  # active ones, by code
    items: dict[str, dict] = field(default_factory=dict)  # active, by canonical code (own: code)
    settings: dict = field(default_factory=dict)  # Tenant.settings
    sources: dict[str, dict] = field(default_factory=dict)  # active data sources, by code
    inactive_positions: frozenset[str] = frozenset()
    inactive_items: frozenset[str] = frozenset()
    inactive_sources: frozenset[str] = frozenset()
    held_positions: frozenset[str] = frozenset()  # codes of positions someone holds now
    codes_in_use: dict[str, str] = field(default_factory=dict)  # item code → key of its item


@dataclass(frozen=True)
class Op:
    """One write: ``kind`` the entry ``key`` with ``fields`` (create, reactivate: all of them).

    A source's ``fields`` are flat (``source_fields``): a mapping written as None is removed."""

    kind: OpKind
    key: str
    fields: dict


@dataclass(frozen=True)
class Line:
    """One outcome to report: a change taken, a local value kept, an override, a conflict.

    ``values``: ``old``/``new`` for a change, ``local``/``template`` (and ``base`` for a
    conflict) otherwise. ``name`` is None for a settings section (its label is the reader's).
    """

    section: str
    key: str
    name: str | None
    field: str | None
    values: dict
    code: MessageCode | None = None
    params: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The line as stored on the rollout target (JSON)."""
        row = {"section": self.section, "key": self.key, "name": self.name, "field": self.field}
        row.update(self.values)
        if self.code is not None:
            row.update(code=self.code.value, params=self.params)
        return row


@dataclass
class Plan:
    """What applying ``new`` to the unit does; ``conflicts`` non-empty means: nothing."""

    positions: list[Op] = field(default_factory=list)
    items: list[Op] = field(default_factory=list)
    sources: list[Op] = field(default_factory=list)
    settings: dict | None = None  # the whole new Tenant.settings, None when unchanged
    changes: list[Line] = field(default_factory=list)
    kept: list[Line] = field(default_factory=list)
    overrides: list[Line] = field(default_factory=list)
    conflicts: list[Line] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.positions or self.items or self.sources or self.settings is not None)

    def diff(self) -> dict:
        """The JSON stored on the rollout target and shown on the board."""
        return {
            "changes": [line.as_dict() for line in self.changes],
            "kept": [line.as_dict() for line in self.kept],
            "overrides": [line.as_dict() for line in self.overrides],
            "counts": {
                "changes": len(self.changes),
                "kept": len(self.kept),
                "overrides": len(self.overrides),
                "conflicts": len(self.conflicts),
            },
        }


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


def _line(section, key, name, field_name, code=None, params=None, **values) -> Line:
    return Line(
        section, key, name, field_name,
        {k: _jsonable(v) for k, v in values.items()},
        code, {k: _jsonable(v) for k, v in (params or {}).items()},
    )  # fmt: skip


class _Merger:
    def __init__(self, base: dict | None, new: dict, state: UnitState):
        self.base, self.new, self.state = base, new, state
        self.adopting = base is None
        self.plan = Plan()

    def conflict(self, section, key, name, field_name, code, params, **values):
        self.plan.conflicts.append(_line(section, key, name, field_name, code, params, **values))

    # three-way of one field ------------------------------------------------

    def field(self, section, key, name, field_name, b, n, lv, *, mandatory=False):
        """Return the value to write (MISSING: remove it) or KEEP, after recording the outcome."""
        if self.adopting:
            b = lv  # nothing known about local changes: adopting a template takes its values
        nb, nn, nl = _norm(b), _norm(n), _norm(lv)
        if nn == nb:
            if nl != nb:
                self.plan.kept.append(_line(section, key, name, field_name, local=lv, template=n))
            return KEEP
        if nl == nb:
            self.plan.changes.append(_line(section, key, name, field_name, old=lv, new=n))
            return n
        if nl == nn:
            return KEEP
        if mandatory:
            params = {"name": name, "key": key, "field": field_name, "local": lv, "template": n}
            self.plan.overrides.append(
                _line(section, key, name, field_name, MessageCode.MANDATORY_OVERRIDE, params,
                      local=lv, template=n)
            )  # fmt: skip
            return n
        params = {"name": name, "field": field_name, "local": lv, "template": n, "base": b}
        self.conflict(
            section, key, name, field_name, MessageCode.BOTH_CHANGED, params,
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
            owner = self.state.codes_in_use.get(n["code"])
            if owner is not None and owner != key:
                params = {"name": name, "key": key, "code": n["code"], "owner": owner}
                self.conflict(section, key, name, "code", MessageCode.CODE_IN_USE, params)
                return
            inactive = self.state.inactive_items
        elif section == "sources":
            inactive = self.state.inactive_sources
        else:
            inactive = self.state.inactive_positions
        kind = OpKind.REACTIVATE if key in inactive else OpKind.CREATE
        shown = source_entry(n) if section == "sources" else n
        self.plan.changes.append(_line(section, key, name, None, old=None, new=shown))
        getattr(self.plan, section).append(Op(kind, key, dict(n)))

    def update(self, section, key, name, b, lv, n):
        mandatory = section == "items" and bool(n.get("mandatory"))
        writes = {}
        for field_name in sorted(set(n) | set(lv)):
            if (
                section == "sources"
                and field_name.startswith(MAPPING_PREFIX)
                and field_name not in n
                and (self.adopting or field_name not in b)
            ):
                continue  # a mapping the template does not mention: the unit's own
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
                params = {"name": name, "key": key}
                self.conflict(section, key, name, "kind", MessageCode.KIND_CHANGED, params)
                return
        if writes:
            getattr(self.plan, section).append(Op(OpKind.UPDATE, key, writes))

    def _mandatory_range(self, key, name, lv, n, writes):
        # A kept local value of a mandatory item must still fit the (new) allowed range.
        if not n.get("mandatory"):
            return
        value_key = "coefficient" if n.get("kind") == "work_item" else "target"
        if value_key in writes:
            return
        value = lv.get(value_key)
        if value is None or value == n.get(value_key) or _fits(value, n):
            return
        writes[value_key] = n.get(value_key)
        self.plan.kept = [k for k in self.plan.kept if (k.key, k.field) != (key, value_key)]
        template = n.get(value_key)
        params = {"name": name, "key": key, "field": value_key, "local": value,
                  "template": template}  # fmt: skip
        self.plan.overrides.append(
            _line("items", key, name, value_key, MessageCode.MANDATORY_OUT_OF_RANGE, params,
                  local=value, template=template)
        )  # fmt: skip

    def remove(self, section, key, name, b, lv):
        params = {"name": name, "key": key}
        if section == "positions" and key in self.state.held_positions:
            self.conflict(section, key, name, None, MessageCode.POSITION_HELD, params)
            return
        if (
            b is not None
            and not self.adopting
            and any(lv.get(k, MISSING) != b.get(k, MISSING) for k in set(lv) | set(b))
        ):
            self.conflict(section, key, name, None, MessageCode.REMOVED_BUT_CHANGED, params)
            return
        shown = source_entry(lv) if section == "sources" else lv
        self.plan.changes.append(_line(section, key, name, None, old=shown, new=None))
        getattr(self.plan, section).append(Op(OpKind.DEACTIVATE, key, {}))

    def absent_locally(self, section, key, name, b, n):
        # The unit stopped using it. A mandatory item comes back; otherwise the unit's choice holds.
        if section == "items" and n.get("mandatory"):
            params = {"name": name, "key": key}
            self.plan.overrides.append(
                _line(section, key, name, "active", MessageCode.MANDATORY_REACTIVATED, params,
                      local=False, template=True)
            )  # fmt: skip
            self.plan.items.append(Op(OpKind.REACTIVATE, key, dict(n)))
        elif n != b:
            self.plan.kept.append(_line(section, key, name, "active", local=False, template=True))

    def settings(self):
        b = setting_leaves(self.base)
        n = setting_leaves(self.new)
        lv = local_setting_leaves(self.state.settings)
        merged = dict(lv)
        changed = False
        for path in sorted(set(b) | set(n) | set(lv)):
            section, field_name = path.split(".", 1)
            value = self.field(
                section, section, None, field_name,
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
            self.plan.settings = settings_from_leaves(self.state.settings, merged)


def _fits(value, n: dict) -> bool:
    """Whether a unit's value lies in the item's allowed range (no range: it does not)."""
    low, high = n.get("allowed_min"), n.get("allowed_max")
    if low is None and high is None:
        return False
    number = Decimal(value)
    return not (
        (low is not None and number < Decimal(low)) or (high is not None and number > Decimal(high))
    )


def plan_merge(base: dict | None, new: dict, state: UnitState) -> Plan:
    """Return the plan of applying canonical payload ``new`` over ``base`` to ``state``."""
    merger = _Merger(base, new, state)
    local = {"positions": state.positions, "items": state.items, "sources": state.sources}
    for section, key_name in KEYED_SECTIONS.items():
        shape = source_fields if section == "sources" else dict
        merger.keyed(
            section,
            {e[key_name]: shape(e) for e in (base or {}).get(section) or []},
            {e[key_name]: shape(e) for e in new.get(section) or []},
            {key: shape(e) for key, e in local[section].items()},
        )
    merger.settings()
    return merger.plan
