"""The purge: each kind of file goes when its policy says, evidence only of locked periods, once.

Every test drives ``services.files.retention`` for a chosen day (``today``) as the daily job and
``kpi retention run`` do, and reads back the disk, the rows and the unit's audit chain.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import EvidenceFile
from tenant_app.models.staff import StaffMember
from tenant_app.models.vocabulary import JobStatus
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import evidence
from tenant_app.services.files import retention, retention_policy
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import build_ward
from tests.retention.helpers import (
    add_years,
    attach_evidence,
    import_run,
    lock,
    one_day,
    orphan,
    purge_events,
)

TODAY = date(2026, 12, 6)


def purge(tenant, today=TODAY, **kwargs):
    with tenant_context(tenant):
        outcome = retention.purge_tenant(today, **kwargs)
        db.session.commit()
    return outcome


@pytest.fixture()
def ward_a(factory, tenant_a):
    return build_ward(factory, tenant_a)


def test_policy_defaults_when_nothing_is_stored(app):
    """No setting stored: 90 days for committed imports, 30 for refused ones, 7 for exports,
    10 years after the lock for evidence, 30 days for orphans."""
    assert retention_policy.load() == retention_policy.Policy(
        import_workbook_days=90,
        rejected_upload_days=30,
        export_days=7,
        evidence_years=10,
        orphan_days=30,
    )


def test_due_import_workbook_is_purged_and_audited(app, tenant_a):
    """A committed import's workbook 90 days old goes; the run stays; one event lists it with
    its size and the bytes freed."""
    at = datetime(2026, 9, 1, 9, 0)
    path = import_run(tenant_a, committed=True, at=at)
    size = path.stat().st_size
    outcome = purge(tenant_a, today=date(2026, 11, 30))  # 90 days after 1 September
    assert not path.exists()
    assert outcome.counts()[retention.IMPORT_WORKBOOK] == 1 and outcome.freed == size
    (event,) = purge_events(tenant_a)
    assert event.actor_type == "system"
    assert event.after["counts"]["import_workbook"] == 1
    assert event.after["bytes"] == size
    assert event.after["files"][0]["ref"] == path.stem
    assert event.after["files"][0]["kind"] == "import_workbook"


def test_import_workbook_not_yet_due_is_kept(app, tenant_a):
    """One day short of the policy, the workbook stays and nothing is recorded."""
    path = import_run(tenant_a, committed=True, at=datetime(2026, 9, 1, 9, 0))
    outcome = purge(tenant_a, today=date(2026, 11, 29))
    assert path.exists() and outcome.files == []
    assert purge_events(tenant_a) == []


def test_rejected_upload_follows_its_own_shorter_policy(app, tenant_a):
    """An import refused by validation goes after 30 days; a committed one of the same day
    stays (90 days)."""
    at = datetime(2026, 10, 1, 9, 0)
    refused = import_run(tenant_a, committed=False, at=at)
    committed = import_run(tenant_a, committed=True, at=at)
    outcome = purge(tenant_a, today=date(2026, 10, 31))
    assert not refused.exists() and committed.exists()
    assert outcome.counts()[retention.REJECTED_UPLOAD] == 1


def test_import_being_checked_is_never_purged(app, tenant_a):
    """A workbook whose import is still queued or running is in use, whatever its age."""
    path = import_run(tenant_a, committed=False, status=JobStatus.RUNNING)
    purge(tenant_a)
    assert path.exists()


def test_zero_days_means_never(app, tenant_a, province_admin):
    """0 in the policy keeps that kind of file for ever."""
    retention_policy.update(
        actor=province_admin,
        import_workbook_days=0,
        rejected_upload_days=0,
        export_days=7,
        evidence_years=10,
        orphan_days=30,
    )
    db.session.commit()
    paths = [import_run(tenant_a, committed=c) for c in (True, False)]
    purge(tenant_a, today=date(2040, 1, 1))
    assert all(p.exists() for p in paths)


def test_evidence_of_an_unlocked_period_is_kept_even_when_old(app, tenant_a, ward_a):
    """Period 2026-11 still open: 30 years later its evidence is still there, and the run
    says it kept it because the period is not locked."""
    evidence_id, path = attach_evidence(tenant_a, ward_a)
    outcome = purge(tenant_a, today=date(2056, 12, 1))
    assert path.exists()
    assert outcome.kept_unlocked == 1 and outcome.counts()[retention.EVIDENCE] == 0
    with tenant_context(tenant_a):
        assert db.session.get(EvidenceFile, (tenant_a.id, evidence_id)).purged_at is None


def test_evidence_of_a_closed_period_is_kept(app, tenant_a, ward_a):
    """Closed is not locked: a closed period can still be reopened, its evidence stays."""
    from tenant_app.models.evaluation import Period
    from tenant_app.services.evaluation import periods

    _evidence_id, path = attach_evidence(tenant_a, ward_a)
    with tenant_context(tenant_a):
        periods.close_period(db.session.get(Period, (tenant_a.id, ward_a["period"])))
        db.session.commit()
    purge(tenant_a, today=date(2056, 12, 1))
    assert path.exists()


def test_evidence_of_a_locked_period_past_retention_is_purged(app, tenant_a, ward_a):
    """Locked, then 10 years from the lock: the file goes, the row stays marked purged, the
    event names the period and the file; a download answers 410."""
    evidence_id, path = attach_evidence(tenant_a, ward_a)
    size = path.stat().st_size
    locked_on = lock(tenant_a, ward_a)
    outcome = purge(tenant_a, today=add_years(locked_on, 10))
    assert not path.exists()
    assert outcome.counts()[retention.EVIDENCE] == 1 and outcome.freed == size
    with tenant_context(tenant_a):
        row = db.session.get(EvidenceFile, (tenant_a.id, evidence_id))
        assert row.purged_at is not None
        with pytest.raises(ServiceError) as gone:
            evidence.evidence_path(row)
        assert gone.value.status == 410
    (event,) = purge_events(tenant_a)
    assert event.after["files"][0]["ref"] == str(evidence_id)
    assert event.after["files"][0]["note"].startswith("2026-11: ")


def test_evidence_counts_from_the_lock_not_the_period_end(app, tenant_a, ward_a):
    """The day before the lock's tenth anniversary the file is still kept."""
    _evidence_id, path = attach_evidence(tenant_a, ward_a)
    locked_on = lock(tenant_a, ward_a)
    outcome = purge(tenant_a, today=add_years(locked_on, 10) - one_day())
    assert path.exists() and outcome.files == []


