"""The ``kpi`` command line: the Flask CLI of the app plus the project's commands.

Only ``click`` is imported here at load time: ``kpi score`` is the pure scoring sandbox and
``main`` hands it over before Flask, SQLAlchemy or the application are imported, so it answers
in a fraction of a second; every other command builds the application first.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Sequence

import click

HELP = "KPI Công vụ: quản lý và đánh giá cán bộ, công chức theo KPI."


def _create_app():
    from tenant_app import create_app

    return create_app()


def main(argv: Sequence[str] | None = None) -> None:
    """Run ``kpi``: ``kpi score …`` straight in the sandbox, anything else through Flask's CLI."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["score"]:
        from scoring.sandbox import main as sandbox_main

        sys.exit(sandbox_main(args[1:]))
    from flask.cli import FlaskGroup

    group = FlaskGroup(name="kpi", help=HELP, create_app=_create_app, add_version_option=False)
    group.main(args, prog_name="kpi")


def with_appcontext(f):
    """``flask.cli.with_appcontext``, imported only when a command runs (see the module doc)."""

    @click.pass_context
    def command(ctx, /, *args, **kwargs):
        from flask.cli import with_appcontext as flask_with_appcontext

        return ctx.invoke(flask_with_appcontext(f), *args, **kwargs)

    return functools.update_wrapper(command, f)


@click.command("demo")
@click.option("--keep", is_flag=True, help="Do not delete an existing embedded database first.")
@with_appcontext
def demo_command(keep: bool):
    """Build the embedded database from scratch and seed the demo province (Thanh Hóa)."""
    from tenant_app import demo

    accounts = demo.build(fresh=not keep)
    click.echo(demo.summary(accounts))


@click.group("audit")
def audit_group():
    """Audit trail tools."""


@audit_group.command("verify")
@with_appcontext
def audit_verify():
    """Walk every hash chain (province and each tenant); exit 1 naming the first broken link."""
    from tenant_app.services.audit.audit_chain import verify_all

    checked, broken = verify_all()
    for link in broken:
        click.echo(f"BROKEN {link.chain} at event #{link.seq}: {link.reason}", err=True)
    click.echo(f"checked {checked} events in {len(broken) and 'broken' or 'intact'} chains")
    sys.exit(1 if broken else 0)


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Folder of the archives (default: <KPI_INSTANCE_DIR>/backups).",
)
@click.option(
    "--keep", type=click.IntRange(1), default=None, help="Keep only the N newest archives there."
)
@with_appcontext
def backup_command(output: str | None, keep: int | None):
    """Write a backup archive: the database and the instance files, with a checked manifest.

    PostgreSQL is dumped with pg_dump as KPI_DATABASE_OWNER_URL (a role with BYPASSRLS or a
    superuser); SQLite is copied with its backup API. Prints the archive, its size and SHA-256.
    """
    from pathlib import Path

    from flask import current_app

    from tenant_app.services.backup import BackupError, create_backup

    folder = Path(output) if output else Path(current_app.config["KPI_INSTANCE_DIR"]) / "backups"
    try:
        result = create_backup(folder, keep=keep)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    database = result.manifest["database"]
    click.echo(
        f"backup {result.path} ({result.size} bytes, sha256 {result.sha256}): "
        f"{database['kind']} at {database['revision']}, {sum(database['tables'].values())} rows, "
        f"{len(result.manifest['members']) - 1} files in {result.seconds:.1f} s"
    )
    for path in result.removed:
        click.echo(f"removed {path} (--keep {keep})")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--force", is_flag=True, help="Replace a database or upload folder that has data.")
