"""The imports pages of the unit workspace: upload, progress script, problems, commit, isolation."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import JobRun
from tenant_app.tenancy import tenant_context
from tests.helpers import csrf_token, login
from tests.spreadsheets.xlsx import make_xlsx

PAGE = "/t/phuong-a/imports"


def upload_form(client, data: bytes, page=PAGE):
    token = csrf_token(client, page)
    return client.post(
        page,
        data={"csrf_token": token, "kind": "users", "file": (io.BytesIO(data), "ds.xlsx")},
        content_type="multipart/form-data",
    )


def test_imports_page_offers_upload_templates_and_exports(client, admin_a):
    """The page has the kind selector, the template link and the export link."""
    login(client, "phuong-a", "admin.a")
    html = client.get(PAGE).get_data(as_text=True)
    assert 'name="kind"' in html and 'enctype="multipart/form-data"' in html
    assert f"{PAGE}/templates/users.xlsx" in html
    assert "/t/phuong-a/exports/users.xlsx" in html
    assert client.get(f"{PAGE}/templates/users.xlsx").status_code == 200


def test_imports_nav_link_shows_for_unit_admins(client, admin_a):
    """Unit administrators see the imports link in the navigation."""
    login(client, "phuong-a", "admin.a")
    assert f'href="{PAGE}"' in client.get("/t/phuong-a/").get_data(as_text=True)


def test_imports_page_is_for_unit_admins_only(client, staff_a):
    """A staff member gets 403 on the imports page."""
    login(client, "phuong-a", "staff.a")
    assert client.get(PAGE).status_code == 403


def test_imports_html_upload_shows_problems_by_row_and_column(client, admin_a):
    """A file with errors lands on its page with a problems table and no commit button."""
    login(client, "phuong-a", "admin.a")
    response = upload_form(client, make_xlsx([["x", "Ngắn", None, "staff"]]))
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lỗi cần sửa (1)" in html
    assert re.search(r"<td>2</td><td>Tên đăng nhập</td><td>Độ dài phải từ 3 đến 64", html)
    assert "Ghi dữ liệu" not in html


def test_imports_html_clean_upload_can_be_committed(client, admin_a, tenant_a):
    """A clean file shows the commit button; pressing it writes the accounts."""
    login(client, "phuong-a", "admin.a")
    response = upload_form(client, make_xlsx([["html.moi", "HTML Mới", None, "staff"]]))
    detail = response.headers["Location"]
    html = client.get(detail).get_data(as_text=True)
    assert "Ghi dữ liệu" in html
    token = csrf_token(client, detail)
    client.post(f"{detail}/commit", data={"csrf_token": token})
    html = client.get(detail).get_data(as_text=True)
    assert "Đã ghi" in html
    status = client.get(f"{detail}/status.json").get_json()
    assert status["state"] == "committed"


def test_imports_html_refused_file_is_explained(client, admin_a):
    """A non-xlsx file re-renders the form with a Vietnamese error and status 400."""
    login(client, "phuong-a", "admin.a")
    response = upload_form(client, b"khong phai excel")
    assert response.status_code == 400
    assert "không phải bảng tính Excel" in response.get_data(as_text=True)


def test_imports_progress_page_loads_the_polling_script(client, admin_a, tenant_a):
    """While a job runs, the page shows a progress bar and loads the script from /static/js."""
    with tenant_context(tenant_a):
        run = JobRun(kind="import.users", queue="io", params={"kind": "users"}, status="running")
        db.session.add(run)
        db.session.commit()
    login(client, "phuong-a", "admin.a")
    html = client.get(f"{PAGE}/{run.id}").get_data(as_text=True)
    assert "<progress" in html
    assert 'src="/static/js/job-progress.js"' in html
    assert f'data-job-status-url="{PAGE}/{run.id}/status.json"' in html
    assert "<script>" not in html
    script = client.get("/static/js/job-progress.js")
    assert script.status_code == 200 and b"setTimeout(poll, 2000)" in script.data
    script.close()


def test_imports_html_of_other_tenant_are_404(client, admin_a, admin_b, tenant_a):
    """Tenant B's admin gets 404 for tenant A's import page, status and commit."""
    login(client, "phuong-a", "admin.a")
    detail = upload_form(client, make_xlsx([["a.mot", "A Một", None, "staff"]])).headers["Location"]
    import_id = detail.rsplit("/", 1)[1]
    client.post("/t/phuong-a/logout", data={"csrf_token": csrf_token(client, PAGE)})
    login(client, "phuong-b", "admin.b")
    other = f"/t/phuong-b/imports/{import_id}"
    assert client.get(other).status_code == 404
    assert client.get(f"{other}/status.json").status_code == 404
    token = csrf_token(client, "/t/phuong-b/imports")
    assert client.post(f"{other}/commit", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    with tenant_context(tenant_a):
        run = db.session.execute(sa.select(JobRun)).scalar_one()
    assert run.params.get("phase") is None
