"""The payload format's vocabulary, pure: its keys, where its settings land, decimals as text.

Shared by ``template_payload`` (validation, diffs) and the three-way merge (``rollout_merge``),
which must stay free of Flask and the database: so this module imports only the standard library.
Settings are compared leaf by leaf ("scoring.params.threshold_htxs"), which is what lets a unit's
change to one parameter survive a template's change to another.
"""

from __future__ import annotations

from decimal import Decimal

FORMAT = 1
SECTIONS = ("positions", "items", "sources", "scoring", "schedule", "approval", "income")
KEYED_SECTIONS = {"positions": "code", "items": "canonical_code", "sources": "code"}
SETTING_SECTIONS = ("scoring", "schedule", "approval", "income")
POSITION_KEYS = ("code", "name", "position_group", "description")
ITEM_KEYS = (
    "canonical_code", "kind", "code", "name", "unit_of_measure", "description",
    "evidence_requirement", "coefficient", "target", "band_low", "band_high", "cap_percent",
    "weight", "bands", "direction", "scoring_method", "aggregation", "positions", "mandatory",
    "allowed_min", "allowed_max",
)  # fmt: skip
# Data sources (feeds): the source's settings and its item mappings (external code → an item's
# canonical code). Officer mappings name the unit's own staff: templates never carry them.
SOURCE_KEYS = ("code", "name", "kind", "closing_day", "closing_time", "late_policy", "items")
SOURCE_FIELDS = ("name", "kind", "closing_day", "closing_time", "late_policy")
SOURCE_ITEM_KEYS = ("external_code", "canonical_code")
MAPPING_PREFIX = "mappings."  # a source's mapping as a field: "mappings.<external code>"
DECIMAL_KEYS = (
    "coefficient", "target", "band_low", "band_high", "cap_percent", "weight",
    "allowed_min", "allowed_max",
)  # fmt: skip
# Value fields live in catalogue versions (dated); the others on the item row.
VALUE_KEYS = ("coefficient", "target", "band_low", "band_high", "cap_percent", "weight", "bands")
# Where each dict section lands in ``Tenant.settings`` (what periods, income and assessments read).
SETTINGS_MAP = {
    ("scoring", "rule_set"): "rule_set",
    ("scoring", "params"): "scoring_params",
    ("schedule", "period_kind"): "period_kind",
    ("schedule", "windows"): "windows",
    ("schedule", "calendar"): "calendar",
    ("approval", "chain"): "approval_chain",
    ("income", "scheme"): "income_scheme",
    ("income", "settings"): "income_settings",
}
# The calendar's own settings (``schedule.calendar``, landing in ``Tenant.settings["calendar"]``,
# read by ``services.evaluation.lateness``): close and lock periods automatically, how many days
# after closing, and the annual classification's deadline (15 December or 15 January after).
# A payload or a unit without them has these defaults (versions made before them, for example).
CALENDAR_DEFAULTS = {
    "auto_close": True, "auto_lock": True, "lock_after_days": 5, "annual_deadline": "12-15",
}  # fmt: skip
CALENDAR_KEYS = tuple(CALENDAR_DEFAULTS)
ANNUAL_DEADLINES = ("12-15", "01-15")
LOCK_AFTER_DAYS_MAX = 60
_MISSING = object()


def _calendar_value_ok(key: str, value) -> bool:
    if key in ("auto_close", "auto_lock"):
        return isinstance(value, bool)
    if key == "lock_after_days":
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and 0 <= value <= LOCK_AFTER_DAYS_MAX
        )
    return value in ANNUAL_DEADLINES


def calendar_settings(raw: dict | None) -> dict:
    """Return calendar settings ``raw`` over the defaults, each unknown key dropped and each
    value of the wrong kind (a deadline "02-30", days "7") replaced by its default."""
    raw = raw if isinstance(raw, dict) else {}
    return {
        key: raw[key] if key in raw and _calendar_value_ok(key, raw[key]) else default
        for key, default in CALENDAR_DEFAULTS.items()
    }


