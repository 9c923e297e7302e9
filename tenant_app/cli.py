"""The ``kpi`` command line: the Flask CLI of the app plus the project's commands."""

from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa
from flask.cli import FlaskGroup, with_appcontext

from tenant_app.extensions import db


def _create_app():
    from tenant_app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main():
    """KPI Công vụ: quản lý và đánh giá cán bộ, công chức theo KPI."""


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
    from tenant_app.services.audit_chain import verify_all

    checked, broken = verify_all()
    for link in broken:
        click.echo(f"BROKEN {link.chain} at event #{link.seq}: {link.reason}", err=True)
    click.echo(f"checked {checked} events in {len(broken) and 'broken' or 'intact'} chains")
    sys.exit(1 if broken else 0)


@click.command("score", context_settings={"ignore_unknown_options": True})
@click.argument("source", metavar="FILE.json|-")
def score_command(source: str):
    """Score one person's period from JSON (or - for stdin); print result and explanation.

    Exit status 2 on invalid input, with {"error": {"field", "message"}} on stderr.
    """
    from scoring.sandbox import main as sandbox_main

    sys.exit(sandbox_main([source]))


@click.group("tenants")
def tenants_group():
    """List units."""


@tenants_group.command("list")
@with_appcontext
def tenants_list():
    """Print every unit: slug, kind, status, name."""
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
    from tenant_app.models.users import ProvinceUser
    from tenant_app.security.passwords import hash_password
    from tenant_app.services.accounts import check_new_password

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


def init_app(app) -> None:
    for command in (demo_command, audit_group, tenants_group, create_province_user, score_command):
        app.cli.add_command(command)
