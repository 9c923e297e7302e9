"""Use cases: the only place that combines models, scoring and jobs."""
