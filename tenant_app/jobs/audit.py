"""Audit jobs: the daily walk over every hash chain."""

from __future__ import annotations

import logging

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.services.audit.audit_chain import verify_all

log = logging.getLogger(__name__)


def verify_chains(tenant_id: None) -> dict:
    """Province-level (``tenant_id`` is None): verify every chain; record each broken one.

    Returns {"checked": events checked, "broken": [chain names]}. A broken chain becomes a province
    audit event ``audit.chain_broken`` naming the chain, the event number and the reason.
    """
    checked, broken = verify_all()
    for link in broken:
        log.error("audit chain %s broken at #%s: %s", link.chain, link.seq, link.reason)
        subject = int(link.chain.split(":", 1)[1]) if link.chain.startswith("tenant:") else None
        audit.record(
            "audit.chain_broken",
            object_type="audit_chain",
            object_id=link.chain,
            after={"chain": link.chain, "seq": link.seq, "reason": link.reason},
            province=True,
            subject_tenant_id=subject,
        )
    db.session.commit()
    return {"checked": checked, "broken": [link.chain for link in broken]}
