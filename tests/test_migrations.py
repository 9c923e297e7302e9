"""Migrations: one head, upgrade and downgrade both ways, models equal to the migrated schema."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tenant_app.config import PROJECT_ROOT
from tenant_app.extensions import db


def _script() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(cfg)


def test_migrations_have_a_single_head():
    """Exactly one head: no forgotten merge."""
    assert len(_script().get_heads()) == 1


def test_migrations_every_revision_has_a_downgrade():
    """Each revision defines a downgrade that does something."""
    for revision in _script().walk_revisions():
        source = Path(revision.path).read_text(encoding="utf-8")
        assert "def downgrade():" in source
        assert "def downgrade():\n    pass" not in source, revision.revision


def test_migrations_models_match_schema(app):
    """Autogenerate finds no difference between the models and the migrated database."""
    owner = sa.create_engine(app.config["KPI_DATABASE_OWNER_URL"])
    with owner.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    owner.dispose()
    assert diff == []


def test_migrations_downgrade_to_base_and_up_again(app):
    """The whole chain goes down to an empty schema and back up to head."""
    owner_url = app.config["KPI_DATABASE_OWNER_URL"]
    db.session.remove()
    db.engine.dispose()
    downgrade(revision="base")
    owner = sa.create_engine(owner_url)
    tables = set(sa.inspect(owner).get_table_names()) - {"alembic_version"}
    owner.dispose()
    assert tables == set()
    upgrade()
    owner = sa.create_engine(owner_url)
    with owner.connect() as conn:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    owner.dispose()
    assert version == _script().get_current_head()
