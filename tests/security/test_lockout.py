"""Issue 12, finding 6: failed sign-ins hold back one (username, source address) pair with growing
holds; unknown and real usernames get the same answers; administrators unlock; all audited."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, LoginThrottle, ProvinceAuditEvent, ProvinceLoginThrottle
from tenant_app.models.base import utcnow
from tenant_app.services.workspace import login_throttle
from tenant_app.tenancy import tenant_context
from tests.helpers import PASSWORD, bearer, login, post_form, token_for

ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
OFFICE = {"REMOTE_ADDR": "198.51.100.7"}


def _limit(app) -> int:
    return app.config["KPI_LOGIN_MAX_FAILURES"]


def _api_attempt(client, tenant, username, password="sai-mat-khau-1", environ=ATTACKER):
    response = client.post(
        "/api/v1/auth/token",
        json={"tenant": tenant, "username": username, "password": password},
        environ_base=environ,
    )
    return response.status_code, response.get_json()


def _html_attempt(client, tenant, username, password="sai-mat-khau-1", environ=ATTACKER):
    url = f"/t/{tenant}/login" if tenant else "/admin/login"
    response = post_form(
        client, url, {"username": username, "password": password}, environ_base=environ
    )
    errors = re.findall(r'<p class="error">([^<]*)</p>', response.get_data(as_text=True))
    return response.status_code, errors


def _expire_holds(tenant=None) -> None:
    past = utcnow() - timedelta(seconds=1)
    if tenant is None:
        db.session.execute(sa.update(ProvinceLoginThrottle).values(locked_until=past))
        db.session.commit()
        return
    with tenant_context(tenant):
        db.session.execute(sa.update(LoginThrottle).values(locked_until=past))
        db.session.commit()


def _events(tenant, action):
    with tenant_context(tenant):
        return (
            db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action))
            .scalars()
            .all()
        )


def test_finding6_hold_does_not_lock_the_user_out_from_another_address(
    client, app, tenant_a, staff_a
):
    """Failures from the attacker's address do not stop the real user at the office."""
    for _ in range(_limit(app) + 2):
        _html_attempt(client, "phuong-a", "staff.a")
    assert _html_attempt(client, "phuong-a", "staff.a", PASSWORD)[0] == 401
    response = post_form(
        client,
        "/t/phuong-a/login",
        {"username": "staff.a", "password": PASSWORD},
        environ_base=OFFICE,
    )
    assert response.status_code == 302


def test_finding6_province_admin_not_locked_out_from_another_address(client, app, province_admin):
    """Five wrong passwords do not lock the province administrator out everywhere."""
    for _ in range(_limit(app)):
        _html_attempt(client, None, "tinh.admin")
    assert _html_attempt(client, None, "tinh.admin", PASSWORD)[0] == 401
    response = post_form(
        client,
        "/admin/login",
        {"username": "tinh.admin", "password": PASSWORD},
        environ_base=OFFICE,
    )
    assert response.status_code == 302


def test_finding6_unknown_and_real_usernames_get_identical_html_answers(
    client, app, tenant_a, staff_a
):
    """Attempt by attempt, a real username and an unknown one get the same status and message."""
    rounds = _limit(app) + 2
    real = [_html_attempt(client, "phuong-a", "staff.a") for _ in range(rounds)]
    unknown = [_html_attempt(client, "phuong-a", "khong.ton.tai") for _ in range(rounds)]
    assert real == unknown
    assert "Quá nhiều lần đăng nhập sai từ địa chỉ này" in real[-1][1][0]


def test_finding6_unknown_and_real_usernames_get_identical_api_answers(
    client, app, tenant_a, staff_a, province_admin
):
    """The token API answers a real and an unknown username alike: 401, then 429 with the same
    code and message; for tenant and province accounts."""
    rounds = _limit(app) + 2
    for tenant, real_name in (("phuong-a", "staff.a"), (None, "tinh.admin")):
        real = [_api_attempt(client, tenant, real_name) for _ in range(rounds)]
        unknown = [_api_attempt(client, tenant, "khong.ton.tai") for _ in range(rounds)]
        assert real == unknown
        assert real[0][0] == 401 and real[0][1]["error"]["code"] == "invalid_credentials"
        assert real[-1][0] == 429 and real[-1][1]["error"]["code"] == "too_many_attempts"


def test_finding6_holds_grow_then_stop_at_the_cap(client, app, tenant_a, staff_a):
    """After the limit the hold is 1 minute, then doubles with each further failure, capped."""
    app.config["KPI_LOGIN_LOCKOUT_MAX"] = timedelta(minutes=4)
    for _ in range(_limit(app) - 1):
        assert _api_attempt(client, "phuong-a", "staff.a")[0] == 401
    waits = []
    for _ in range(4):
        status, body = _api_attempt(client, "phuong-a", "staff.a")
        assert status == 429
        waits.append(int(re.search(r"(\d+) phút", body["error"]["message"]).group(1)))
        _expire_holds(tenant_a)
    assert waits == [1, 2, 4, 4]