@click.option(
    "--upgrade", is_flag=True, help="Run the migrations when the archive's schema is older."
)
@with_appcontext
def restore_command(archive: str, force: bool, upgrade: bool):
    """Restore ARCHIVE (from `kpi backup`) into this deployment's empty database and folders.

    Every checksum is checked before anything changes; a corrupt or altered archive, a newer
    schema or (without --force) a non-empty target is refused with exit status 1. Afterwards the
    row counts are compared with the manifest and every audit chain is verified.
    """
    from pathlib import Path

    from tenant_app.services.backup import BackupError, restore_backup

    try:
        result = restore_backup(Path(archive), force=force, upgrade=upgrade)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"restored {archive}: {result.rows} rows, {result.files} files, revision "
        f"{result.revision} in {result.seconds:.1f} s"
    )
    if result.state == "older":
        click.echo(
            "the database is at an older revision than this code: run `kpi db upgrade` now "
            "(or restore with --upgrade), then `kpi audit verify`",
            err=True,
        )
    else:
        click.echo(
            f"schema {result.state}; audit chains intact ({result.events_checked} events checked)"
        )


@click.group("feeds")
def feeds_group():
    """Data feeds from source systems (one-stop, documents, disbursement)."""


@feeds_group.command("simulate")
@click.option("--unit", "slug", required=True, metavar="SLUG", help="The unit, e.g. hac-thanh.")
@click.option("--source", "code", required=True, metavar="CODE", help="The source, e.g. mot-cua.")
@click.option("--rate", default="20/s", show_default=True, help="Records a second (20/s, 600/min).")
@click.option("--duration", default=60.0, show_default=True, help="Seconds of sending.")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="The app's URL.")
@click.option("--token", default=None, help="The source's token (kpi_f…); else one is issued.")
@click.option("--batch", type=click.IntRange(1, 5000), default=None, help="Records per batch.")
@click.option("--seed", type=int, default=None, help="Seed of the random generator.")
@with_appcontext
def feeds_simulate(slug, code, rate, duration, url, token, batch, seed):
    """Push realistic one-stop dossier events through the public feed API, at a rate.

    Officers and procedure codes are the source's mappings; each dossier is received (due in
    3–15 days, in the open period when possible), then settled later in the run — about 10% after
    their due date, about 5% returned first. Prints progress every 5 s and the accepted and
    rejected counts of the batches; exit status 1 when the API refuses a batch or fails.
    """
    import random
    import uuid
    from datetime import date

    import sqlalchemy as sa

    from tenant_app.extensions import db
    from tenant_app.models.evaluation import Period
    from tenant_app.services.errors import ServiceError
    from tenant_app.services.feeds import simulator, sources
    from tenant_app.services.province import tenants
    from tenant_app.tenancy import tenant_context

    try:
        per_second = simulator.parse_rate(rate)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--rate") from exc
    try:
        tenant = tenants.get_by_slug(slug)
    except ServiceError as exc:
        raise click.ClickException(f"no unit {slug!r}") from exc
    with tenant_context(tenant):
        source = sources.find_source(code)
        if source is None:
            raise click.ClickException(f"no source {code!r} in {slug}")
        officers = [m.external_id for m, _person in sources.officer_maps(source)]
        items = [m.external_code for m, i in sources.item_maps(source) if i.kind == "work_item"]
        today = simulator.local_now().date()
        period = (
            db.session.execute(
                sa.select(Period)
                .where(Period.status == "open", Period.starts_on <= today, Period.ends_on >= today)
                .order_by(Period.kind.desc())
            )
            .scalars()
            .first()
        )
        if token is None:
            token, _row = sources.rotate_token(source)
            db.session.commit()
            click.echo(
                f"note: issued a new token for {code} in {slug} (the previous ones are revoked): "
                f"{token}",
                err=True,
            )
    if not officers or not items:
        raise click.ClickException(f"{code} in {slug} needs mapped officers and work items")
    rng = random.Random(seed)
    run_id = f"SIM{date.today():%y%m%d}-{uuid.UUID(int=rng.getrandbits(128)).hex[:6].upper()}"
    stream = simulator.DossierStream(
        officers,
        items,
        run_id=run_id,
        rng=rng,
        period_end=period.ends_on if period is not None else None,
        settle_after=min(10.0, max(1.0, duration / 4)),
    )
    post, get = simulator.http_transport(url, slug, code, token)
    click.echo(
        f"run {run_id}: {per_second:g} records/s for {duration:g} s to {url} "
        f"({len(officers)} officers, {len(items)} procedures)"
    )
    try:
        totals = simulator.run(
            stream, post, get, rate=per_second, duration=duration, batch=batch, report=click.echo
        )
    except simulator.Refused as exc:
        click.echo(f"refused: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"done: {totals.sent} records in {totals.batches} batches, {stream.count} dossiers "
        f"({stream.fates['on_time']} on time, {stream.fates['late']} late, "
        f"{stream.fates['returned']} returned); accepted {totals.accepted}, rejected "
        f"{totals.rejected}, held {totals.held}, duplicates {totals.duplicates}, not yet decided "
        f"{sum(totals.open_batches.values())}; {totals.rate:.1f} records/s achieved; "
        f"HTTP errors {totals.http_errors}"
    )
    sys.exit(1 if totals.http_errors else 0)


