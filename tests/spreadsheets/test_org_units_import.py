"""The ``org_units`` import kind: a new unit's organisation chart from a workbook."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.org import OrgUnit
from tenant_app.services.files import import_parsing, import_registry
from tenant_app.tenancy import tenant_context
from tests.spreadsheets.xlsx import make_xlsx

HEADER = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên", "Ngày hiệu lực"]


def _parse(rows):
    kind = import_registry.get_import_kind("org_units")
    return kind, import_parsing.parse(kind, make_xlsx(rows, HEADER))


def test_org_units_import_creates_parents_named_further_down(app, tenant_a):
    """A child may come before its parent in the file; both are created, linked, by code."""
    with tenant_context(tenant_a):
        kind, parsed = _parse(
            [
                ["TP", "Phòng Tư pháp", "body", "UBND", "01/07/2025"],
                ["UBND", "Lãnh đạo UBND phường", "Lãnh đạo UBND", None, None],
            ]
        )
        assert parsed.problems == []
        kind.commit(parsed.rows)
        units = {u.code: u for u in db.session.execute(sa.select(OrgUnit)).scalars()}
        assert units["TP"].parent_id == units["UBND"].id and units["TP"].kind == "body"


def test_org_units_import_reports_unknown_parent_bad_kind_and_loop(app, tenant_a):
    """Each problem names its row and column; nothing is written."""
    with tenant_context(tenant_a):
        _kind, parsed = _parse(
            [
                ["A", "Đơn vị A", "body", "B", None],
                ["B", "Đơn vị B", "body", "A", None],
                ["C", "Đơn vị C", "phòng ban", "ZZ", None],
            ]
        )
        messages = {(p["row"], p["column"]): p["message"] for p in parsed.problems}
        assert "vòng" in messages[(2, "Mã đơn vị cấp trên")]
        assert "Loại đơn vị không hợp lệ" in messages[(4, "Loại đơn vị")]
        assert "ZZ" in messages[(4, "Mã đơn vị cấp trên")]
        assert db.session.execute(sa.select(sa.func.count()).select_from(OrgUnit)).scalar() == 0
