"""Password hashing: argon2id parameters at least OWASP's minimum, refused when weaker, old hashes
re-hashed at sign-in, the same work for unknown users, and one transaction per sign-in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, extract_parameters

from tenant_app.config import ConfigError, load
from tenant_app.extensions import db
from tenant_app.models import ProvinceUser, User
from tenant_app.security import passwords
from tenant_app.tenancy import tenant_context
from tests.helpers import PASSWORD, csrf_token, login

# argon2-cffi's own defaults, which the app used before issue 16.
OLD_HASHER = PasswordHasher()
# Stronger than the shipped default and different from it: the tests see the settings obeyed.
CONFIGURED = {
    "KPI_ARGON2_TIME_COST": 3,
    "KPI_ARGON2_MEMORY_KIB": 12 * 1024,
    "KPI_ARGON2_PARALLELISM": 1,
}


def _parameters(password_hash: str) -> tuple[int, int, int]:
    p = extract_parameters(password_hash)
    return p.time_cost, p.memory_cost, p.parallelism


def _configured(app) -> tuple[int, int, int]:
    app.config.update(CONFIGURED)
    return (3, 12 * 1024, 1)


def _stored_hash(tenant, model, username):
    db.session.expire_all()
    query = sa.select(model.password_hash).where(model.username == username)
    if tenant is None:
        return db.session.execute(query).scalar_one()
    with tenant_context(tenant):
        return db.session.execute(query).scalar_one()


def test_passwords_default_parameters_reach_the_owasp_minimum(tmp_path):
    """With nothing set, argon2id runs with OWASP's first choice: 19 MiB, 2 passes, 1 lane."""
    from tenant_app.config import OWASP_ARGON2_MINIMUMS

    settings = load({"KPI_INSTANCE_DIR": str(tmp_path)})
    assert settings["KPI_ARGON2_MEMORY_KIB"] >= 19456
    assert settings["KPI_ARGON2_TIME_COST"] >= 2
    assert settings["KPI_ARGON2_PARALLELISM"] >= 1
    assert (19456, 2) in OWASP_ARGON2_MINIMUMS


def test_passwords_new_hashes_use_the_configured_parameters(app):
    """A password hashed in the app carries the configured argon2id parameters."""
    expected = _configured(app)
    digest = passwords.hash_password(PASSWORD)
    assert digest.startswith("$argon2id$")
    assert _parameters(digest) == expected


@pytest.mark.parametrize(
    ("time_cost", "memory_kib", "parallelism"),
    [(1, 19456, 1), (2, 19455, 1), (3, 12287, 1), (5, 7167, 1), (1, 47103, 4), (2, 19456, 0)],
)
def test_config_refuses_argon2_weaker_than_owasp(tmp_path, time_cost, memory_kib, parallelism):
    """Settings below every OWASP minimum stop the start with an error naming the setting."""
    env = {
        "KPI_INSTANCE_DIR": str(tmp_path),
        "KPI_ARGON2_TIME_COST": str(time_cost),
        "KPI_ARGON2_MEMORY_KIB": str(memory_kib),
        "KPI_ARGON2_PARALLELISM": str(parallelism),
    }
    with pytest.raises(ConfigError, match="KPI_ARGON2_"):
        load(env)


@pytest.mark.parametrize(
    ("time_cost", "memory_kib", "parallelism"),
    [(1, 47104, 1), (2, 19456, 1), (3, 12288, 1), (4, 9216, 1), (5, 7168, 1), (3, 65536, 4)],
)
def test_config_accepts_each_owasp_minimum(tmp_path, time_cost, memory_kib, parallelism):
    """Each of OWASP's equivalent minimums (and argon2-cffi's stronger default) is accepted."""
    settings = load(
        {
            "KPI_INSTANCE_DIR": str(tmp_path),
            "KPI_ARGON2_TIME_COST": str(time_cost),
            "KPI_ARGON2_MEMORY_KIB": str(memory_kib),
            "KPI_ARGON2_PARALLELISM": str(parallelism),
        }
    )
    assert settings["KPI_ARGON2_MEMORY_KIB"] == memory_kib


def test_create_app_refuses_weak_argon2_passed_as_settings(tmp_path):
    """Settings given to create_app directly are checked at start-up too."""
    from tenant_app import create_app

    with pytest.raises(ConfigError, match="OWASP"):
        create_app(
            {
                "KPI_INSTANCE_DIR": str(tmp_path),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                "KPI_ARGON2_TIME_COST": 1,
                "KPI_ARGON2_MEMORY_KIB": 8,
            }
        )


def _old_hash_user(tenant, username):
    with tenant_context(tenant):
        user = db.session.execute(sa.select(User).where(User.username == username)).scalar_one()
        user.password_hash = OLD_HASHER.hash(PASSWORD)
        db.session.commit()


