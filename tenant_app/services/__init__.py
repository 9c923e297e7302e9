"""Use cases, one package per aggregate: the only place that combines models and scoring."""


def init_app(app) -> None:
    """Register the session guards the use cases rely on (once per process) and the province's
    identity for templates."""
    from tenant_app.services.province import identity
    from tenant_app.services.rollout import templates

    templates.install_guard()
    identity.init_app(app)
