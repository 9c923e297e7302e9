"""Security headers on every response; strict CSP since every asset is served by the app.

Caching: nothing but the app's static assets may be stored by a browser or a proxy. Pages, API
answers, downloads and exports get ``Cache-Control: no-store`` (replacing a weaker value such as
``send_file``'s ``no-cache``), so a shared computer's back button or a proxy cache never shows a
signed-in user's data to someone else.
"""

from flask import Flask, request

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def is_static_asset() -> bool:
    """Whether the current request is for one of the app's (or a blueprint's) static files."""
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def _no_store(response) -> None:
    """Forbid storing ``response`` anywhere, unless it already says so (``private, no-store``)."""
    if "no-store" not in (response.headers.get("Cache-Control") or ""):
        response.headers["Cache-Control"] = "no-store"


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not is_static_asset():
            _no_store(response)
        return response
