"""The auditor reads everything and writes nothing: every write route of the app, tried.

The routes come from ``app.url_map`` (every rule accepting POST, PUT, PATCH or DELETE), so a route
added later is swept without touching this file. Each is called with an empty but plausible body
(a form carrying a valid CSRF token, or ``{}`` for the API), its URL filled with ids of real rows
of unit A (a populated ward: people, periods, reports, scores, income, annual results, a template
and a rollout). A refusal is 401, 403, 404, 405, or a redirect to a sign-in page; anything else
(a 400/422 validation error included: the request got past authorization) is an offender.

Only the routes of ``ALLOWED`` may answer otherwise: each says why an auditor may POST there. They
run after the others (a logout or a token revocation would make later refusals meaningless), and
must not fail (no 5xx).

Around the sweep, every table (but the audit trails, checked apart, and the API tokens and session
records, stamped on each use) is fingerprinted — row count and content — and must be unchanged;
no unit audit event may appear. A control sweep as the province administrator shows the harness
does see writes.
"""

from __future__ import annotations

import hashlib
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.routing.converters import AnyConverter, IntegerConverter, UUIDConverter

from tenant_app.extensions import db
from tenant_app.tenancy import tenant_context
from tests.helpers import bearer, csrf_token, login, token_for

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
REFUSAL_STATUSES = (401, 403, 404, 405)
REDIRECTS = (301, 302, 303, 307, 308)

# (method, endpoint) → why an auditor may call it: nothing of the evaluation data is written.
ALLOWED = {
    ("POST", "admin_exports.create"): "starts the auditor's own export job: writes only a "
    "province_exports row of that user, no unit data; an empty form is refused and writes nothing",
    ("POST", "admin.login"): "the console's sign-in form: public by nature; an empty form is "
    "shown again (200); a real sign-in writes only the login bookkeeping",
    ("POST", "admin.logout"): "ends the caller's own session; writes no row",
    ("POST", "tenant_auth.logout"): "clears the browser's own session cookie (a province "
    "session too, hence run last); writes no row",
    ("POST", "admin.password"): "the province user's own password change (any province role)",
    ("POST", "api_auth.issue"): "issues a bearer token to oneself against one's own credentials "
    "(public: an empty body is a 422)",
    ("DELETE", "api_auth.revoke"): "revokes the very token sent with the request",
    ("POST", "api_scoring.simulate"): "read-like: the scoring sandbox, which reads and writes "
    "nothing in the database, open to any valid token (auditors included)",
}

# Tables not fingerprinted: the audit trails (reads are audited: cross_tenant.read events go to
# the province chain; the unit trail is checked apart) and the API tokens (each use stamps
# ``last_used_at``; revoking is allowed). Sessions live in the cookie; the sign-in stamps
# ``province_users`` before the first fingerprint, so that table stays tracked.
UNTRACKED = frozenset(
    {
        "audit_events",
        "province_audit_events",
        "api_tokens",
        "province_api_tokens",
        # Server-side session records: last_seen_at is stamped on use, and logout ends them.
        "login_sessions",
        "province_login_sessions",
    }
)

# URL parameter → the table whose first row (of unit A when tenant-owned) fills it, for the names
# the plural rule (``period_id`` → ``periods``) does not find; ``(table, condition)`` narrows.
PARAM_TABLES = {
    "staff_id": "staff",
    "item_id": "catalogue_items",
    "unit_id": "org_units",
    "position_id": "job_positions",
    "classification_id": "annual_classifications",
    "run_id": "income_runs",
    "import_id": ("job_runs", lambda t: t.c.kind.like("import.%")),
    "template_id": "config_templates",
    "version_id": "template_versions",
    "rollout_id": "rollouts",
    "export_id": "province_exports",
}
# URL parameter → a literal (``None``: unit A's slug); a tenant status is a valid transition.
PARAM_LITERALS = {"tenant_slug": None, "slug": None, "status": "active", "token": "x"}
# The demo ward's first people: the leadership and the office, its IT clerk the unit admin.
WARD_SIZE = 12


# --- the data the URLs point at


def _populate(tenant, password_hash, province_admin) -> None:
    """Unit A as the demo builds a ward, cut to its leadership and office (12 people, for speed):
    org chart, catalogue, a locked and published month with income, the current month under
    way, annual results; then a province template promoted from it, published, and a dry-run
    rollout; and one import."""
    from tenant_app import demo, demo_evaluation, demo_workspace
    from tenant_app.models import JobRun, User
    from tenant_app.services.rollout import rollouts, templates

    with tenant_context(tenant):
        people = []
        for n, (full_name, title, roles) in enumerate(demo.ward_people(11)[:WARD_SIZE], start=1):
            if "công nghệ thông tin" in title:
                roles = ["unit_admin", "staff"]
            user = User(
                username=f"nv{n:02d}",
                full_name=full_name,
                job_title=title,
                roles=roles,
                password_hash=password_hash,
            )
            db.session.add(user)
            people.append((user, title))
        db.session.flush()
        demo_workspace.seed(people, 11)
        db.session.commit()
        demo_evaluation.seed(11)
        db.session.add(
            JobRun(
                id=uuid.uuid4(),
                kind="import.staff",
                queue="io",
                status="succeeded",
                params={"kind": "staff", "filename": "nhan-su.xlsx", "size": 1},
            )
        )
        db.session.commit()
    template = templates.create_template({"code": "PHUONG", "name": "Bộ chỉ số cấp phường"})
    version = templates.promote(tenant, template, notes="Từ phường A.")
    templates.publish(version)
    db.session.commit()
    rollouts.create_rollout(version, [tenant], dry_run=True, actor=province_admin)
    db.session.commit()


