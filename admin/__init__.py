"""Province-level HTTP (``/admin``, ``/api/v1/province``): units and the cross-tenant door."""

from flask import Flask


def register(app: Flask, api) -> None:
    from admin import api as province_api
    from admin import views
    from tenant_app.extensions import csrf

    app.register_blueprint(views.bp)
    csrf.exempt(province_api.blp)
    api.register_blueprint(province_api.blp)

    from admin import audit_api, audit_views

    app.register_blueprint(audit_views.bp)
    csrf.exempt(audit_api.blp)
    api.register_blueprint(audit_api.blp)

    from admin import api_templates, onboarding_views, template_views

    app.register_blueprint(template_views.bp)
    app.register_blueprint(onboarding_views.bp)
    csrf.exempt(api_templates.blp)
    api.register_blueprint(api_templates.blp)

    from admin import api_rollouts, rollout_views

    app.register_blueprint(rollout_views.bp)
    csrf.exempt(api_rollouts.blp)
    api.register_blueprint(api_rollouts.blp)

    from admin import api_comparison, comparison_drill, comparison_views  # noqa: F401

    app.register_blueprint(comparison_views.bp)  # comparison_drill adds its routes to it
    csrf.exempt(api_comparison.blp)
    api.register_blueprint(api_comparison.blp)

    from admin import export_views

    app.register_blueprint(export_views.bp)

    from admin import head_review_views

    app.register_blueprint(head_review_views.bp)

    from admin import api_transfers, transfer_views

    app.register_blueprint(transfer_views.bp)
    csrf.exempt(api_transfers.blp)
    api.register_blueprint(api_transfers.blp)

    from admin import api_unit_ratings, unit_rating_views

    app.register_blueprint(unit_rating_views.bp)
    csrf.exempt(api_unit_ratings.blp)
    api.register_blueprint(api_unit_ratings.blp)

    from admin import api_calendar, calendar_views

    app.register_blueprint(calendar_views.bp)
    csrf.exempt(api_calendar.blp)
    api.register_blueprint(api_calendar.blp)
