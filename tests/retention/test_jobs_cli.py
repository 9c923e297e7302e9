"""The daily job, the scheduler's entry, the province's exports and ``kpi retention run``."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from tenant_app.background import paths
from tenant_app.extensions import db
from tenant_app.jobs.schedule import PERIODIC
from tenant_app.models.exports import ProvinceExport
from tenant_app.services.files import export_writers, retention_province
from tests.retention.helpers import age, import_run, orphan, province_purge_events, purge_events


def test_schedule_runs_the_purge_daily():
    """One daily entry runs the province-level job that fans out per unit."""
    (entry,) = [p for p in PERIODIC if p.name == "retention.daily"]
    assert entry.func == paths.RETENTION_DAILY_ALL
    minute, hour, *rest = entry.cron.split()
    assert rest == ["*", "*", "*"] and minute.isdigit() and hour.isdigit()


def test_daily_job_purges_every_unit_and_is_idempotent(app, tenant_a, tenant_b):
    """In-process, the job purges each unit's due files; run again, it purges nothing more."""
    from tenant_app.jobs import retention as retention_jobs

    a = import_run(tenant_a, committed=False)
    b = import_run(tenant_b, committed=True)
    first = retention_jobs.daily_all(None, "2026-12-06")
    again = retention_jobs.daily_all(None, "2026-12-06")
    assert first["tenants"] == again["tenants"] == 2
    assert not a.exists() and not b.exists()
    assert len(purge_events(tenant_a)) == 1 and len(purge_events(tenant_b)) == 1


def stored_export(app, auditor, finished: datetime) -> tuple[ProvinceExport, object]:
    folder = export_writers.export_folder()
    folder.mkdir(parents=True, exist_ok=True)
    key = export_writers.new_key("csv")
    (folder / key).write_text("a;b\n1;2\n")
    export = ProvinceExport(
        requested_by=auditor.id,
        kind="results",
        file_format="csv",
        params={},
        status="succeeded",
        filename="ket-qua.csv",
        storage_key=key,
        size=8,
        finished_at=finished,
        expires_at=datetime(2099, 1, 1),  # a long link lifetime: retention still caps it
    )
    db.session.add(export)
    db.session.commit()
    return export, folder / key


def test_province_exports_past_policy_are_purged_rows_kept(app, auditor):
    """A stored export 7 days old goes (the row stays, without its file, with a message);
    one younger stays; an unnamed file of the export folder past 30 days goes too."""
    old, old_path = stored_export(app, auditor, datetime(2026, 11, 20, 10, 0))
    young, young_path = stored_export(app, auditor, datetime(2026, 12, 1, 10, 0))
    stray = export_writers.export_folder() / "stray.csv"
    stray.write_text("x")
    age(stray, date(2026, 10, 1))
    outcome = retention_province.purge_province(date(2026, 12, 6))
    db.session.commit()
    assert not old_path.exists() and young_path.exists() and not stray.exists()
    db.session.refresh(old)
    assert old.storage_key is None and "lưu giữ" in old.message
    assert outcome.counts()["export"] == 1 and outcome.counts()["orphan"] == 1
    (event,) = province_purge_events()
    assert event.after["counts"]["export"] == 1


def test_cli_dry_run_lists_and_changes_nothing_then_run_purges(app, tenant_a):
    """``--dry-run`` prints the file and "would purge" and leaves it; the real run deletes it;
    a second run purges 0 files."""
    path = import_run(tenant_a, committed=False)
    stray = orphan(app, tenant_a, "stray.bin", date(2020, 1, 1))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "run", "--dry-run", "--today", "2026-12-06"])
    assert dry.exit_code == 0, dry.output
    assert "phuong-a" in dry.output and "rejected_upload" in dry.output
    assert "would purge 2 files" in dry.output and "(dry run)" in dry.output
    assert path.exists() and stray.exists() and purge_events(tenant_a) == []
    real = runner.invoke(args=["retention", "run", "--today", "2026-12-06"])
    assert real.exit_code == 0, real.output
    assert "2026-12-06: purged 2 files" in real.output
    assert not path.exists() and not stray.exists()
    again = runner.invoke(args=["retention", "run", "--today", "2026-12-06"])
    assert "2026-12-06: purged 0 files, 0 bytes" in again.output
    assert len(purge_events(tenant_a)) == 1


def test_cli_refuses_a_bad_day_and_an_unknown_unit(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["retention", "run", "--today", "06/12/2026"]).exit_code == 2
    assert runner.invoke(args=["retention", "run", "--tenant", "khong-co"]).exit_code == 2
    assert db.session.execute(sa.select(sa.func.count()).select_from(ProvinceExport)).scalar() == 0
