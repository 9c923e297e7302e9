"""The structured editor of a template version: its table form fields to a payload dict.

Rows are parallel lists (``pos_code``, ``pos_name``…; ``item_canonical_code``…); a row with no
code and no name is an unused blank row. Values stay as typed: ``validate_payload`` checks them.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _

from tenant_app.formatting import normalise_number
from tenant_app.services.rollout.payload_format import (
    CALENDAR_DEFAULTS,
    CALENDAR_KEYS,
    DECIMAL_KEYS,
)
from tenant_app.services.rollout.template_payload import ITEM_KEYS, POSITION_KEYS

# Scoring parameters the editor shows as fields; any other override is kept as it was.
PARAM_FIELDS = (
    "threshold_htxs", "threshold_htt", "threshold_htnv", "task_weight", "error_deduction",
    "delay_deduction", "quota_ratio", "quota_rounding", "allow_over_completion", "display_places",
)  # fmt: skip
ITEM_TEXT_KEYS = tuple(k for k in ITEM_KEYS if k not in ("positions", "bands", "mandatory"))
# Parameters typed as numbers: read the Vietnamese way ("0,2" as 0.2), like every number input.
NUMBER_PARAMS = (
    "threshold_htxs", "threshold_htt", "threshold_htnv", "task_weight", "error_deduction",
    "delay_deduction", "quota_ratio", "display_places",
)  # fmt: skip


def _rows(form, prefix: str, keys) -> list[dict]:
    columns = {k: form.getlist(f"{prefix}_{k}") for k in keys}
    count = max((len(v) for v in columns.values()), default=0)
    rows = []
    for i in range(count):
        row = {k: (columns[k][i].strip() if i < len(columns[k]) else "") for k in keys}
        rows.append(row)
    return rows


def _none(value):
    return value if value not in ("", None) else None


def bands_text(bands) -> str:
    return "; ".join(f"{b['from']}:{b['score']}" for b in bands or [])


def _bands(text: str):
    if not text:
        return None
    bands = []
    for part in text.split(";"):
        if part.strip():
            start, _sep, score = part.partition(":")
            bands.append(
                {"from": normalise_number(start.strip()), "score": normalise_number(score.strip())}
            )
    return bands


def _json(text: str, label: str, errors: list[str]):
    if not (text or "").strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        errors.append(_("%(label)s: không phải JSON hợp lệ.", label=label))
        return {}
    if not isinstance(value, dict):
        errors.append(_("%(label)s: phải là một đối tượng JSON.", label=label))
        return {}
    return value


def _sources(text: str, errors: list[str]):
    if not (text or "").strip():
        return []
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, list):
        errors.append(_("Nguồn dữ liệu: phải là một danh sách JSON."))
        return []
    return value


def payload_from_form(form) -> tuple[dict, list[str]]:
    """Return (payload dict as typed, problems the form itself has, e.g. bad JSON). Without a
    ``sources_json`` field the payload has no ``sources`` key, without any ``calendar_*`` field
    no ``schedule.calendar`` (the caller keeps the draft's); an empty calendar field is its
    default."""
    problems: list[str] = []
    positions = []
    for row in _rows(form, "pos", POSITION_KEYS):
        if not row["code"] and not row["name"]:
            continue
        positions.append({k: _none(v) for k, v in row.items()})
    items = []
    for row in _rows(form, "item", (*ITEM_TEXT_KEYS, "positions", "bands", "mandatory")):
        if not row["canonical_code"] and not row["name"]:
            continue
        item = {k: _none(row[k]) for k in ITEM_TEXT_KEYS}
        for key in DECIMAL_KEYS:
            if item.get(key) is not None:
                item[key] = normalise_number(item[key])
        item["positions"] = [p.strip() for p in row["positions"].split(";") if p.strip()]
        item["bands"] = _bands(row["bands"])
        item["mandatory"] = row["mandatory"] == "1"
        items.append(item)
    params = _json(form.get("params_extra", ""), _("Tham số khác"), problems)
    for name in PARAM_FIELDS:
        value = (form.get(f"param_{name}") or "").strip()
        if name == "allow_over_completion":
            if value:
                params[name] = value == "1"
            else:
                params.pop(name, None)
        elif value:
            params[name] = normalise_number(value) if name in NUMBER_PARAMS else value
        else:
            params.pop(name, None)
    windows = {}
    for name in ("report", "self_assessment", "review", "approval"):
        value = (form.get(f"window_{name}") or "").strip()
        if value:
            windows[name] = value
    calendar = None
    if any(f"calendar_{name}" in form for name in CALENDAR_KEYS):
        calendar = {}
        for name in CALENDAR_KEYS:
            value = (form.get(f"calendar_{name}") or "").strip()
            if value:
                calendar[name] = value
    payload = {
        "positions": positions,
        "items": items,
        "scoring": {"rule_set": form.get("rule_set", ""), "params": params},
        "schedule": {"period_kind": form.get("period_kind", ""), "windows": windows},
        "approval": {"chain": form.getlist("chain")},
        "income": {
            "scheme": form.get("income_scheme", ""),
            "settings": _json(form.get("income_settings", ""), _("Thiết lập thu nhập"), problems),
        },
    }
    if "sources_json" in form:
        payload["sources"] = _sources(form.get("sources_json", ""), problems)
    if calendar is not None:
        payload["schedule"]["calendar"] = calendar
    return payload, problems


def editor_context(payload: dict) -> dict:
    """What the editor template needs besides the payload: extra params as JSON text."""
    params = dict((payload.get("scoring") or {}).get("params") or {})
    extra = {k: v for k, v in params.items() if k not in PARAM_FIELDS}
    income = (payload.get("income") or {}).get("settings") or {}
    calendar = {**CALENDAR_DEFAULTS, **((payload.get("schedule") or {}).get("calendar") or {})}
    return {
        "calendar": calendar,
        "params": params,
        "params_extra": json.dumps(extra, ensure_ascii=False, indent=1) if extra else "",
        "income_settings": json.dumps(income, ensure_ascii=False, indent=1) if income else "",
        "sources_json": (
            json.dumps(payload["sources"], ensure_ascii=False, indent=1)
            if payload.get("sources")
            else ""
        ),
        "param_fields": PARAM_FIELDS,
        "bands_text": bands_text,
    }