def test_auth_login_rehashes_an_old_parameter_hash(app, client, tenant_a, staff_a):
    """A hash made with argon2-cffi's defaults still signs in, and the sign-in stores (commits) a
    new hash with the configured parameters that verifies the same password."""
    expected = _configured(app)
    _old_hash_user(tenant_a, "staff.a")
    old = _stored_hash(tenant_a, User, "staff.a")

    assert login(client, "phuong-a", "staff.a").status_code == 302

    new = _stored_hash(tenant_a, User, "staff.a")
    assert new != old
    assert _parameters(new) == expected
    assert passwords.verify_password(new, PASSWORD)
    assert not passwords.needs_rehash(new)


def test_auth_province_login_rehashes_an_old_parameter_hash(app, client, province_admin):
    """A province account's old hash is replaced at its sign-in too."""
    expected = _configured(app)
    province_admin.password_hash = OLD_HASHER.hash(PASSWORD)
    db.session.commit()

    assert login(client, None, "tinh.admin").status_code == 302

    new = _stored_hash(None, ProvinceUser, "tinh.admin")
    assert _parameters(new) == expected
    assert passwords.verify_password(new, PASSWORD)


def test_auth_token_login_rehashes_an_old_parameter_hash(app, client, tenant_a, staff_a):
    """The API's token exchange re-hashes an old hash like the web form."""
    expected = _configured(app)
    _old_hash_user(tenant_a, "staff.a")

    response = client.post(
        "/api/v1/auth/token",
        json={"tenant": "phuong-a", "username": "staff.a", "password": PASSWORD},
    )

    assert response.status_code == 201
    assert _parameters(_stored_hash(tenant_a, User, "staff.a")) == expected


def test_auth_failed_login_keeps_the_old_hash(app, client, tenant_a, staff_a):
    """A wrong password re-hashes nothing."""
    _configured(app)
    _old_hash_user(tenant_a, "staff.a")
    old = _stored_hash(tenant_a, User, "staff.a")

    assert login(client, "phuong-a", "staff.a", "sai-mat-khau-1").status_code == 401

    assert _stored_hash(tenant_a, User, "staff.a") == old


@pytest.fixture()
def verified_hashes(monkeypatch):
    """The hashes argon2 checks passwords against, in order."""
    seen: list[str] = []
    verify = PasswordHasher.verify

    def spy(self, digest, password):
        seen.append(digest if isinstance(digest, str) else digest.decode())
        return verify(self, digest, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return seen


def test_auth_unknown_user_costs_the_same_hash_work(app, client, tenant_a, verified_hashes):
    """An unknown username is checked against a dummy hash with the configured parameters, the
    same work as a wrong password for an account whose hash is current."""
    expected = _configured(app)
    current = passwords.hash_password(PASSWORD)
    with tenant_context(tenant_a):
        db.session.add(
            User(username="real.a", full_name="Real", roles=["staff"], password_hash=current)
        )
        db.session.commit()

    assert login(client, "phuong-a", "khong.co", "sai-mat-khau-1").status_code == 401
    assert login(client, "phuong-a", "real.a", "sai-mat-khau-1").status_code == 401

    assert len(verified_hashes) == 2
    unknown, wrong = verified_hashes
    assert _parameters(unknown) == _parameters(wrong) == expected
    assert unknown == passwords.dummy_hash(passwords.configured_parameters())


def test_passwords_dummy_hash_follows_the_configured_parameters(app):
    """The dummy hash is made with the parameters of the app in context."""
    expected = _configured(app)
    assert _parameters(passwords.dummy_hash(passwords.configured_parameters())) == expected


@pytest.fixture()
def commits(app):
    """How many transactions the database commits (counted on the engine)."""
    seen: list[int] = []

    def count(_conn):
        seen.append(1)

    sa.event.listen(db.engine, "commit", count)
    yield seen
    sa.event.remove(db.engine, "commit", count)


def test_auth_web_login_is_one_transaction(client, tenant_a, staff_a, commits):
    """The sign-in, its audit event and the browser's server-side session are committed together:
    one commit per sign-in, not one for the login and another for the session."""
    token = csrf_token(client, "/t/phuong-a/login")
    commits.clear()
    response = client.post(
        "/t/phuong-a/login",
        data={"csrf_token": token, "username": "staff.a", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert len(commits) == 1
    assert client.get("/t/phuong-a/").status_code == 200


def test_auth_token_login_is_one_transaction(client, tenant_a, staff_a, commits):
    """The token exchange commits the sign-in and the token (with their audit events) at once."""
    response = client.post(
        "/api/v1/auth/token",
        json={"tenant": "phuong-a", "username": "staff.a", "password": PASSWORD},
    )
    assert response.status_code == 201
    assert len(commits) == 1
    token = response.get_json()["token"]
    me = client.get("/api/v1/t/phuong-a/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
