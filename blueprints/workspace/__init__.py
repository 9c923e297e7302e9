"""The unit workspace (HTML): home by role, accounts, org chart, job positions, staff, catalogue,
settings, data sources. The blueprint lives in ``common``; importing a view module registers its
routes."""

from blueprints.workspace import (  # noqa: F401
    absence_views,
    account_views,
    catalogue_views,
    deputy_field_views,
    feeds_views,
    org_views,
    salary_views,
    settings_views,
    staff_views,
    transfer_proposal_views,
)
from blueprints.workspace.common import bp

__all__ = ["bp"]
