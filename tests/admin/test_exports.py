"""Province exports: asked for in the console, built by a job, downloaded by their owner only.

Jobs run in-process (no Redis) unless said otherwise: the POST that asks for an export returns
once the file is built. One test runs a real ``kpi worker`` when ``KPI_TEST_REDIS_URL`` is set.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import render_template_string

from tenant_app.extensions import db
from tenant_app.models import (
    JobPosition,
    OrgUnit,
    Period,
    PeriodScore,
    ProvinceAuditEvent,
    StaffAssignment,
    StaffMember,
    Tenant,
)
from tenant_app.models.exports import ProvinceExport
from tenant_app.services.errors import ServiceError
from tenant_app.services.files import export_results, province_exports
from tenant_app.tenancy import tenant_context
from tests.helpers import REDIS_URL, csrf_token, login, post_form, worker_env

ROOT = Path(__file__).resolve().parents[2]
KPI = str(Path(sys.executable).parent / "kpi")
HEADER = [
    "Đơn vị",
    "Mã nhân sự",
    "Họ và tên",
    "Phòng/ban",
    "Vị trí việc làm",
    "Kỳ",
    "Tổng điểm",
    "Xếp loại",
    "Điểm tự đánh giá",
    "Bước đánh giá",
    "Đã phê duyệt",
]
# Units with ids far from any other number a query carries (years, months): a statement naming
# one of them is plainly about that unit.
UNIT_B_ID, UNIT_C_ID = 8101, 9101


# --- data ---------------------------------------------------------------------------------


def _unit(slug: str, name: str, tenant_id: int | None = None) -> Tenant:
    tenant = Tenant(id=tenant_id, slug=slug, name=name, kind="phuong", status="pilot", settings={})
    db.session.add(tenant)
    db.session.commit()
    return tenant


def _period(tenant, number: int, *, published: bool) -> Period:
    with tenant_context(tenant):
        period = Period(
            kind="month",
            year=2026,
            number=number,
            code=f"2026-{number:02d}",
            starts_on=date(2026, number, 1),
            ends_on=date(2026, number, 28),
            report_until=date(2026, number, 28),
            self_assessment_until=date(2026, number, 28),
            review_until=date(2026, number, 28),
            approval_until=date(2026, number, 28),
            status="closed" if published else "open",
            rule_set="nd335_2025",
            params={},
            published_at=datetime(2026, number, 28, 9, 0) if published else None,
        )
        db.session.add(period)
        db.session.commit()
    return period


def _post(tenant, unit_name: str, position_name: str):
    with tenant_context(tenant):
        unit = OrgUnit(code=f"U-{len(unit_name)}", name=unit_name, kind="body")
        position = JobPosition(
            code=f"P-{len(position_name)}", name=position_name, position_group="professional_common"
        )
        db.session.add_all([unit, position])
        db.session.commit()
    return unit, position


def _scored(tenant, period, post, code, name, total, grade, **extra) -> StaffMember:
    """A person in ``post`` (unit, position) since January, with a score for ``period``."""
    unit, position = post
    zero = Decimal(0)
    with tenant_context(tenant):
        person = StaffMember(
            code=code, full_name=name, staff_type="cong_chuc", start_date=date(2025, 1, 1)
        )
        db.session.add(person)
        db.session.flush()
        db.session.add(
            StaffAssignment(
                staff_id=person.id,
                org_unit_id=unit.id,
                position_id=position.id,
                effective_from=date(2026, 1, 1),
            )
        )
        db.session.add(
            PeriodScore(
                period_id=period.id,
                staff_id=person.id,
                a=zero,
                b=zero,
                c=zero,
                task_score=zero,
                task_points=zero,
                general_points=zero,
                total=Decimal(total),
                grade=grade,
                rule_set="nd335_2025",
                inputs_digest="0" * 64,
                **extra,
            )
        )
        db.session.commit()
    return person


@pytest.fixture()
def units(factory):
    """Three units with November 2026 results: A and C published, B not yet.

    A: Nguyễn Văn An 78.625 (HTT, self 80, approved 02/12 03:15 UTC = 10:15 local) and a name
    that looks like a formula (91.005, HTXS), plus an October result (outside November).
    B (unpublished): Trần Thị Bích 66.5. C: Phạm Văn Cường 85.
    """
    a = _unit("don-vi-a", "Phường An Hoạch")
    b = _unit("don-vi-b", "Phường Bắc Sơn", UNIT_B_ID)
    c = _unit("don-vi-c", "Phường Cẩm Bình", UNIT_C_ID)
    post_a = _post(a, "Văn phòng HĐND và UBND", "Chuyên viên văn phòng")
    november_a = _period(a, 11, published=True)
    _scored(
        a, november_a, post_a, "NV001", "Nguyễn Văn An", "78.625", "HTT",
        self_total=Decimal("80"), stage="leader", approved_at=datetime(2026, 12, 2, 3, 15),
    )  # fmt: skip
    _scored(a, november_a, post_a, "NV002", "=1+2 Lê Thị Bình", "91.005", "HTXS", stage="manager")
    _scored(a, _period(a, 10, published=True), post_a, "NV003", "Đỗ Văn Tháng Mười", "70", "HTNV")
    _scored(b, _period(b, 11, published=False), _post(b, "Phòng Kinh tế", "Kế toán"), "NV101",
            "Trần Thị Bích", "66.5", "HTNV")  # fmt: skip
    _scored(c, _period(c, 11, published=True), _post(c, "Phòng Văn hóa", "Văn thư"), "NV201",
            "Phạm Văn Cường", "85", "HTT")  # fmt: skip
    return SimpleNamespace(a=a, b=b, c=c)


@pytest.fixture()
def other_auditor(factory):
    return factory.province_user("tinh.kiemtra2", "auditor")


# --- helpers ------------------------------------------------------------------------------


def _ask(client, period="2026-11", fmt="csv", tenants=()):
    """POST the export form as the signed-in user; returns the response (a redirect)."""
    return post_form(
        client,
        "/admin/exports",
        {"kind": "results", "format": fmt, "period": period, "tenants": [str(t) for t in tenants]},
        page="/admin/exports",
    )


def _latest() -> ProvinceExport:
    db.session.expire_all()
    return db.session.execute(
        sa.select(ProvinceExport).order_by(ProvinceExport.id.desc()).limit(1)
    ).scalar_one()


def _path(export: ProvinceExport) -> Path:
    return province_exports.export_folder() / export.storage_key


def _csv_rows(export: ProvinceExport) -> list[list[str]]:
    data = _path(export).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _people(rows) -> set[str]:
    return {row[2] for row in rows[1:]}


# --- asking and building ------------------------------------------------------------------


def test_exports_request_builds_file_in_process(client, auditor, units):
    """Asking redirects to the list; the job has built the file: 100 %, size recorded."""
    login(client, None, "tinh.thanhtra")
    response = _ask(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/exports")
    export = _latest()
    assert (export.status, export.requested_by, export.percent) == ("succeeded", auditor.id, 100)
    assert export.progress_done == export.progress_total == 3  # A: 2, C: 1 (B unpublished)
    assert _path(export).is_file() and _path(export).stat().st_size == export.size
    assert export.params == {
        "period": "2026-11",
        "tenant_ids": [],
        "visibility": "published",
        "locale": "vi",
    }
    assert export.expires_at - export.finished_at == timedelta(hours=24)


def test_exports_csv_has_vietnamese_numbers_and_local_times(client, auditor, units):
    """CSV: BOM, ``;``, header in Vietnamese, 78.625 shown 78,63, approval in local time."""
    login(client, None, "tinh.thanhtra")
    _ask(client, tenants=[units.a.id])
    rows = _csv_rows(_latest())
    assert rows[0] == HEADER
    an = next(r for r in rows if r[1] == "NV001")
    assert an == [
        "Phường An Hoạch",
        "NV001",
        "Nguyễn Văn An",
        "Văn phòng HĐND và UBND",
        "Chuyên viên văn phòng",
        "Tháng 11/2026",
        "78,63",
        "Hoàn thành tốt nhiệm vụ",
        "80,00",
        "Người đứng đầu phê duyệt",
        "02/12/2026 10:15",
    ]
    binh = next(r for r in rows if r[1] == "NV002")
    assert (binh[6], binh[8], binh[10]) == ("91,01", "", "")


def test_exports_cells_that_look_like_formulas_stay_text(client, auditor, units):
    """A name starting with ``=`` gets an apostrophe in CSV and is a text cell in .xlsx."""
    from openpyxl import load_workbook

    login(client, None, "tinh.thanhtra")
    _ask(client, tenants=[units.a.id])
    assert "'=1+2 Lê Thị Bình" in _people(_csv_rows(_latest()))
    _ask(client, fmt="xlsx", tenants=[units.a.id])
    sheet = load_workbook(_path(_latest())).active
    (cell,) = [row[2] for row in sheet.iter_rows(min_row=2) if row[1].value == "NV002"]
    assert cell.value == "=1+2 Lê Thị Bình" and cell.data_type == "s"


def test_exports_xlsx_keeps_numbers_as_numbers(client, auditor, units):
    """.xlsx: points are numbers formatted 0.00, the approval a date-time in local time."""
    from openpyxl import load_workbook

    login(client, None, "tinh.thanhtra")
    _ask(client, fmt="xlsx", tenants=[units.a.id])
    sheet = load_workbook(_path(_latest())).active
    assert [c.value for c in sheet[1]] == HEADER
    (row,) = [r for r in sheet.iter_rows(min_row=2) if r[1].value == "NV001"]
    assert row[6].value == pytest.approx(78.625) and row[6].number_format == "0.00"
    assert row[8].value == 80 and row[8].number_format == "0.00"
    assert row[10].value == datetime(2026, 12, 2, 10, 15)
    assert row[10].number_format == "dd/mm/yyyy hh:mm"


def test_exports_scope_counts_its_periods_only(client, auditor, units):
    """A month holds that month's results; its quarter also holds October's."""
    login(client, None, "tinh.thanhtra")
    _ask(client, tenants=[units.a.id])
    assert "Đỗ Văn Tháng Mười" not in _people(_csv_rows(_latest()))
    _ask(client, period="2026-Q4", tenants=[units.a.id])
    rows = _csv_rows(_latest())
    assert "Đỗ Văn Tháng Mười" in _people(rows)
    assert [r[5] for r in rows[1:]] == ["Tháng 10/2026", "Tháng 11/2026", "Tháng 11/2026"]


def test_exports_auditor_gets_published_units_only(client, auditor, units):
    """Every unit, plain auditor: B's November is not published, so B is left out."""
    login(client, None, "tinh.thanhtra")
    _ask(client)
    rows = _csv_rows(_latest())
    assert _people(rows) == {"Nguyễn Văn An", "'=1+2 Lê Thị Bình", "Phạm Văn Cường"}
    assert [r[0] for r in rows[1:]] == ["Phường An Hoạch"] * 2 + ["Phường Cẩm Bình"]


