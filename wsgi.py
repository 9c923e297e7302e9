"""WSGI entry point: `gunicorn wsgi:app`."""

from tenant_app import create_app

app = create_app()