def test_finding6_success_clears_the_count(client, app, tenant_a, staff_a):
    """A right password from the pair forgets its earlier failures."""
    for _ in range(_limit(app) - 1):
        _api_attempt(client, "phuong-a", "staff.a")
    assert _api_attempt(client, "phuong-a", "staff.a", PASSWORD)[0] == 201
    assert _api_attempt(client, "phuong-a", "staff.a")[0] == 401


def test_finding6_lockout_is_audited_for_real_and_unknown_names(client, app, tenant_a, staff_a):
    """Each hold leaves an auth.lockout event naming the username and the address."""
    for name in ("staff.a", "khong.ton.tai"):
        for _ in range(_limit(app)):
            _api_attempt(client, "phuong-a", name)
    events = _events(tenant_a, "auth.lockout")
    assert sorted(e.after["username"] for e in events) == ["khong.ton.tai", "staff.a"]
    assert {e.after["address"] for e in events} == {"203.0.113.9"}
    assert {e.object_id for e in events} == {None, str(staff_a.id)}


def test_finding6_unit_admin_unlocks_through_the_api(client, app, tenant_a, admin_a, staff_a):
    """POST …/users/<id>/unlock lifts the hold at once and is audited."""
    headers = bearer(token_for(client, "phuong-a", "admin.a"))
    for _ in range(_limit(app)):
        _api_attempt(client, "phuong-a", "staff.a")
    assert _api_attempt(client, "phuong-a", "staff.a", PASSWORD)[0] == 429
    response = client.post(f"/api/v1/t/phuong-a/users/{staff_a.id}/unlock", headers=headers)
    assert response.status_code == 200
    assert _api_attempt(client, "phuong-a", "staff.a", PASSWORD)[0] == 201
    [event] = _events(tenant_a, "account.unlocked")
    assert event.after == {"username": "staff.a", "held_addresses": 1}


def test_finding6_unit_admin_unlocks_from_the_accounts_page(app, tenant_a, admin_a, staff_a):
    """The account page has an unlock button that lifts the hold."""
    admin, user = app.test_client(), app.test_client()
    login(admin, "phuong-a", "admin.a")
    for _ in range(_limit(app)):
        _html_attempt(user, "phuong-a", "staff.a")
    page = f"/t/phuong-a/users/{staff_a.id}"
    assert "Mở khóa đăng nhập" in admin.get(page).get_data(as_text=True)
    response = post_form(admin, f"{page}/unlock", {}, page=page)
    assert response.status_code == 302
    assert _html_attempt(user, "phuong-a", "staff.a", PASSWORD)[0] == 302


def test_finding6_unlock_of_another_tenants_account_is_404(
    client, app, tenant_a, tenant_b, staff_a, admin_b
):
    """A unit administrator of tenant B cannot reach tenant A's accounts."""
    headers = bearer(token_for(client, "phuong-b", "admin.b"))
    response = client.post(f"/api/v1/t/phuong-b/users/{staff_a.id}/unlock", headers=headers)
    assert response.status_code == 404


def test_finding6_cli_unlocks_a_province_account(client, app, province_admin):
    """`kpi unlock <username>` lifts a province account's holds and audits it."""
    for _ in range(_limit(app)):
        _api_attempt(client, None, "tinh.admin")
    result = app.test_cli_runner().invoke(args=["unlock", "tinh.admin"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["held_addresses"] == 1
    assert _api_attempt(client, None, "tinh.admin", PASSWORD)[0] == 201
    actions = db.session.execute(sa.select(ProvinceAuditEvent.action)).scalars().all()
    assert "account.unlocked" in actions


def test_finding6_cli_unlocks_a_tenant_account(client, app, tenant_a, staff_a):
    """`kpi unlock <username> --tenant <slug>` does the same in a unit."""
    for _ in range(_limit(app)):
        _api_attempt(client, "phuong-a", "staff.a")
    result = app.test_cli_runner().invoke(args=["unlock", "staff.a", "--tenant", "phuong-a"])
    assert result.exit_code == 0, result.output
    assert _api_attempt(client, "phuong-a", "staff.a", PASSWORD)[0] == 201


def test_finding6_password_reset_lifts_the_hold(client, app, tenant_a, admin_a, staff_a):
    """A reset by the unit administrator also clears the holds on the account."""
    headers = bearer(token_for(client, "phuong-a", "admin.a"))
    for _ in range(_limit(app)):
        _api_attempt(client, "phuong-a", "staff.a")
    body = client.post(
        f"/api/v1/t/phuong-a/users/{staff_a.id}/reset-password", headers=headers
    ).get_json()
    status, error = _api_attempt(client, "phuong-a", "staff.a", body["temporary_password"])
    assert status == 403 and error["error"]["code"] == "password_change_required"


def test_finding6_hold_after_follows_the_settings(app):
    """hold_after: nothing below the limit, then first hold doubling, never above the cap."""
    app.config.update(
        KPI_LOGIN_MAX_FAILURES=3,
        KPI_LOGIN_LOCKOUT=timedelta(minutes=2),
        KPI_LOGIN_LOCKOUT_MAX=timedelta(minutes=10),
    )
    holds = [login_throttle.hold_after(n) for n in range(1, 8)]
    minutes = [None if h is None else h.total_seconds() / 60 for h in holds]
    assert minutes == [None, None, 2, 4, 8, 10, 10]