def with_calendar(payload: dict | None) -> dict | None:
    """Return ``payload`` with ``schedule.calendar`` filled with the defaults where it lacks it
    (a version made before the calendar was part of the template), for diffs and merges."""
    if not payload or not isinstance(payload.get("schedule"), dict):
        return payload
    schedule = payload["schedule"]
    calendar = {**CALENDAR_DEFAULTS, **(schedule.get("calendar") or {})}
    return {**payload, "schedule": {**schedule, "calendar": calendar}}


def dec(value) -> str | None:
    """Return a decimal as its normalised string ("1.50" → "1.5", "1E+2" → "100"); None stays."""
    if value is None or value == "":
        return None
    number = Decimal(str(value)).normalize()
    return f"{number:f}" if number != 0 else "0"


def _plain(value):
    if isinstance(value, Decimal):
        return dec(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _flatten(value, prefix: str, out: dict) -> dict:
    if isinstance(value, dict):
        for key in sorted(value):
            _flatten(value[key], f"{prefix}.{key}", out)
    else:
        out[prefix] = _plain(value)
    return out


def source_fields(entry: dict) -> dict:
    """A source entry as flat fields for diffs and merges: its settings, and one field per item
    mapping, ``"mappings.<external_code>": canonical_code`` (so mappings compare one by one)."""
    flat = {key: entry.get(key) for key in SOURCE_KEYS if key != "items"}
    for mapping in entry.get("items") or []:
        flat[MAPPING_PREFIX + mapping["external_code"]] = mapping["canonical_code"]
    return flat


def source_entry(flat: dict) -> dict:
    """The payload entry of a source from its flat fields (``source_fields`` reversed; a mapping
    field of None is no mapping)."""
    entry = {key: flat.get(key) for key in SOURCE_KEYS if key != "items"}
    entry["items"] = [
        {"external_code": name[len(MAPPING_PREFIX) :], "canonical_code": value}
        for name, value in sorted(flat.items())
        if name.startswith(MAPPING_PREFIX) and value is not None
    ]
    return entry


def setting_leaves(payload: dict | None) -> dict:
    """Return the settings sections of a payload as {"scoring.params.x": value, …} (a payload
    without ``schedule.calendar`` has the calendar's defaults)."""
    out: dict = {}
    payload = with_calendar(payload)
    for section in SETTING_SECTIONS:
        for key, value in ((payload or {}).get(section) or {}).items():
            _flatten(value, f"{section}.{key}", out)
    return out


def local_setting_leaves(settings: dict) -> dict:
    """Return a unit's ``Tenant.settings`` read back into payload leaves (SETTINGS_MAP reversed).

    The calendar reads as the unit's calendar works (``calendar_settings``: the defaults where it
    set nothing), so a template keeping the defaults finds nothing changed locally."""
    out: dict = {}
    for (section, key), name in SETTINGS_MAP.items():
        if name == "calendar":
            _flatten(calendar_settings(settings.get(name)), f"{section}.{key}", out)
        elif name in settings and settings[name] is not None:
            _flatten(settings[name], f"{section}.{key}", out)
    return out


def _rebuild(prefix: str, leaves: dict):
    # The value under ``prefix`` from its leaves: one leaf, a nested dict, or _MISSING.
    value = _MISSING
    for path, leaf in sorted(leaves.items()):
        if path == prefix:
            value = leaf
        elif path.startswith(prefix + "."):
            if value is _MISSING or not isinstance(value, dict):
                value = {}
            node = value
            parts = path[len(prefix) + 1 :].split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = leaf
    return value


def settings_from_leaves(current: dict, leaves: dict) -> dict:
    """Return ``current`` settings with every SETTINGS_MAP key rebuilt from ``leaves`` (a key
    without leaves is removed; keys outside SETTINGS_MAP, such as onboarding state, stay)."""
    result = dict(current)
    for (section, key), name in SETTINGS_MAP.items():
        value = _rebuild(f"{section}.{key}", leaves)
        if value is _MISSING:
            result.pop(name, None)
        else:
            result[name] = value
    return result
