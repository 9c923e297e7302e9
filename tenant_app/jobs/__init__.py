"""Job functions: thin wrappers over the services, run by ``tenant_app.background`` (in-process or
by an rq worker), plus the worker, and the scheduler's table (``schedule.PERIODIC``).

Each job imports the services it wraps; services never import this package: they enqueue by
path (``tenant_app.background.paths``).
"""