def test_exports_province_admin_also_gets_unpublished(client, province_admin, units):
    """A province administrator sees results not yet published: B is included."""
    login(client, None, "tinh.admin")
    _ask(client)
    export = _latest()
    assert export.params["visibility"] == "all"
    assert "Trần Thị Bích" in _people(_csv_rows(export))


def test_exports_job_reads_only_the_requested_units(app, client, auditor, units):
    """Asked for A only: the door's audit event names A, every statement on a unit table
    filters by ``tenant_id`` and none names B or C, and the file holds A's people only."""
    statements: list[tuple[str, str]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, repr(parameters)))

    login(client, None, "tinh.thanhtra")
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        _ask(client, tenants=[units.a.id])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert _people(_csv_rows(_latest())) == {"Nguyễn Văn An", "'=1+2 Lê Thị Bình"}
    door = db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "cross_tenant.read")
    ).scalar_one()
    assert door.actor_name == "tinh.thanhtra" and door.after["tenants"] == [units.a.id]
    unit_tables = ("period_scores", "periods", "staff")
    reads = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
    touching = [(s, p) for s, p in reads if any(f" {t} " in f" {s} " for t in unit_tables)]
    assert touching, "the job read no unit table"
    for statement, params in touching:
        assert "tenant_id IN" in statement or "tenant_id =" in statement, statement
        assert str(UNIT_B_ID) not in params and str(UNIT_C_ID) not in params, statement