def test_evidence_of_a_reopened_period_is_kept(app, tenant_a, ward_a):
    """Locked once, then reopened with a reason: not locked now, so nothing goes."""
    from tenant_app.models.evaluation import Period
    from tenant_app.services.evaluation import periods

    _evidence_id, path = attach_evidence(tenant_a, ward_a)
    locked_on = lock(tenant_a, ward_a)
    with tenant_context(tenant_a):
        period = db.session.get(Period, (tenant_a.id, ward_a["period"]))
        periods.reopen_period(period, reason="Bổ sung minh chứng theo kết luận thanh tra")
        db.session.commit()
    purge(tenant_a, today=add_years(locked_on, 20))
    assert path.exists()


def test_evidence_of_a_person_who_left_follows_the_period_rule(app, tenant_a, ward_a):
    """The clerk left the unit: while the period is open the file stays; once locked and past
    the policy it goes like anyone's."""
    _evidence_id, path = attach_evidence(tenant_a, ward_a)
    with tenant_context(tenant_a):
        db.session.execute(
            sa.update(StaffMember)
            .where(StaffMember.id == ward_a["clerk"])
            .values(end_date=date(2026, 11, 28))
        )
        db.session.commit()
    purge(tenant_a, today=date(2050, 1, 1))
    assert path.exists()
    locked_on = lock(tenant_a, ward_a)
    purge(tenant_a, today=add_years(locked_on, 10))
    assert not path.exists()


def test_dry_run_changes_nothing(app, tenant_a, ward_a):
    """A dry run lists what is due and deletes, marks and records nothing."""
    workbook = import_run(tenant_a, committed=True)
    evidence_id, path = attach_evidence(tenant_a, ward_a)
    locked_on = lock(tenant_a, ward_a)
    stray = orphan(app, tenant_a, "stray.bin", date(2020, 1, 1))
    outcome = purge(tenant_a, today=add_years(locked_on, 10), dry_run=True)
    assert outcome.counts() == {
        "import_workbook": 1,
        "rejected_upload": 0,
        "evidence": 1,
        "export": 0,
        "orphan": 1,
    }
    assert workbook.exists() and path.exists() and stray.exists()
    with tenant_context(tenant_a):
        assert db.session.get(EvidenceFile, (tenant_a.id, evidence_id)).purged_at is None
    assert purge_events(tenant_a) == []