@contextmanager
def _owner(app):
    """A connection as the database owner that sees every unit's rows (one transaction)."""
    engine = sa.create_engine(app.config["KPI_DATABASE_OWNER_URL"])
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT set_config('kpi.cross_tenant', 'on', true)"))
            yield conn
    finally:
        engine.dispose()


def _first_id(conn, name: str, tenant) -> object | None:
    spec = PARAM_TABLES.get(name) or (name.removesuffix("_id") + "s")
    table_name, condition = spec if isinstance(spec, tuple) else (spec, None)
    table = db.metadata.tables.get(table_name)
    if table is None or "id" not in table.c:
        return None
    query = sa.select(table.c.id).order_by(table.c.id).limit(1)
    if "tenant_id" in table.c:
        query = query.where(table.c.tenant_id == tenant.id)
    if condition is not None:
        query = query.where(condition(table))
    return conn.execute(query).scalar()


# --- the routes


@dataclass(frozen=True)
class Call:
    method: str
    endpoint: str
    rule: str
    url: str
    guessed: tuple[str, ...] = ()  # parameters filled without a real row (no table maps them)

    @property
    def api(self) -> bool:
        return self.rule.startswith("/api/")

    @property
    def allowed(self) -> str | None:
        return ALLOWED.get((self.method, self.endpoint))

    def __str__(self) -> str:
        return f"{self.method} {self.url} ({self.endpoint})"


def _value(name: str, converter, tenant, ids: dict) -> object:
    if name in PARAM_LITERALS:
        return PARAM_LITERALS[name] or tenant.slug
    if ids.get(name) is not None:
        return ids[name]
    if isinstance(converter, UUIDConverter):
        return uuid.uuid4()
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def _url(rule, tenant, ids: dict) -> str:
    values = {n: _value(n, c, tenant, ids) for n, c in rule._converters.items()}
    return rule.build(values, append_unknown=False)[1]


def _guessed(rule, ids: dict) -> tuple[str, ...]:
    return tuple(sorted(n for n in rule.arguments if n not in PARAM_LITERALS and ids[n] is None))


def write_calls(app, tenant) -> list[Call]:
    """One call per (write method, rule) of the URL map, URLs filled with real ids of ``tenant``."""
    rules = [
        r
        for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if r.methods & set(WRITE_METHODS)
    ]
    with _owner(app) as conn:
        ids = {n: _first_id(conn, n, tenant) for n in {n for r in rules for n in r.arguments}}
    calls = [
        Call(method, rule.endpoint, rule.rule, _url(rule, tenant, ids), _guessed(rule, ids))
        for rule in rules
        for method in WRITE_METHODS
        if method in rule.methods
    ]
    assert calls, "no write route in the URL map"
    return calls


def login_paths(app, tenant) -> set[str]:
    """The sign-in pages (every ``*.login`` GET rule), as a refusal may redirect there."""
    return {
        _url(rule, tenant, {})
        for rule in app.url_map.iter_rules()
        if rule.endpoint.rsplit(".", 1)[-1] == "login" and "GET" in rule.methods
    }


# --- the sweep


def _send(client, call: Call, *, csrf: str | None, token: str | None = None):
    headers = {"X-CSRFToken": csrf} if csrf else {}
    if token:
        headers.update(bearer(token))
    if call.api:
        return client.open(call.url, method=call.method, json={}, headers=headers)
    # a confirmation box is not a barrier: tick it, so the sweep reaches the write behind it
    form = {"csrf_token": csrf, "confirm": "yes"} if csrf else {"confirm": "yes"}
    return client.open(call.url, method=call.method, data=form, headers=headers)


def _refused(response, logins: set[str]) -> bool:
    if response.status_code in REFUSAL_STATUSES:
        return True
    if response.status_code in REDIRECTS:
        return urlsplit(response.headers.get("Location", "")).path in logins
    return False


def _describe(call: Call, response) -> str:
    where = response.headers.get("Location")
    return f"{call} → {response.status_code}" + (f" → {where}" if where else "")