def test_exports_queries_do_not_grow_with_people(app, auditor, units, monkeypatch):
    """Set-based: 40 more people in A cost no more statements on ``period_scores``."""
    from tenant_app.tenancy.door import cross_tenant_read

    def reads_of_scores(export_id):
        seen = []

        def record(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT") and "period_scores" in statement:
                seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            province_exports.build(export_id, door=cross_tenant_read)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(seen)

    monkeypatch.setattr(province_exports, "enqueue", lambda *args, **kwargs: None)
    export = province_exports.request_export(
        auditor, "results", "csv", {"period": "2026-11", "tenant_ids": [units.a.id]}
    )
    before = reads_of_scores(export.id)
    with tenant_context(units.a):
        period = db.session.execute(sa.select(Period).where(Period.number == 11)).scalar_one()
        post = (db.session.execute(sa.select(OrgUnit)).scalar_one(),
                db.session.execute(sa.select(JobPosition)).scalar_one())  # fmt: skip
    for n in range(40):
        _scored(units.a, period, post, f"X{n:03d}", f"Người {n}", "75", "HTT")
    assert reads_of_scores(export.id) == before == 2  # the plan, then one batch


def test_exports_progress_is_committed_while_building(app, client, auditor, units, monkeypatch):
    """Progress goes to the row at safe points, committed: another connection sees it."""
    seen = []
    original = province_exports._progress

    def spy(export_id, done, total):
        original(export_id, done, total)
        with db.engine.connect() as conn:
            seen.append(
                conn.execute(
                    sa.select(ProvinceExport.progress_done, ProvinceExport.progress_total).where(
                        ProvinceExport.id == export_id
                    )
                ).one()
            )

    monkeypatch.setattr(province_exports, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(province_exports, "_progress", spy)
    login(client, None, "tinh.thanhtra")
    _ask(client)
    assert [tuple(r) for r in seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert _latest().percent == 100


def test_exports_rerun_rebuilds_the_file(app, client, auditor, units):
    """A rerun of the job (an rq retry) writes a fresh file and removes the previous one."""
    from tenant_app.jobs.exports import build_export

    login(client, None, "tinh.thanhtra")
    _ask(client)
    first = _latest()
    old, old_key = _path(first), first.storage_key
    assert build_export(None, first.id)["rows"] == 3
    again = _latest()
    assert again.status == "succeeded" and again.storage_key != old_key
    assert not old.exists() and _path(again).is_file()
    assert sorted(p.name for p in province_exports.export_folder().iterdir()) == [again.storage_key]


def test_exports_failed_build_is_marked_and_leaves_no_file(client, auditor, units, monkeypatch):
    """An error while writing fails the export (in-process: no retry) and removes the
    partial file; the list says so in Vietnamese."""

    def broken(plan, size=1000):
        yield ["Phường An Hoạch", "NV001"]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export_results, "rows", broken)
    login(client, None, "tinh.thanhtra")
    assert _ask(client).status_code == 302
    export = _latest()
    assert export.status == "failed" and export.storage_key is None
    assert "Lỗi hệ thống khi tạo tệp" in export.message
    assert list(province_exports.export_folder().iterdir()) == []
    assert "Lỗi hệ thống khi tạo tệp" in client.get("/admin/exports").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "2026-13"}, "Kỳ không hợp lệ"),
        ({"tenants": ["424242"]}, "Không có đơn vị với mã: 424242"),
        ({"format": "pdf"}, "Định dạng tệp phải là"),
    ],
)
def test_exports_invalid_request_is_refused_in_vietnamese(client, auditor, units, data, message):
    """A wrong period, unit or format: a message naming it, and no export recorded."""
    login(client, None, "tinh.thanhtra")
    form = {"kind": "results", "format": "csv", "period": "2026-11", **data}
    response = post_form(client, "/admin/exports", form, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(ProvinceExport)).scalar() == 0


