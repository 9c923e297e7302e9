"""Settings from the environment: embedded defaults, production refusals, typed parsing."""

from __future__ import annotations

import pytest

from tenant_app.config import ConfigError, engine_options, load


def test_config_nothing_set_is_embedded_sqlite(tmp_path):
    """With no environment the app runs on SQLite under the instance folder, without Redis."""
    settings = load({"KPI_INSTANCE_DIR": str(tmp_path)})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
    assert settings["KPI_REDIS_URL"] is None
    assert settings["BABEL_DEFAULT_LOCALE"] == "vi"


def test_config_development_secret_is_kept_between_starts(tmp_path):
    """Without a configured secret, development reuses one stored in the instance folder."""
    first = load({"KPI_INSTANCE_DIR": str(tmp_path)})["SECRET_KEY"]
    second = load({"KPI_INSTANCE_DIR": str(tmp_path)})["SECRET_KEY"]
    assert first == second and len(first) >= 48


@pytest.mark.parametrize(
    "env",
    [
        {"KPI_ENV": "production"},
        {"KPI_ENV": "production", "KPI_SECRET_KEY": "x" * 40},
        {"KPI_ENV": "production", "KPI_DATABASE_URL": "postgresql://a@b/c"},
        {
            "KPI_ENV": "production",
            "KPI_DATABASE_URL": "postgresql://a@b/c",
            "KPI_SECRET_KEY": "short",
        },
    ],
)
def test_config_production_refuses_missing_secret_or_database(env):
    """Production needs a real secret key and a database URL."""
    with pytest.raises(ConfigError):
        load(env)


def test_config_production_with_both_starts():
    """Production with both set loads, with the owner URL defaulting to the app URL."""
    settings = load(
        {
            "KPI_ENV": "production",
            "KPI_SECRET_KEY": "s" * 40,
            "KPI_DATABASE_URL": "postgresql://kpi_app@db/kpi",
        }
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://kpi_app@db/kpi"
    assert settings["KPI_DATABASE_OWNER_URL"] == settings["SQLALCHEMY_DATABASE_URI"]


def test_config_bad_number_is_an_error():
    """A non-numeric number setting is refused with its name."""
    with pytest.raises(ConfigError, match="KPI_SESSION_IDLE_MINUTES"):
        load({"KPI_SESSION_IDLE_MINUTES": "ten"})


def test_config_every_setting_is_documented_in_readme():
    """The README's configuration table lists every setting the code reads."""
    from tenant_app.config import PROJECT_ROOT, SETTINGS_DOC

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name, *_ in SETTINGS_DOC if f"`{name}`" not in readme]
    assert missing == []


def test_config_postgres_engine_never_prepares_statements():
    """On PostgreSQL (psycopg) the engine options turn server-side prepared statements off."""
    options = engine_options("postgresql+psycopg://kpi@db/kpi", {"pool_pre_ping": True})
    assert options == {"pool_pre_ping": True, "connect_args": {"prepare_threshold": None}}


def test_config_engine_keeps_an_explicit_prepare_threshold():
    """A deployment that sets its own ``prepare_threshold`` keeps it."""
    options = engine_options(
        "postgresql+psycopg://kpi@db/kpi", {"connect_args": {"prepare_threshold": 5}}
    )
    assert options["connect_args"] == {"prepare_threshold": 5}


def test_config_sqlite_engine_options_unchanged(tmp_path):
    """SQLite gets the options as configured: ``prepare_threshold`` is psycopg's alone."""
    options = engine_options(f"sqlite:///{tmp_path / 'kpi.sqlite3'}", {"pool_pre_ping": True})
    assert options == {"pool_pre_ping": True}