def sweep(client, calls, logins, *, csrf, token=None, still_signed_in=None) -> list[str]:
    """Call every route; return the offenders. Allowed routes run last and may only not fail.

    ``still_signed_in(client)`` is checked after the refused routes: a refusal only counts if the
    caller was still who they claim to be.
    """
    offenders = []
    for call in (c for c in calls if not c.allowed):
        response = _send(client, call, csrf=csrf, token=token)
        if not _refused(response, logins):
            offenders.append(_describe(call, response))
    if still_signed_in is not None:
        assert still_signed_in(client), "the caller was signed out during the sweep"
    for call in sorted((c for c in calls if c.allowed), key=lambda c: c.method == "DELETE"):
        response = _send(client, call, csrf=csrf, token=token)
        if response.status_code >= 500:
            offenders.append(_describe(call, response) + " (allowed route failed)")
    return offenders


def fingerprint(app) -> dict[str, tuple[int, str]]:
    """(row count, digest of the rows) of every tracked table."""
    result = {}
    with _owner(app) as conn:
        for table in db.metadata.sorted_tables:
            if table.name in UNTRACKED:
                continue
            rows = [tuple(r) for r in conn.execute(sa.select(table))]
            rows.sort(key=repr)
            result[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


def unit_audit_events(app) -> int:
    with _owner(app) as conn:
        return conn.execute(sa.text("SELECT count(*) FROM audit_events")).scalar()


def changed(before: dict, after: dict) -> list[str]:
    return [
        f"{name}: {before[name][0]} → {after[name][0]} rows"
        + (" (same count, rows changed)" if before[name][0] == after[name][0] else "")
        for name in before
        if before[name] != after[name]
    ]


def verdict(offenders, before, after, events_before, events_after) -> list[str]:
    """Everything wrong with a sweep: offending routes, then changed tables and unit events."""
    problems = [f"  route: {o}" for o in offenders]
    problems += [f"  data: {c}" for c in changed(before, after)]
    if events_after != events_before:
        problems.append(f"  data: audit_events: {events_before} → {events_after} unit events")
    return problems


# --- the tests


@pytest.fixture()
def ward(app, tenant_a, province_admin, password_hash):
    _populate(tenant_a, password_hash, province_admin)
    return tenant_a


def _admin_home_ok(client) -> bool:
    return client.get("/admin/").status_code == 200


def _province_api_ok(token):
    def check(client) -> bool:
        return client.get("/api/v1/province/audit-events", headers=bearer(token)).status_code == 200

    return check


def test_auditor_cannot_write_anywhere(app, ward, auditor):
    calls = write_calls(app, ward)
    logins = login_paths(app, ward)

    browser = app.test_client()
    assert login(browser, None, auditor.username).status_code == 302
    assert _admin_home_ok(browser)
    csrf = csrf_token(browser, "/admin/account/password")

    api = app.test_client()
    token = token_for(api, None, auditor.username)
    api_csrf = csrf_token(api, "/admin/login")  # sent too: CSRF must not be what refuses
    assert _province_api_ok(token)(api)

    before, events = fingerprint(app), unit_audit_events(app)
    offenders = sweep(browser, calls, logins, csrf=csrf, still_signed_in=_admin_home_ok)
    api_calls = [c for c in calls if c.api]
    offenders += [
        "bearer: " + o
        for o in sweep(
            api,
            api_calls,
            logins,
            csrf=api_csrf,
            token=token,
            still_signed_in=_province_api_ok(token),
        )
    ]
    after = fingerprint(app)

    guessed = sorted({n for c in calls for n in c.guessed})
    print(f"swept {len(calls)} write routes in the browser, {len(api_calls)} with a bearer token;")
    print(f"parameters filled without a real row: {', '.join(guessed) or 'none'}")
    problems = verdict(offenders, before, after, events, unit_audit_events(app))
    assert not problems, "the auditor wrote or got past authorization:\n" + "\n".join(problems)


def test_anonymous_reaches_no_write_route(app, ward):
    calls = write_calls(app, ward)
    logins = login_paths(app, ward)
    client = app.test_client()
    csrf = csrf_token(client, "/admin/login")

    before, events = fingerprint(app), unit_audit_events(app)
    offenders = sweep(client, calls, logins, csrf=csrf)
    after = fingerprint(app)

    problems = verdict(offenders, before, after, events, unit_audit_events(app))
    assert not problems, "an anonymous caller wrote or got past authorization:\n" + "\n".join(
        problems
    )


def test_the_sweep_sees_writes(app, tenant_a, province_admin):
    """Control: the same sweep as the province administrator, who may write, reports offenders
    and changed data — so the URLs, the CSRF token and the fingerprint are not blind."""
    calls = write_calls(app, tenant_a)
    client = app.test_client()
    assert login(client, None, province_admin.username).status_code == 302
    csrf = csrf_token(client, "/admin/account/password")

    before = fingerprint(app)
    offenders = sweep(client, calls, login_paths(app, tenant_a), csrf=csrf)
    after = fingerprint(app)

    assert any(o.startswith("POST /admin/tenants/phuong-a/status/active ") for o in offenders)
    assert "tenants: 1 → 1 rows (same count, rows changed)" in changed(before, after)