# --- the list and the download ------------------------------------------------------------


def test_exports_list_refreshes_itself_while_running(client, auditor, units):
    """A running export shows its progress bar, and the list marks itself for refreshing."""
    db.session.add(
        ProvinceExport(
            requested_by=auditor.id, kind="results", file_format="xlsx",
            params={"period": "2026-11", "tenant_ids": [units.a.id]},
            status="running", progress_done=1000, progress_total=4000,
        )
    )  # fmt: skip
    db.session.commit()
    login(client, None, "tinh.thanhtra")
    html = client.get("/admin/exports").get_data(as_text=True)
    assert "Tệp xuất dữ liệu" in html and "data-exports-running" in html
    assert '<progress max="4000" value="1000">' in html and "25%" in html
    assert "js/exports-refresh.js" in html and "Phường An Hoạch" in html
    script = Path(client.application.static_folder, "js/exports-refresh.js").read_text()
    assert "3000" in script


def test_exports_list_stops_refreshing_when_done(client, auditor, units):
    """Once every export is finished the list no longer asks to be refreshed."""
    login(client, None, "tinh.thanhtra")
    _ask(client)
    html = client.get("/admin/exports").get_data(as_text=True)
    assert "data-exports-running" not in html and "/download" in html


def test_exports_owner_downloads_the_file(client, auditor, units):
    """The owner gets the file: attachment with ASCII and UTF-8 names, not cached."""
    login(client, None, "tinh.thanhtra")
    _ask(client)
    export = _latest()
    response = client.get(f"/admin/exports/{export.id}/download")
    assert response.status_code == 200
    assert response.data == _path(export).read_bytes()
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Ket-qua-danh-gia-tung-nguoi-2026-11-')
    assert "filename*=UTF-8''K%E1%BA%BFt%20qu%E1%BA%A3" in disposition
    disposition.encode("ascii")


