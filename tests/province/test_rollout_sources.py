"""Templates carry data sources and their item mappings: a rollout configures them in many units,
the three-way merge keeps a unit's own changes, the payload refuses mappings to unknown items."""

from __future__ import annotations

import copy
from datetime import time

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.feeds import FeedItemMap, FeedSource
from tenant_app.models.rollout import RolloutTarget
from tenant_app.services.feeds import sources as feed_sources
from tenant_app.services.rollout import rollouts
from tenant_app.services.rollout.template_payload import (
    PayloadInvalid,
    describe_errors,
    diff_payloads,
    field_label,
    validate_payload,
)
from tenant_app.services.rollout.template_workbook import payload_from_workbook, workbook
from tenant_app.tenancy import tenant_context
from tests.province.rollout_helpers import fresh, make_version, payload_v1, roll

SOURCE = {
    "code": "mot-cua",
    "name": "Hệ thống một cửa",
    "kind": "one_stop",
    "closing_day": 3,
    "closing_time": "17:00",
    "late_policy": "hold",
    "items": [
        {"external_code": "2.000815", "canonical_code": "TH.SP02"},
        {"external_code": "1.001", "canonical_code": "TH.CT01"},
    ],
}


def with_sources(*entries, payload=None) -> dict:
    data = copy.deepcopy(payload or payload_v1())
    data["sources"] = [copy.deepcopy(e) for e in entries]
    return validate_payload(data)


def source_state(tenant, code="mot-cua"):
    """(name, closing_time, active, {external code: canonical code}) of the unit's source."""
    with tenant_context(fresh(tenant)):
        row = db.session.execute(
            sa.select(FeedSource).where(FeedSource.code == code)
        ).scalar_one_or_none()
        if row is None:
            db.session.commit()
            return None
        maps = {
            m.external_code: (item.canonical_code or item.code)
            for m, item in feed_sources.item_maps(row)
        }
        result = (row.name, row.closing_time, row.active, maps)
        db.session.commit()
    return result


def counts(tenant) -> tuple[int, int]:
    with tenant_context(fresh(tenant)):
        result = (
            db.session.execute(sa.select(sa.func.count()).select_from(FeedSource)).scalar_one(),
            db.session.execute(sa.select(sa.func.count()).select_from(FeedItemMap)).scalar_one(),
        )
        db.session.commit()
    return result


def local_source_edit(tenant, data: dict, code="mot-cua", *, map_item=None) -> None:
    """A unit's own change to its source (and optionally its own mapping), through the service."""
    with tenant_context(fresh(tenant)):
        row = feed_sources.find_source(code)
        if data:
            feed_sources.update_source(row, data)
        if map_item:
            feed_sources.map_item(row, *map_item)
        db.session.commit()


def target(rollout, tenant) -> RolloutTarget:
    db.session.expire_all()
    return db.session.execute(
        sa.select(RolloutTarget).where(
            RolloutTarget.rollout_id == rollout.id, RolloutTarget.tenant_id == tenant.id
        )
    ).scalar_one()


@pytest.fixture()
def on_v1(app, tenant_a, tenant_b, province_admin):
    """A version with one source and two item mappings, applied to phường A and B."""
    v1 = make_version(with_sources(SOURCE))
    rollout = roll(v1, [tenant_a, tenant_b], actor=province_admin)
    assert rollouts.board(rollout)["counts"]["applied"] == 2
    return v1


def test_payload_sources_canonical_and_optional(app):
    """Sources are optional (empty list) and come back sorted with defaults filled in."""
    assert payload_v1()["sources"] == []
    minimal = {"code": "van-ban", "name": "Quản lý văn bản", "kind": "documents"}
    payload = with_sources(SOURCE, minimal)
    assert [s["code"] for s in payload["sources"]] == ["mot-cua", "van-ban"]
    assert payload["sources"][1] == {
        **minimal, "closing_day": 3, "closing_time": "17:00", "late_policy": "hold", "items": [],
    }  # fmt: skip
    assert [m["external_code"] for m in payload["sources"][0]["items"]] == ["1.001", "2.000815"]
    assert validate_payload(payload) == payload


def test_payload_mapping_to_unknown_item_is_an_error_with_its_path(app):
    """A mapping naming a canonical code the payload's items lack is refused, with its path."""
    bad = copy.deepcopy(SOURCE)
    bad["items"].append({"external_code": "9.999", "canonical_code": "TH.KHONGCO"})
    with pytest.raises(PayloadInvalid) as caught:
        with_sources(bad)
    assert list(caught.value.errors) == ["sources.0.items.2.canonical_code"]
    assert "TH.KHONGCO" in caught.value.errors["sources.0.items.2.canonical_code"][0]
    data = {**payload_v1(), "sources": [bad]}
    [line] = describe_errors(caught.value.errors, data)
    assert line.startswith("Nguồn dữ liệu – dòng 1 (mot-cua) – ánh xạ 3, Mã chuẩn:")


