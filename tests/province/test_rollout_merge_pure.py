"""The three-way merge is pure: plain payloads and a plain unit state in, a plan of operations and
coded lines out, with no database, Flask or translation anywhere on its import path."""

from __future__ import annotations

import ast
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tenant_app.services.rollout.payload_format import ITEM_KEYS, SETTINGS_MAP
from tenant_app.services.rollout.rollout_merge import (
    MessageCode,
    OpKind,
    UnitState,
    plan_merge,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PURE = ("tenant_app.services.rollout.rollout_merge", "tenant_app.services.rollout.payload_format")
FORBIDDEN = ("flask", "flask_babel", "sqlalchemy", "marshmallow", "redis", "rq")
VALUES = st.sampled_from(["1", "1.5", "2", "2.5"])


def _item(code: str, coefficient: str, positions: list[str], **extra) -> dict:
    entry = dict.fromkeys(ITEM_KEYS)
    entry.update(
        canonical_code=f"TH.{code}", kind="work_item", code=code, name=f"Việc {code}",
        unit_of_measure="lần", coefficient=coefficient, positions=positions, mandatory=False,
    )  # fmt: skip
    entry.update(extra)
    return entry


def _payload(sp01="1", sp02="2", threshold="90") -> dict:
    """A canonical payload: two positions, SP01 (free) and SP02 (mandatory, range 1–3)."""
    return {
        "format": 1,
        "positions": [
            {"code": "CM01", "name": "Chuyên viên", "position_group": "professional_common",
             "description": None},
            {"code": "CM02", "name": "Địa chính", "position_group": "professional_sector",
             "description": None},
        ],
        "items": [
            _item("SP01", sp01, ["CM01"]),
            _item("SP02", sp02, ["CM02"], mandatory=True, allowed_min="1", allowed_max="3"),
        ],
        "scoring": {"rule_set": "nd335_2025", "params": {"threshold_htxs": threshold}},
        "schedule": {"period_kind": "month", "windows": {"report": 3}},
        "approval": {"chain": ["self", "manager", "leader"]},
        "income": {"scheme": "coefficient_salary", "settings": {}},
    }  # fmt: skip


def _state(payload: dict, **extra) -> UnitState:
    """A unit whose tables hold exactly ``payload`` (as ``unit_state.read_unit`` would read it)."""
    settings = {
        name: payload[section][key]
        for (section, key), name in SETTINGS_MAP.items()
        if payload[section].get(key) is not None
    }
    return UnitState(
        positions={p["code"]: dict(p) for p in payload["positions"]},
        items={i["canonical_code"]: copy.deepcopy(i) for i in payload["items"]},
        settings={"onboarding": {"step": 3}, **settings},
        codes_in_use={i["code"]: i["canonical_code"] for i in payload["items"]},
        **extra,
    )


def _written(plan, key: str, field: str, local):
    """The value the unit ends with for one item field: the plan's write, else its own."""
    for op in plan.items:
        if op.key == key and field in op.fields:
            return op.fields[field]
    return local


def _imports(module: str) -> set[str]:
    path = PROJECT_ROOT / (module.replace(".", "/") + ".py")
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_merge_purity_sources_import_only_stdlib_and_pure_modules():
    """The merge and the format it reads import only the standard library and each other."""
    allowed = set(sys.stdlib_module_names) | {"__future__"}
    for module in PURE:
        for name in _imports(module):
            assert name in PURE or name.split(".")[0] in allowed, f"{module}: {name}"


def test_merge_purity_import_loads_no_framework_or_database():
    """A fresh import of the merge loads no Flask, SQLAlchemy, marshmallow, queue or model."""
    code = (
        "import json, sys, tenant_app.services.rollout.rollout_merge; "
        "print(json.dumps(sorted(m for m in sys.modules "
        f"if m.split('.')[0] in {FORBIDDEN!r} or m.startswith('tenant_app.models') "
        "or m == 'tenant_app.extensions')))"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(completed.stdout) == []


def test_merge_without_base_creates_everything_in_an_empty_unit():
    """Onboarding: no base, an empty unit → every position and item created, settings set."""
    new = _payload()
    plan = plan_merge(None, new, UnitState(settings={"onboarding": {"step": 3}}))
    assert [(op.kind, op.key) for op in plan.positions] == [
        (OpKind.CREATE, "CM01"),
        (OpKind.CREATE, "CM02"),
    ]
    assert [(op.kind, op.key) for op in plan.items] == [
        (OpKind.CREATE, "TH.SP01"),
        (OpKind.CREATE, "TH.SP02"),
    ]
    assert plan.items[1].fields == new["items"][1]
    assert plan.settings["scoring_params"] == {"threshold_htxs": "90"}
    assert plan.settings["onboarding"] == {"step": 3}
    assert (plan.conflicts, plan.kept, plan.overrides) == ([], [], [])


def test_merge_without_base_reactivates_what_the_unit_stopped_using():
    """An entry the unit has but stopped using is reactivated, not created twice."""
    state = UnitState(inactive_items=frozenset({"TH.SP01"}), inactive_positions=frozenset({"CM01"}))
    plan = plan_merge(None, _payload(), state)
    assert plan.positions[0].kind == plan.items[0].kind == OpKind.REACTIVATE


def test_merge_conflict_carries_a_code_and_raw_params():
    """Both changed a free item differently: a coded conflict with the three values, no text."""
    base, new = _payload(sp01="1"), _payload(sp01="2")
    plan = plan_merge(base, new, _state(_payload(sp01="1.5")))
    [conflict] = plan.conflicts
    assert (conflict.code, conflict.key, conflict.field) == (
        MessageCode.BOTH_CHANGED,
        "TH.SP01",
        "coefficient",
    )
    assert conflict.params == {
        "name": "Việc SP01", "field": "coefficient", "local": "1.5", "template": "2", "base": "1",
    }  # fmt: skip
    assert "message" not in conflict.as_dict()


def test_merge_mandatory_item_overrides_with_a_code():
    """Both changed a mandatory item: the template's value is written, with an override line."""
    plan = plan_merge(_payload(sp02="2"), _payload(sp02="2.5"), _state(_payload(sp02="1.5")))
    [override] = plan.overrides
    assert override.code == MessageCode.MANDATORY_OVERRIDE
    assert override.values == {"local": "1.5", "template": "2.5"}
    assert _written(plan, "TH.SP02", "coefficient", "1.5") == "2.5"
    assert plan.conflicts == []


def test_merge_new_item_whose_code_the_unit_uses_is_a_conflict():
    """A new template item with a code the unit's own item has: CODE_IN_USE, nothing created."""
    base = _payload()
    new = _payload()
    new["items"].append(_item("SP09", "1", ["CM01"]))
    state = _state(base)
    state.codes_in_use["SP09"] = "SP09"
    plan = plan_merge(base, new, state)
    [conflict] = plan.conflicts
    assert (conflict.code, conflict.params["owner"]) == (MessageCode.CODE_IN_USE, "SP09")
    assert all(op.key != "TH.SP09" for op in plan.items)


def test_merge_removing_a_held_position_is_a_conflict():
    """The template drops a position someone holds: POSITION_HELD."""
    base = _payload()
    new = _payload()
    new["positions"] = new["positions"][:1]
    new["items"] = new["items"][:1]
    plan = plan_merge(base, new, _state(base, held_positions=frozenset({"CM02"})))
    assert [c.code for c in plan.conflicts] == [MessageCode.POSITION_HELD]


def test_merge_plan_diff_is_json():
    """The stored diff of a plan with a change, a kept value and an override is plain JSON."""
    new = _payload(sp02="2.5", threshold="92")
    plan = plan_merge(_payload(), new, _state(_payload(sp01="1.5", sp02="1.5")))
    diff = json.loads(json.dumps(plan.diff()))
    assert diff["counts"] == {"changes": 1, "kept": 1, "overrides": 1, "conflicts": 0}
    assert diff["overrides"][0]["code"] == "mandatory_override"
    assert diff["changes"][0]["name"] is None  # a settings section: named by the reader


@given(VALUES, VALUES, VALUES, VALUES)
def test_property_template_unchanged_writes_nothing(sp01, sp02, local01, local02):
    """A version equal to the base changes nothing, whatever the unit changed."""
    base = _payload(sp01=sp01, sp02=sp02)
    plan = plan_merge(base, copy.deepcopy(base), _state(_payload(sp01=local01, sp02=local02)))
    assert plan.empty and plan.conflicts == [] and plan.changes == []


@given(VALUES, VALUES, VALUES, VALUES, st.sampled_from(["90", "92"]))
def test_property_unit_unchanged_takes_the_template(sp01, sp02, new01, new02, threshold):
    """A unit without local changes takes every value of the new version, without conflict."""
    base = _payload(sp01=sp01, sp02=sp02)
    new = _payload(sp01=new01, sp02=new02, threshold=threshold)
    plan = plan_merge(base, new, _state(base))
    assert (plan.conflicts, plan.kept, plan.overrides) == ([], [], [])
    assert _written(plan, "TH.SP01", "coefficient", sp01) == new01
    assert _written(plan, "TH.SP02", "coefficient", sp02) == new02
    settings = plan.settings or _state(base).settings
    assert settings["scoring_params"] == {"threshold_htxs": threshold}


@given(VALUES, VALUES, VALUES)
def test_property_three_way_rule_for_a_free_item(base_value, new_value, local_value):
    """A free value: the unit's change survives, the template's is taken, both → a conflict
    (unless both made the same change)."""
    plan = plan_merge(
        _payload(sp01=base_value), _payload(sp01=new_value), _state(_payload(sp01=local_value))
    )
    result = _written(plan, "TH.SP01", "coefficient", local_value)
    if local_value == base_value:
        assert result == new_value and plan.conflicts == []
    elif new_value in (base_value, local_value):
        assert result == local_value and plan.conflicts == []
    else:
        assert [c.code for c in plan.conflicts] == [MessageCode.BOTH_CHANGED]


@given(VALUES, VALUES, VALUES)
def test_property_mandatory_item_never_conflicts(base_value, new_value, local_value):
    """A mandatory value never stops the unit: it ends at the unit's value only when the
    template left it alone, else at the template's."""
    plan = plan_merge(
        _payload(sp02=base_value), _payload(sp02=new_value), _state(_payload(sp02=local_value))
    )
    result = _written(plan, "TH.SP02", "coefficient", local_value)
    assert plan.conflicts == []
    assert result == (local_value if new_value == base_value else new_value)