def test_exports_xlsx_download_has_the_workbook_type(client, auditor, units):
    login(client, None, "tinh.thanhtra")
    _ask(client, fmt="xlsx")
    response = client.get(f"/admin/exports/{_latest().id}/download")
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.data[:4] == b"PK\x03\x04"


def test_exports_another_auditor_gets_404(client, auditor, other_auditor, units):
    """Another auditor neither sees the export in the list nor downloads it (404)."""
    login(client, None, "tinh.thanhtra")
    _ask(client)
    export = _latest()
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/exports")})
    login(client, None, "tinh.kiemtra2")
    assert client.get(f"/admin/exports/{export.id}/download").status_code == 404
    assert f'data-export="{export.id}"' not in client.get("/admin/exports").get_data(as_text=True)


def test_exports_expired_link_is_410(client, auditor, units):
    """After its expiry the link answers 410 with a Vietnamese page."""
    login(client, None, "tinh.thanhtra")
    _ask(client)
    export = _latest()
    export.expires_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/admin/exports/{export.id}/download")
    assert response.status_code == 410
    assert "Liên kết tải đã hết hạn" in response.get_data(as_text=True)


def test_exports_open_download_refuses_at_expiry(app, auditor, other_auditor, units, monkeypatch):
    """The service decides with the ``now`` it is given: open before, gone at expiry."""
    monkeypatch.setattr(province_exports, "enqueue", lambda *args, **kwargs: None)
    export = province_exports.request_export(auditor, "results", "csv", {"period": "2026-11"})
    with pytest.raises(ServiceError) as unready:
        province_exports.open_download(export, auditor, export.created_at)
    assert unready.value.status == 409
    from tenant_app.tenancy.door import cross_tenant_read

    province_exports.build(export.id, door=cross_tenant_read)
    ends = export.expires_at
    assert province_exports.open_download(export, auditor, ends - timedelta(seconds=1)).path
    with pytest.raises(province_exports.ExportGone):
        province_exports.open_download(export, auditor, ends)
    with pytest.raises(ServiceError) as other:
        province_exports.open_download(export, other_auditor, ends - timedelta(hours=1))
    assert other.value.status == 404