@click.command("score", context_settings={"ignore_unknown_options": True})
@click.argument("source", metavar="FILE.json|-")
def score_command(source: str):
    """Score a period, a year or a quota from JSON (or - for stdin), without the database.

    Print the result and its explanation; exit status 2 on invalid input, with
    {"error": {"field", "message"}} on stderr. `kpi score` itself runs without building the
    application (see main); this command lists it in `kpi --help`.
    """
    from scoring.sandbox import main as sandbox_main

    sys.exit(sandbox_main([source]))


@click.command("citus-ddl")
@with_appcontext
def citus_ddl_command():
    """Print the statements that distribute the schema on Citus (see docs/deploy.md)."""
    from tenant_app.citus import citus_ddl
    from tenant_app.extensions import db

    for statement in citus_ddl(db.metadata):
        click.echo(statement)


@click.command("rls-key")
@with_appcontext
def rls_key_command():
    """Store KPI_RLS_KEY in the database as the owner (after rotating the key or the secret)."""
    import sqlalchemy as sa
    from flask import current_app

    from tenant_app.tenancy import rls

    engine = sa.create_engine(current_app.config["KPI_DATABASE_OWNER_URL"])
    try:
        with engine.begin() as conn:
            if not rls.signed_scope_installed(conn):
                raise click.ClickException("no signed scope here: run `kpi db upgrade` first")
            rls.store_key(conn, rls.scope_key(current_app.config["KPI_RLS_KEY"]))
    finally:
        engine.dispose()
    click.echo("RLS scope key stored")


@click.group("tenants")
def tenants_group():
    """List units."""


@tenants_group.command("list")
@with_appcontext
def tenants_list():
    """Print every unit: slug, kind, status, name."""
    import sqlalchemy as sa

    from tenant_app.extensions import db
    from tenant_app.models.tenants import Tenant

    for t in db.session.execute(sa.select(Tenant).order_by(Tenant.slug)).scalars():
        click.echo(f"{t.slug:24} {t.kind:8} {t.status:11} {t.name}")


@click.command("create-province-user")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", type=click.Choice(["province_admin", "auditor"]), required=True)
@click.password_option()
@with_appcontext
def create_province_user(username, full_name, role, password):
    """Create a province administrator or auditor."""
    from tenant_app.extensions import db
    from tenant_app.models.users import ProvinceUser
    from tenant_app.security.passwords import hash_password
    from tenant_app.services.workspace.authentication import check_new_password

    check_new_password(password)
    db.session.add(
        ProvinceUser(
            username=username.lower(),
            full_name=full_name,
            role=role,
            password_hash=hash_password(password),
        )
    )
    db.session.commit()
    click.echo(json.dumps({"username": username.lower(), "role": role}))


