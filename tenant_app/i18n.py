"""Language of each request: the user's choice, else the default (Vietnamese)."""

from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for

from tenant_app import form_messages
from tenant_app.extensions import babel
from tenant_app.security.redirects import safe_target

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    # Jobs, CLI commands and importers translate messages too: no request, default language.
    lang = session.get("lang") if has_request_context() else None
    if lang in current_app.config["KPI_LOCALES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/lang/<code>")
def switch(code: str):
    """Remember the chosen language and go back where the user was (same site only)."""
    if code in current_app.config["KPI_LOCALES"]:
        session["lang"] = code
    return redirect(safe_target(request.args.get("next"), url_for("public.index")))


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    form_messages.init_app(app)
    app.register_blueprint(bp)

    @app.context_processor
    def _locale_helpers():
        from tenant_app.models.users import ROLE_LABELS

        return {
            "current_lang": select_locale(),
            "languages": app.config["KPI_LOCALES"],
            "role_label": lambda role: ROLE_LABELS.get(role, role),
        }