def test_exports_purge_removes_expired_files_and_keeps_rows(app, client, auditor, units):
    """Purging at a time past the expiry deletes the file; the row stays, marked expired."""
    login(client, None, "tinh.thanhtra")
    _ask(client)
    export = _latest()
    path = _path(export)
    assert province_exports.purge_expired(export.expires_at - timedelta(minutes=1)) == 0
    assert path.is_file()
    assert province_exports.purge_expired(export.expires_at + timedelta(minutes=1)) == 1
    export = _latest()
    assert not path.exists()
    assert (export.status, export.storage_key, export.message) == ("succeeded", None, "Đã hết hạn")
    assert client.get(f"/admin/exports/{export.id}/download").status_code == 410


def test_exports_purge_job_is_scheduled_hourly_and_runs(app, client, auditor, units):
    """``exports.purge`` is in the periodic table, every hour, and removes what has expired."""
    from tenant_app.background import DEFAULT, enqueue
    from tenant_app.jobs.schedule import PERIODIC

    entry = {p.name: p for p in PERIODIC}["exports.purge"]
    assert entry.func == "tenant_app.jobs.exports.purge"
    assert entry.cron.split()[1:] == ["*", "*", "*", "*"]
    login(client, None, "tinh.thanhtra")
    _ask(client)
    export = _latest()
    path = _path(export)
    export.expires_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    db.session.commit()
    enqueue(DEFAULT, entry.func, None)
    assert not path.exists() and _latest().message == "Đã hết hạn"


def test_exports_unit_users_reach_no_route(client, admin_a, auditor, units):
    """A unit administrator is not signed in under /admin: every export route sends them to
    the province sign-in, and nothing is recorded."""
    login(client, None, "tinh.thanhtra")
    _ask(client)
    export = _latest()
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/exports")})
    login(client, "phuong-a", "admin.a")
    token = csrf_token(client, "/t/phuong-a/users/new")
    responses = [
        client.get("/admin/exports"),
        client.post(
            "/admin/exports",
            data={"csrf_token": token, "kind": "results", "format": "csv", "period": "2026-11"},
        ),
        client.get(f"/admin/exports/{export.id}/download"),
    ]
    for response in responses:
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(ProvinceExport)).scalar() == 1


def test_exports_request_form_partial_carries_period_and_units(app):
    """The partial the comparison page includes posts the period and the chosen units."""
    template = '{% include "admin/exports/_request_form.html" %}'
    with app.test_request_context("/admin/comparison"):
        html = render_template_string(template, period="2026-Q4", tenant_ids=[3, 7])
        every = render_template_string(template, period="2026")
    assert 'action="/admin/exports"' in html and 'name="csrf_token"' in html
    assert '<input type="hidden" name="period" value="2026-Q4">' in html
    assert html.count('name="tenants"') == 2 and 'value="7"' in html
    assert 'name="tenants"' not in every


# --- a real worker ------------------------------------------------------------------------


@pytest.mark.skipif(
    not REDIS_URL, reason="needs Redis: set KPI_TEST_REDIS_URL to run a real rq worker"
)
def test_exports_redis_worker_builds_the_export(app, auditor, units):
    """With Redis the request only queues the export; ``kpi worker io`` builds the file."""
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    app.config["KPI_REDIS_URL"] = REDIS_URL
    try:
        export = province_exports.request_export(
            auditor, "results", "csv", {"period": "2026-11", "tenant_ids": [units.a.id]}
        )
        assert export.status == "queued"
        done = subprocess.run(
            [KPI, "worker", "io", "--burst"],
            env=worker_env(app, REDIS_URL),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        app.config["KPI_REDIS_URL"] = None
        connection.flushdb()
        connection.close()
    export = _latest()
    assert (export.status, export.percent) == ("succeeded", 100)
    assert _people(_csv_rows(export)) == {"Nguyễn Văn An", "'=1+2 Lê Thị Bình"}