@click.command("unlock")
@click.argument("username")
@click.option("--tenant", "slug", help="Unit slug; without it, a province account.")
@with_appcontext
def unlock_command(username: str, slug: str | None):
    """Lift the holds that failed sign-ins put on an account, from every address (audited)."""
    import sqlalchemy as sa

    from tenant_app.extensions import db
    from tenant_app.models.users import ProvinceUser, User
    from tenant_app.services.errors import ServiceError
    from tenant_app.services.province import tenants
    from tenant_app.services.workspace import accounts
    from tenant_app.tenancy import tenant_context

    name = username.strip().lower()
    if slug is None:
        user = db.session.execute(
            sa.select(ProvinceUser).where(ProvinceUser.username == name)
        ).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"no province account {name!r}")
        held = accounts.unlock(user)
        db.session.commit()
    else:
        try:
            tenant = tenants.get_by_slug(slug)
        except ServiceError as exc:
            raise click.ClickException(f"no unit {slug!r}") from exc
        with tenant_context(tenant):
            user = db.session.execute(
                sa.select(User).where(User.username == name)
            ).scalar_one_or_none()
            if user is None:
                raise click.ClickException(f"no account {name!r} in {slug}")
            held = accounts.unlock(user)
            db.session.commit()
    click.echo(json.dumps({"username": name, "tenant": slug, "held_addresses": held}))


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option(
    "--fork/--no-fork",
    default=None,
    help="Fork a work horse per job (default: yes, unless the queues are only feeds/scoring).",
)
@with_appcontext
def worker_command(queues, burst, fork):
    """Run an rq worker on QUEUES (default: scoring, feeds, rollout, io, default)."""
    from flask import current_app

    from tenant_app.background.queues import ALL_QUEUES
    from tenant_app.jobs.worker import run_worker

    unknown = [q for q in queues if q not in ALL_QUEUES]
    if unknown:
        raise click.BadParameter(f"unknown queue(s): {', '.join(unknown)}", param_hint="QUEUES")
    if not current_app.config.get("KPI_REDIS_URL"):
        raise click.ClickException("KPI_REDIS_URL is not set: jobs run in-process, no worker")
    ok = run_worker(current_app._get_current_object(), queues or ALL_QUEUES, burst=burst, fork=fork)
    sys.exit(0 if ok or burst else 1)


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the periodic scheduler (rq CronScheduler over tenant_app.jobs.schedule.PERIODIC)."""
    from flask import current_app

    from tenant_app.jobs.worker import build_scheduler

    if not current_app.config.get("KPI_REDIS_URL"):
        raise click.ClickException("KPI_REDIS_URL is not set: jobs run in-process, no scheduler")
    build_scheduler(current_app._get_current_object()).start()


@click.command("recompute")
@click.option(
    "--period", "code", required=True, metavar="YYYY-MM", help="Period code, e.g. 2026-11."
)
@click.option("--tenant", "slug", default=None, metavar="SLUG", help="Only this unit.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Write nothing: list the people whose total or grade would change, unit by unit.",
)
@with_appcontext
def recompute_command(code: str, slug: str | None, dry_run: bool):
    """Re-score a whole period in every unit (or one), set-based; print counts and time.

    Only people whose inputs, rules or engine version changed are written. With --dry-run
    nothing is written: each person whose stored total or grade would change is listed (unit,
    staff code, name, before → after, the engine version that stored it), so a province can see
    the effect on closed periods before deciding to reopen them. Exit status 1 when a unit
    failed (the others are still committed).
    """
    import time

    from tenant_app.services.evaluation.recompute import dry_run_period, recompute_period

    if dry_run:
        changes = dry_run_period(code, slug)
        if slug is not None and changes is None:
            raise click.BadParameter(f"unknown unit {slug!r}", param_hint="--tenant")
        for line in changes or []:
            click.echo(line)
        click.echo(f"period {code}: {len(changes or [])} people would change (dry run)")
        return

    def show(result):
        if result.error:
            click.echo(f"{result.slug:24} ERROR {result.error}", err=True)
        elif result.skipped:
            click.echo(f"{result.slug:24} skipped ({result.skipped})")
        else:
            click.echo(f"{result.slug:24} {result.scored:7d} scored in {result.seconds:.2f} s")

    started = time.perf_counter()
    results = recompute_period(code, slug, on_tenant=show)
    if slug is not None and not results:
        raise click.BadParameter(f"unknown unit {slug!r}", param_hint="--tenant")
    scored = sum(r.scored for r in results)
    failed = sum(1 for r in results if r.error)
    done = sum(1 for r in results if not r.error and not r.skipped)
    click.echo(
        f"period {code}: {scored} people scored in {done} units "
        f"({failed} failed) in {time.perf_counter() - started:.2f} s"
    )
    sys.exit(1 if failed else 0)


@click.command("refresh-comparison")
@click.option("--tenant", "slug", default=None, metavar="SLUG", help="Only this unit.")
@with_appcontext
def refresh_comparison_command(slug: str | None):
    """Rebuild the precomputed comparison figures of every unit (or one), now, in this process.

    Run once after upgrading a deployment that already has results; the nightly job and the
    refresh after each change keep them current afterwards.
    """
    import sqlalchemy as sa

    from tenant_app.extensions import db
    from tenant_app.jobs.comparison import refresh_tenant
    from tenant_app.models import Tenant
    from tenant_app.tenancy import tenant_context

    stmt = sa.select(Tenant).order_by(Tenant.slug)
    if slug is not None:
        stmt = stmt.where(Tenant.slug == slug)
    units = list(db.session.execute(stmt).scalars())
    if slug is not None and not units:
        raise click.BadParameter(f"unknown unit {slug!r}", param_hint="--tenant")
    for unit in units:
        with tenant_context(unit):
            result = refresh_tenant(unit.id)
            db.session.commit()
        click.echo(f"{unit.slug:24} {result['scopes']:4d} scopes {result['rows']:6d} rows")


@click.group("calendar")
def calendar_group():
    """The calendar: move periods on at their window ends, for a day or a simulated span."""


def _units(slug: str | None):
    """The serving units (or the one named), by slug; BadParameter for an unknown one."""
    from tenant_app.services.province import tenants

    units = tenants.list_serving()
    if slug is not None:
        units = [u for u in units if u.slug == slug]
        if not units:
            raise click.BadParameter(f"unknown unit {slug!r}", param_hint="--unit")
    return sorted(units, key=lambda u: u.slug)


def _calendar_day(units, day, *, act: bool) -> list[str]:
    """Run the daily job of every unit for ``day`` in this process; the lines to print."""
    from tenant_app.extensions import db
    from tenant_app.jobs.evaluation import daily
    from tenant_app.tenancy import tenant_context

    lines = []
    for unit in units:
        with tenant_context(unit):
            if act:
                from tenant_app.demo_calendar import act_for_people

                lines += [f"{day} {unit.slug:20} {x}" for x in act_for_people(day)]
                db.session.commit()
            result = daily(unit.id, day.isoformat())
            db.session.commit()
        moved = result["calendar"]
        said = [f"opened {result['opened']}"] if result["opened"] else []
        said += [f"window ended {x}" for x in moved["ended"]]
        said += [
            f"{what} {code}" for what in ("published", "closed", "locked") for code in moved[what]
        ]
        said += [f"annual {x}" for x in moved["annual"]]
        if moved["notified"]:
            said.append(f"{moved['notified']} late notice(s) to the head")
        lines += [f"{day} {unit.slug:20} {x}" for x in said]
    return lines


def _waiting(units, day) -> list[str]:
    """What still waits for a person on ``day``, unit by unit (late stages)."""
    from tenant_app.services.evaluation import calendar
    from tenant_app.tenancy import tenant_context

    lines = []
    for unit in units:
        with tenant_context(unit):
            lines += [
                f"WAITING {unit.slug:20} {late.period_code} {late.stage}: "
                f"{late.pending} pending, {late.days_late} days late"
                for late in calendar.late_stages(day, tenants=[unit])
            ]
    return lines


@calendar_group.command("run")
@click.option("--today", "today", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--unit", "slug", default=None, metavar="SLUG", help="Only this unit.")
@with_appcontext
def calendar_run(today, slug: str | None):
    """Do the daily calendar work of every unit (or one) for --today (a frozen clock): open the
    due period, move periods on at their window ends, remind; idempotent."""
    units = _units(slug)
    day = today.date()
    for line in _calendar_day(units, day, act=False) + _waiting(units, day):
        click.echo(line)


@calendar_group.command("simulate")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--unit", "slug", default=None, metavar="SLUG", help="Only this unit.")
@click.option(
    "--act-for-people",
    is_flag=True,
    help="Demo only: the demo's people review, assess and approve (through the services, "
    "printed as [demo]) on the last day of each window.",
)
@with_appcontext
def calendar_simulate(start, end, slug: str | None, act_for_people: bool):
    """Run the calendar day by day from --from to --to (inclusive) with a frozen clock, then
    print every period's status and what still waits for a person."""
    from datetime import timedelta

    from tenant_app.services.evaluation import periods
    from tenant_app.tenancy import tenant_context

    units = _units(slug)
    day, last = start.date(), end.date()
    if last < day:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    while day <= last:
        for line in _calendar_day(units, day, act=act_for_people):
            click.echo(line)
        day += timedelta(days=1)
    for unit in units:
        with tenant_context(unit):
            statuses = [f"{p.code}={p.status}" for p in reversed(periods.list_periods())]
        click.echo(f"{unit.slug:20} " + " ".join(statuses))
    for line in _waiting(units, last):
        click.echo(line)