def test_second_run_purges_nothing_and_records_nothing(app, tenant_a, ward_a):
    """Idempotent: the same day again (a restarted job, the CLI after the job) finds nothing."""
    import_run(tenant_a, committed=False)
    attach_evidence(tenant_a, ward_a)
    locked_on = lock(tenant_a, ward_a)
    day = add_years(locked_on, 10)
    first = purge(tenant_a, today=day)
    second = purge(tenant_a, today=day)
    assert len(first.files) == 2
    assert second.files == [] and second.freed == 0
    assert len(purge_events(tenant_a)) == 1


def test_orphans_older_than_the_policy_are_purged_and_reported(app, tenant_a):
    """Files no row names, at the top of the unit's folder and in its evidence folder, go after
    30 days; a younger one stays."""
    old = orphan(app, tenant_a, "0b7c6a9e-0000-4000-8000-000000000000.xlsx", date(2026, 10, 1))
    old_evidence = orphan(app, tenant_a, "abc.pdf", date(2026, 10, 1), evidence_folder=True)
    young = orphan(app, tenant_a, "new.pdf", date(2026, 11, 20), evidence_folder=True)
    outcome = purge(tenant_a, today=date(2026, 11, 1))
    assert not old.exists() and not old_evidence.exists() and young.exists()
    refs = sorted(f.ref for f in outcome.files if f.kind == retention.ORPHAN)
    assert refs == ["0b7c6a9e-0000-4000-8000-000000000000.xlsx", "evidence/abc.pdf"]
    (event,) = purge_events(tenant_a)
    assert event.after["counts"]["orphan"] == 2


def test_live_evidence_is_never_taken_for_an_orphan(app, tenant_a, ward_a):
    """A file its row names is not an orphan, however old the file looks on disk."""
    from tests.retention.helpers import age

    _evidence_id, path = attach_evidence(tenant_a, ward_a)
    age(path, date(2020, 1, 1))
    purge(tenant_a, today=date(2030, 1, 1))
    assert path.exists()


def test_a_units_run_never_touches_another_units_files(app, factory, tenant_a, tenant_b, ward_a):
    """Unit A's run, with everything of B long due, leaves B's files, rows and chain alone."""
    ward_b = build_ward(factory, tenant_b, "b")
    b_workbook = import_run(tenant_b, committed=False)
    b_orphan = orphan(app, tenant_b, "stray.bin", date(2020, 1, 1))
    b_evidence_id, b_path = attach_evidence(tenant_b, ward_b)
    locked_on = lock(tenant_b, ward_b)
    a_workbook = import_run(tenant_a, committed=False)
    outcome = purge(tenant_a, today=add_years(locked_on, 30))
    assert not a_workbook.exists()
    assert b_workbook.exists() and b_orphan.exists() and b_path.exists()
    assert {f.ref for f in outcome.files} == {a_workbook.stem}
    with tenant_context(tenant_b):
        assert db.session.get(EvidenceFile, (tenant_b.id, b_evidence_id)).purged_at is None
    assert purge_events(tenant_b) == []


def test_a_rolled_back_purge_deletes_no_file(app, tenant_a, ward_a):
    """Files go only when the transaction that marks them gone commits: rolled back (a job
    whose run another worker took over, a failed commit), every file and row is as before."""
    workbook = import_run(tenant_a, committed=True)
    evidence_id, path = attach_evidence(tenant_a, ward_a)
    locked_on = lock(tenant_a, ward_a)
    with tenant_context(tenant_a):
        outcome = retention.purge_tenant(add_years(locked_on, 10))
        db.session.rollback()
        assert len(outcome.files) == 2
        assert db.session.get(EvidenceFile, (tenant_a.id, evidence_id)).purged_at is None
    assert workbook.exists() and path.exists()
    assert purge_events(tenant_a) == []
    purge(tenant_a, today=add_years(locked_on, 10))
    assert not workbook.exists() and not path.exists()


def test_purge_event_reads_in_words_in_the_units_log(app, tenant_a, admin_a):
    """The unit administrator's log shows the purge by its label, the kinds in words."""
    from tests.helpers import login

    import_run(tenant_a, committed=False)
    purge(tenant_a)
    client = app.test_client()
    login(client, "phuong-a", "admin.a")
    html = client.get("/t/phuong-a/audit").get_data(as_text=True)
    assert "Xoá tệp quá thời hạn lưu giữ" in html
    assert "Tệp nhập dữ liệu bị từ chối hoặc bỏ dở" in html
