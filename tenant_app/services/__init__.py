"""Use cases, one package per aggregate: the only place that combines models and scoring."""


def init_app(app) -> None:
    """Register the session guards the use cases rely on (once per process)."""
    from tenant_app.services.rollout import templates

    templates.install_guard()
