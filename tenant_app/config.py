"""Settings: the environment (prefix ``KPI_``) parsed once into a plain mapping for Flask.

Nothing set gives the embedded default: SQLite under ``instance/``, jobs in-process, no Redis.
Production mode (``KPI_ENV=production``) refuses to start without a secret key and a database URL;
every mode refuses password-hashing parameters weaker than OWASP's minimum.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

PREFIX = "KPI_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment describes a configuration the app must not start with."""


def _get(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    value = env.get(PREFIX + name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = _get(env, name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{PREFIX}{name} must be true or false, not {value!r}")


def _json_object(env: Mapping[str, str], name: str) -> dict:
    raw = _get(env, name)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{PREFIX}{name} must be a JSON object: {exc}") from exc
    if not isinstance(value, dict):
        raise ConfigError(f"{PREFIX}{name} must be a JSON object")
    return value


def _timezone(env: Mapping[str, str]) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = _get(env, "TIMEZONE", "Asia/Ho_Chi_Minh")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{PREFIX}TIMEZONE must be an IANA time zone, not {name!r}") from exc
    return name


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = _get(env, name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{PREFIX}{name} must be an integer, not {value!r}") from exc


# name, default shown in the README, description (the README table is generated from this list)
SETTINGS_DOC: list[tuple[str, str, str]] = [
    (
        "KPI_ENV",
        "development",
        "`production` enforces a secret key, a database URL and secure cookies",
    ),
    (
        "KPI_SECRET_KEY",
        "random per start",
        "signs sessions and CSRF tokens; required in production",
    ),
    (
        "KPI_DATABASE_URL",
        "sqlite:///instance/kpi.sqlite3",
        "database the app connects to (RLS-bound role)",
    ),
    ("KPI_DATABASE_OWNER_URL", "= KPI_DATABASE_URL", "owner role used only by migrations"),
    (
        "KPI_RLS_KEY",
        "derived from KPI_SECRET_KEY",
        "signs the tenant scope that row-level security checks; store it with `kpi db rls-key`",
    ),
    ("KPI_DATABASE_APP_ROLE", "kpi_app", "PostgreSQL role that migrations grant table rights to"),
    ("KPI_REDIS_URL", "(none: jobs run in-process)", "Redis for rq queues and rate limits"),
    ("KPI_LOCALE", "vi", "default interface language (`vi` or `en`)"),
    ("KPI_DEMO", "false", "show the demo accounts on the start page"),
    ("KPI_INSTANCE_DIR", "instance/", "where the embedded database and uploads live"),
    (
        "KPI_UPLOAD_DIR",
        "KPI_INSTANCE_DIR/uploads",
        "where evidence files and import workbooks are stored (back it up with the database)",
    ),
    ("KPI_SESSION_IDLE_MINUTES", "30", "idle session timeout"),
    ("KPI_SESSION_MAX_HOURS", "12", "absolute session timeout"),
    ("KPI_SESSION_COOKIE_SECURE", "true in production", "send the session cookie over HTTPS only"),
    (
        "KPI_LOGIN_MAX_FAILURES",
        "5",
        "failed logins in a row, for one username from one address, before that pair is held",
    ),
    (
        "KPI_LOGIN_LOCKOUT_MINUTES",
        "1",
        "first hold of a (username, address) pair; each further failure doubles it",
    ),
    ("KPI_LOGIN_LOCKOUT_MAX_MINUTES", "60", "longest hold of a (username, address) pair"),
    ("KPI_LOGIN_RATE_LIMIT", "20 per minute", "login attempts per client address"),
    (
        "KPI_ARGON2_TIME_COST",
        "2",
        "argon2id passes for password hashes; with the memory, at least an OWASP minimum",
    ),
    (
        "KPI_ARGON2_MEMORY_KIB",
        "19456",
        "argon2id memory in KiB (OWASP minimums: 47104 with 1 pass, 19456 with 2, 12288 with 3, "
        "9216 with 4, 7168 with 5); older hashes are re-hashed at the next sign-in",
    ),
    ("KPI_ARGON2_PARALLELISM", "1", "argon2id lanes"),
    ("KPI_TOKEN_HOURS", "12", "lifetime of an API bearer token"),
    ("KPI_MAX_UPLOAD_MB", "10", "largest accepted request body"),
    ("KPI_PROXY_FIX", "0", "number of trusted reverse proxies in front of the app"),
    ("KPI_LOG_FORMAT", "text", "`json` for structured logs on stdout"),
    ("KPI_METRICS_TOKEN", "(none: /metrics disabled)", "bearer token that protects /metrics"),
    (
        "KPI_COMPARISON_DEADLINE_MINUTES",
        "60",
        "a report sent this close to its deadline counts as a last-minute submission",
    ),
    (
        "KPI_COMPARISON_FLAGS",
        "(defaults in docs/comparison.md)",
        'JSON overriding the warning-sign thresholds, e.g. `{"inflation_share": 90}`',
    ),
    ("KPI_EXPORT_HOURS", "24", "how long the download link of a background export works"),
]


def upload_dir(config: Mapping) -> Path:
    """Return the folder uploads are stored under: ``KPI_UPLOAD_DIR``, else
    ``<KPI_INSTANCE_DIR>/uploads`` (the embedded default)."""
    configured = config.get("KPI_UPLOAD_DIR")
    if configured:
        return Path(configured)
    return Path(config["KPI_INSTANCE_DIR"]) / "uploads"


# argon2id password hashing (tenant_app.security.passwords): passes, memory in KiB, lanes. The
# default is OWASP's first choice: see the module for why.
ARGON2_DEFAULTS = (2, 19 * 1024, 1)
# OWASP Password Storage Cheat Sheet, argon2id: equally strong minimums as (memory KiB, passes),
# each with one lane. A configuration must reach one of them in both.
OWASP_ARGON2_MINIMUMS: tuple[tuple[int, int], ...] = (
    (46 * 1024, 1),
    (19 * 1024, 2),
    (12 * 1024, 3),
    (9 * 1024, 4),
    (7 * 1024, 5),
)


def check_argon2(time_cost: int, memory_kib: int, parallelism: int) -> None:
    """Raise ConfigError unless the argon2id parameters reach one of OWASP's minimums."""
    if parallelism < 1:
        raise ConfigError(f"{PREFIX}ARGON2_PARALLELISM must be at least 1, not {parallelism}")
    if not any(memory_kib >= m and time_cost >= t for m, t in OWASP_ARGON2_MINIMUMS):
        floors = "; ".join(f"{m} KiB and {t} passes" for m, t in OWASP_ARGON2_MINIMUMS)
        raise ConfigError(
            f"argon2id with {memory_kib} KiB and {time_cost} passes ({PREFIX}ARGON2_MEMORY_KIB, "
            f"{PREFIX}ARGON2_TIME_COST) is weaker than every OWASP minimum: {floors}"
        )


def _argon2(env: Mapping[str, str]) -> dict:
    time_cost, memory_kib, parallelism = ARGON2_DEFAULTS
    values = {
        "KPI_ARGON2_TIME_COST": _int(env, "ARGON2_TIME_COST", time_cost),
        "KPI_ARGON2_MEMORY_KIB": _int(env, "ARGON2_MEMORY_KIB", memory_kib),
        "KPI_ARGON2_PARALLELISM": _int(env, "ARGON2_PARALLELISM", parallelism),
    }
    check_argon2(*values.values())
    return values


def _driver(url: str | None) -> str | None:
    """Use psycopg 3 for PostgreSQL URLs written without a driver (postgres://, postgresql://)."""
    if url is None:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(database_url: str, options: Mapping) -> dict:
    """The SQLAlchemy engine options for ``database_url``: ``options`` plus its driver's needs.

    On PostgreSQL (psycopg 3), statements are never prepared server-side
    (``prepare_threshold=None``) unless ``options`` says otherwise. psycopg prepares a statement
    once it ran 5 times on one connection, and after 5 executions of a prepared statement
    PostgreSQL may keep one *generic* plan for any parameters. A feed batch reads and deletes its
    dossiers in chunks of ``IN (…1,000 values…)``: with the values known (a custom plan) the list
    is hashed; in the generic plan it is an array of parameters searched value by value for each
    row of the source, so each chunk cost 2.4 s instead of 29 ms on 25,000 records (EXPLAIN
    ANALYZE) and grew with the table. A worker that forked per job opened a new connection each
    time and never got there; a long-lived one (``kpi worker`` without fork, gunicorn) did: over
    ten 5,000-record batches in one process a batch grew from 2.7 s to 18 s (3.5 s to 27 s on a
    busier machine); unprepared, they all took 1.5–2.7 s (docs/performance.md, "Data feeds";
    ``bench/feed_worker.py``). Parsing and planning each statement again costs less than that.
    """
    options = dict(options)
    if database_url.startswith("postgresql+psycopg"):
        options["connect_args"] = {"prepare_threshold": None, **options.get("connect_args", {})}
    return options


def _development_secret(instance_dir: Path) -> str:
    """Outside production, a random key kept in ``instance/`` so that restarts and several worker
    processes share sessions."""
    path = instance_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


def _rls_key(env: Mapping[str, str], secret: str, production: bool) -> str:
    """The key that signs the tenant scope for PostgreSQL row-level security (``KPI_RLS_KEY``).

    Unset, it is derived from the secret key (one secret to manage); the database holds a copy
    that the app role cannot read, written by the migrations and ``kpi db rls-key``."""
    key = _get(env, "RLS_KEY")
    if key is None:
        return hmac.new(secret.encode(), b"kpi-rls-scope-key", hashlib.sha256).hexdigest()
    if production and len(key) < 32:
        raise ConfigError(f"{PREFIX}RLS_KEY must be at least 32 characters in production")
    return key


def load(env: Mapping[str, str] | None = None) -> dict:
    """Return the Flask settings for ``env`` (default: ``os.environ``).

    Raises ConfigError when production mode lacks a secret key or a database URL.
    """
    env = os.environ if env is None else env
    mode = _get(env, "ENV", "development")
    production = mode == "production"
    instance_dir = Path(_get(env, "INSTANCE_DIR", str(PROJECT_ROOT / "instance")))

    secret = _get(env, "SECRET_KEY")
    database_url = _driver(_get(env, "DATABASE_URL"))
    if production:
        missing = [n for n, v in (("SECRET_KEY", secret), ("DATABASE_URL", database_url)) if not v]
        if missing:
            names = ", ".join(PREFIX + n for n in missing)
            raise ConfigError(f"production mode needs {names}")
        if len(secret) < 32:
            raise ConfigError(f"{PREFIX}SECRET_KEY must be at least 32 characters in production")
    if database_url is None:
        database_url = f"sqlite:///{instance_dir / 'kpi.sqlite3'}"
    owner_url = _driver(_get(env, "DATABASE_OWNER_URL")) or database_url

    idle = _int(env, "SESSION_IDLE_MINUTES", 30)
    timezone = _timezone(env)
    absolute = _int(env, "SESSION_MAX_HOURS", 12)
    redis_url = _get(env, "REDIS_URL")
    secret = secret or _development_secret(instance_dir)
    return {
        "KPI_ENV": mode,
        "SECRET_KEY": secret,
        "KPI_RLS_KEY": _rls_key(env, secret, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "KPI_DATABASE_OWNER_URL": owner_url,
        "KPI_DATABASE_APP_ROLE": _get(env, "DATABASE_APP_ROLE", "kpi_app"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "KPI_REDIS_URL": redis_url,
        "KPI_INSTANCE_DIR": str(instance_dir),
        # None: under the instance folder, resolved by ``upload_dir`` after test/app overrides.
        "KPI_UPLOAD_DIR": _get(env, "UPLOAD_DIR"),
        "KPI_DEMO": _bool(env, "DEMO", False),
        "BABEL_DEFAULT_LOCALE": _get(env, "LOCALE", "vi"),
        # The province's clock: every time on screen, in exports and PDFs (tenant_app.formatting).
        "KPI_TIMEZONE": timezone,
        "BABEL_DEFAULT_TIMEZONE": timezone,
        "KPI_LOCALES": ("vi", "en"),
        "KPI_SESSION_IDLE": timedelta(minutes=idle),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=absolute),
        "SESSION_COOKIE_NAME": "kpi_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env, "SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": absolute * 3600,
        # Sign-in throttling per (username, source address): see services/workspace/login_throttle.
        "KPI_LOGIN_MAX_FAILURES": _int(env, "LOGIN_MAX_FAILURES", 5),
        "KPI_LOGIN_LOCKOUT": timedelta(minutes=_int(env, "LOGIN_LOCKOUT_MINUTES", 1)),
        "KPI_LOGIN_LOCKOUT_MAX": timedelta(minutes=_int(env, "LOGIN_LOCKOUT_MAX_MINUTES", 60)),
        "KPI_LOGIN_RATE_LIMIT": _get(env, "LOGIN_RATE_LIMIT", "20 per minute"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        **_argon2(env),
        "KPI_TOKEN_LIFETIME": timedelta(hours=_int(env, "TOKEN_HOURS", 12)),
        "MAX_CONTENT_LENGTH": _int(env, "MAX_UPLOAD_MB", 10) * 1024 * 1024,
        "KPI_PROXY_FIX": _int(env, "PROXY_FIX", 0),
        "KPI_LOG_FORMAT": _get(env, "LOG_FORMAT", "text"),
        "KPI_METRICS_TOKEN": _get(env, "METRICS_TOKEN"),
        "KPI_COMPARISON_DEADLINE_MINUTES": _int(env, "COMPARISON_DEADLINE_MINUTES", 60),
        "KPI_COMPARISON_FLAGS": _json_object(env, "COMPARISON_FLAGS"),
        "KPI_EXPORT_LIFETIME": timedelta(hours=_int(env, "EXPORT_HOURS", 24)),
        # flask-smorest / OpenAPI
        "API_TITLE": "KPI Công vụ",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "feedToken": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "a data source's own token (kpi_f…): it may only post "
                        "that source's records in its unit",
                    },
                },
            },
            "info": {"description": "REST API of KPI Công vụ. Authenticate with a bearer token."},
        },
    }
