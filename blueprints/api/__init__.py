"""REST API v1 (flask-smorest): tokens and accounts; spec at /api/v1/openapi.json."""

from flask import Flask

from tenant_app.extensions import csrf


def register(app: Flask, api) -> None:
    from blueprints.api import auth, catalogue, me, org_units, positions, scoring, staff, users

    for module in (auth, users, me, scoring, org_units, positions, staff, catalogue):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)

    from blueprints.api import imports

    csrf.exempt(imports.blp)
    api.register_blueprint(imports.blp)

    from blueprints.api import audit_events

    csrf.exempt(audit_events.blp)
    api.register_blueprint(audit_events.blp)

    from blueprints.api import annual, feeds, periods, results, work

    for module in (periods, work, results, annual, feeds):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)

    from blueprints.api import unit_ratings

    csrf.exempt(unit_ratings.blp)
    api.register_blueprint(unit_ratings.blp)

    from blueprints.api import transfer_proposals

    csrf.exempt(transfer_proposals.blp)
    api.register_blueprint(transfer_proposals.blp)