def test_payload_source_fields_are_checked(app):
    """Bad code, kind, closing day or time, duplicate codes: each error names its path."""
    bad = {**SOURCE, "code": "Mot Cua", "kind": "fax", "closing_day": 31,
           "closing_time": "25:00", "late_policy": "drop"}  # fmt: skip
    dup = copy.deepcopy(SOURCE)
    dup["items"].append({"external_code": "1.001", "canonical_code": "TH.SP01"})
    with pytest.raises(PayloadInvalid) as caught:
        with_sources(bad)
    assert {
        "sources.0.code", "sources.0.kind", "sources.0.closing_day", "sources.0.closing_time",
        "sources.0.late_policy",
    } <= set(caught.value.errors)  # fmt: skip
    with pytest.raises(PayloadInvalid) as caught:
        with_sources(dup, SOURCE)
    assert set(caught.value.errors) == {"sources.0.items.2.external_code", "sources.1.code"}


def test_rollout_creates_source_and_mappings_in_each_unit(on_v1, tenant_a, tenant_b):
    """One version, two units: each gets the source and both mappings to its own items."""
    for tenant in (tenant_a, tenant_b):
        name, closing, active, maps = source_state(tenant)
        assert (name, closing, active) == ("Hệ thống một cửa", time(17, 0), True)
        assert maps == {"1.001": "TH.CT01", "2.000815": "TH.SP02"}
    with tenant_context(fresh(tenant_a)):
        ids_a = set(db.session.execute(sa.select(CatalogueItem.id)).scalars())
        mapped = set(db.session.execute(sa.select(FeedItemMap.item_id)).scalars())
        db.session.commit()
    assert mapped <= ids_a


def test_rollout_to_one_unit_leaves_the_other_untouched(app, tenant_a, tenant_b, province_admin):
    """Isolation: applying to unit A writes no source or mapping in unit B."""
    rollout = roll(make_version(with_sources(SOURCE)), [tenant_a], actor=province_admin)
    assert rollouts.board(rollout)["counts"]["applied"] == 1
    assert counts(tenant_a) == (1, 2)
    assert counts(tenant_b) == (0, 0)
    assert source_state(tenant_b) is None


def test_second_version_updates_closing_time_and_keeps_local_name(
    on_v1, tenant_a, tenant_b, province_admin
):
    """v2 moves the closing time: both units take it; A, which renamed the source, keeps its
    name (three-way merge), B takes nothing else."""
    local_source_edit(tenant_a, {"name": "Một cửa liên thông phường A"})
    v2 = make_version(with_sources({**SOURCE, "closing_time": "16:30"}), 2)
    rollout = roll(v2, [tenant_a, tenant_b], actor=province_admin)
    assert rollouts.board(rollout)["counts"]["applied"] == 2
    name, closing, _active, maps = source_state(tenant_a)
    assert (name, closing) == ("Một cửa liên thông phường A", time(16, 30))
    assert maps == {"1.001": "TH.CT01", "2.000815": "TH.SP02"}
    assert source_state(tenant_b)[:2] == ("Hệ thống một cửa", time(16, 30))
    diff = target(rollout, tenant_a).diff
    assert [(k["section"], k["key"], k["field"]) for k in diff["kept"]] == [
        ("sources", "mot-cua", "name")
    ]
    assert [(c["section"], c["field"], c["new"]) for c in diff["changes"]] == [
        ("sources", "closing_time", "16:30")
    ]


def test_template_mapping_changes_and_units_own_mapping(on_v1, tenant_a, province_admin):
    """A template's new and changed mappings are taken; a mapping the unit added on its own and
    the template never had stays."""
    local_source_edit(tenant_a, {}, map_item=("3.003", "TH.SP01"))
    changed = copy.deepcopy(SOURCE)
    changed["items"] = [
        {"external_code": "2.000815", "canonical_code": "TH.SP03"},
        {"external_code": "1.001", "canonical_code": "TH.CT01"},
        {"external_code": "4.004", "canonical_code": "TH.SP01"},
    ]
    rollout = roll(make_version(with_sources(changed), 2), [tenant_a], actor=province_admin)
    assert target(rollout, tenant_a).status == "applied"
    assert source_state(tenant_a)[3] == {
        "1.001": "TH.CT01", "2.000815": "TH.SP03", "3.003": "TH.SP01", "4.004": "TH.SP01",
    }  # fmt: skip


def test_source_dropped_by_the_template_is_kept_inactive(on_v1, tenant_a, province_admin):
    """Like an item: a source the new version drops stays in the unit, deactivated, with its
    mappings; a unit's own source is never touched."""
    with tenant_context(fresh(tenant_a)):
        feed_sources.create_source({"code": "rieng", "name": "Nguồn riêng", "kind": "other"})
        db.session.commit()
    rollout = roll(make_version(payload_v1(), 2), [tenant_a], actor=province_admin)
    assert target(rollout, tenant_a).status == "applied"
    _name, _closing, active, maps = source_state(tenant_a)
    assert active is False and len(maps) == 2
    assert source_state(tenant_a, "rieng")[2] is True