@click.group("retention")
def retention_group():
    """Retention of stored files (import workbooks, evidence, exports)."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Delete nothing: list what would be purged.")
@click.option(
    "--today",
    "day",
    default=None,
    metavar="YYYY-MM-DD",
    help="The day to purge for (default: today in KPI_TIMEZONE).",
)
@click.option("--tenant", "slug", default=None, metavar="SLUG", help="Only this unit.")
@with_appcontext
def retention_run(dry_run: bool, day: str | None, slug: str | None):
    """Purge the files past the retention policy now, unit by unit (every status), then the
    province's exports; print each file and a total. Evidence of a period that is not locked
    is never purged. Same as the daily job; running it twice purges nothing the second time."""
    from datetime import date

    import sqlalchemy as sa

    from tenant_app.extensions import db
    from tenant_app.models import Tenant
    from tenant_app.services.files import retention, retention_province
    from tenant_app.tenancy import tenant_context

    try:
        today = date.fromisoformat(day) if day else retention.local_today()
    except ValueError:
        raise click.BadParameter("expected YYYY-MM-DD", param_hint="--today") from None
    stmt = sa.select(Tenant).order_by(Tenant.slug)
    if slug is not None:
        stmt = stmt.where(Tenant.slug == slug)
    units = list(db.session.execute(stmt).scalars())
    if slug is not None and not units:
        raise click.BadParameter(f"unknown unit {slug!r}", param_hint="--tenant")
    verb = "would purge" if dry_run else "purged"

    def show(name: str, outcome) -> None:
        for f in outcome.files:
            note = f"  {f.note}" if f.note else ""
            click.echo(f"{name:24} {f.kind:16} {f.ref:40} {f.size:>10} B  since {f.since}{note}")
        kept = f", kept {outcome.kept_unlocked} evidence (period not locked)"
        click.echo(
            f"{name:24} {verb} {len(outcome.files)} files, {outcome.freed} bytes"
            + (kept if outcome.kept_unlocked else "")
        )

    def finish() -> None:
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()

    total = files = 0
    for unit in units:
        name = unit.slug
        with tenant_context(unit):
            outcome = retention.purge_tenant(today, dry_run=dry_run)
            finish()
        show(name, outcome)
        total, files = total + outcome.freed, files + len(outcome.files)
    if slug is None:
        outcome = retention_province.purge_province(today, dry_run=dry_run)
        finish()
        show("(province)", outcome)
        total, files = total + outcome.freed, files + len(outcome.files)
    suffix = " (dry run)" if dry_run else ""
    click.echo(f"{today.isoformat()}: {verb} {files} files, {total} bytes{suffix}")


def init_app(app) -> None:
    # `kpi db …` is Flask-Migrate's group; the Citus statements belong beside the migrations.
    from flask_migrate.cli import db as db_group

    if "citus-ddl" not in db_group.commands:
        db_group.add_command(citus_ddl_command)
    if "rls-key" not in db_group.commands:
        db_group.add_command(rls_key_command)
    for command in (demo_command, audit_group, tenants_group, create_province_user, score_command):
        app.cli.add_command(command)
    app.cli.add_command(feeds_group)
    for command in (worker_command, scheduler_command):
        app.cli.add_command(command)
    app.cli.add_command(recompute_command)
    app.cli.add_command(refresh_comparison_command)
    app.cli.add_command(unlock_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(calendar_group)
    app.cli.add_command(retention_group)
