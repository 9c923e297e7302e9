"""The evaluation screens (HTML): periods, giao việc, my work, review, approval, scores, dashboards.

Views are thin: they parse a form, call one use case of ``tenant_app.services``, commit and
render; what must follow (a re-score, the comparison refresh) is the use case's own business.
The blueprint and the helpers the views share live in ``common``.
"""

from blueprints.evaluation import (  # noqa: F401  (importing a view module registers its routes)
    dashboard_views,
    discipline_views,
    exemption_views,
    indicator_views,
    pdf_views,
    period_views,
    review_views,
    score_views,
    work_views,
)
from blueprints.evaluation.common import bp

__all__ = ["bp"]