def test_promote_reads_the_units_sources(on_v1, tenant_a):
    """A unit's configuration as a payload carries its active sources and mappings."""
    from tenant_app.services.rollout.templates import tenant_payload

    local_source_edit(tenant_a, {"closing_day": 5})
    [source] = tenant_payload(fresh(tenant_a))["sources"]
    expected = validate_payload({**payload_v1(), "sources": [{**SOURCE, "closing_day": 5}]})
    assert source == expected["sources"][0]


def test_diff_lists_source_changes_with_labels(app):
    """The diff of two versions shows the changed source fields and mappings, labelled."""
    v1 = with_sources(SOURCE)
    changed = copy.deepcopy(SOURCE)
    changed["closing_time"] = "16:30"
    changed["items"][0]["canonical_code"] = "TH.SP03"
    v2 = with_sources(changed, {"code": "van-ban", "name": "Văn bản", "kind": "documents"})
    rows = [
        (c["section"], c["key"], c["change"], c["field"], c["old"], c["new"])
        for c in diff_payloads(v1, v2)
    ]
    assert rows[:2] == [
        ("sources", "mot-cua", "changed", "closing_time", "17:00", "16:30"),
        ("sources", "mot-cua", "changed", "mappings.2.000815", "TH.SP02", "TH.SP03"),
    ]
    assert rows[2][:4] == ("sources", "van-ban", "added", None)
    assert field_label("sources") == "Nguồn dữ liệu"
    assert field_label("closing_time") == "Giờ chốt số liệu"
    assert field_label("mappings.2.000815") == "Ánh xạ mã thủ tục/loại việc: 2.000815"
    assert diff_payloads({k: v for k, v in v1.items() if k != "sources"}, payload_v1()) == []


def test_workbook_round_trip_with_sources(app):
    """The workbook carries sources and mappings on two sheets and reads them back."""
    payload = with_sources(SOURCE)
    assert payload_from_workbook(workbook(payload)) == payload


def test_console_editor_keeps_and_edits_sources(admin_client, template, payload):
    """The structured editor carries the draft's sources (JSON field) and saves changes to them;
    the diff page lists the change with its Vietnamese label."""
    from tenant_app.models.rollout import TemplateVersion
    from tenant_app.services.rollout import templates
    from tests.helpers import csrf_token
    from tests.province.test_template_console import _editor_form

    source = {**SOURCE, "items": [{"external_code": "1.001", "canonical_code": "TH.SP01"}]}
    first = templates.create_draft(template, {**payload, "sources": [source]})
    templates.publish(first)
    draft = templates.create_draft(template, {**payload, "sources": [source]})
    db.session.commit()
    url = f"/admin/templates/{template.id}/versions/{draft.id}/edit"
    page = admin_client.get(url).get_data(as_text=True)
    assert 'name="sources_json"' in page and "mot-cua" in page
    form = _editor_form(draft)  # as an older page would post it: no sources field
    response = admin_client.post(url, data={"csrf_token": csrf_token(admin_client, url), **form})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TemplateVersion, draft.id).payload["sources"][0]["code"] == "mot-cua"
    import json

    form["sources_json"] = json.dumps([{**source, "closing_time": "16:30"}])
    response = admin_client.post(url, data={"csrf_token": csrf_token(admin_client, url), **form})
    assert response.status_code == 302
    html = admin_client.get(
        f"/admin/templates/{template.id}/versions/{draft.id}/diff?against={first.id}"
    ).get_data(as_text=True)
    assert "Nguồn dữ liệu" in html and "Giờ chốt số liệu" in html and "16:30" in html


def test_merge_of_sources_is_pure_and_keeps_the_units_own_mappings(app):
    """Adopting a version (no base) over a unit that already has the source takes the template's
    fields and mappings but leaves the unit's own mapping; a conflicting name stops the unit."""
    from tenant_app.services.rollout.rollout_merge import OpKind, UnitState, plan_merge

    new = with_sources(SOURCE)
    local = {**SOURCE, "name": "Một cửa cũ", "items": [
        {"external_code": "1.001", "canonical_code": "TH.SP01"},
        {"external_code": "8.008", "canonical_code": "TH.SP03"},
    ]}  # fmt: skip
    state = UnitState(sources={"mot-cua": local})
    plan = plan_merge(None, new, state)
    [op] = plan.sources
    assert op.kind == OpKind.UPDATE
    assert op.fields == {
        "name": "Hệ thống một cửa", "mappings.1.001": "TH.CT01", "mappings.2.000815": "TH.SP02",
    }  # fmt: skip
    renamed = with_sources({**SOURCE, "name": "Một cửa mới"})
    plan = plan_merge(new, renamed, UnitState(sources={"mot-cua": {**SOURCE, "name": "Khác"}}))
    assert [(c.key, c.field, c.code) for c in plan.conflicts] == [
        ("mot-cua", "name", "both_changed")
    ]
