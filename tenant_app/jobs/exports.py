"""Province export jobs: build one export's file (queue ``io``), purge expired files (hourly).

Both are province-level: ``tenant_id`` is None and there is no ``job_runs`` row, so the
progress and the outcome live on the ``province_exports`` row itself.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from tenant_app.models.base import utcnow
from tenant_app.services.errors import ServiceError
from tenant_app.services.files import province_exports
from tenant_app.tenancy.door import cross_tenant_read

log = logging.getLogger(__name__)


def _rq_job():
    try:
        from rq import get_current_job

        return get_current_job()
    except Exception:  # not in an rq worker
        return None


def build_export(tenant_id: None, export_id: int) -> dict:
    """Province-level (``tenant_id`` is None): build export ``export_id``'s file.

    A rerun (rq retry, a worker killed mid-file) starts the file again from scratch. A refusal
    (ServiceError, the door refusing the requester) fails the export for good; another error
    puts it back in the queue while rq has retries left, and fails it after the last one.
    Without rq (embedded mode) the error is logged, not raised: the request that asked for the
    export goes on and the list shows it failed.
    """
    try:
        return province_exports.build(export_id, door=cross_tenant_read)
    except ServiceError as exc:
        province_exports.mark_failed(export_id, exc.message)
        return {"failed": exc.code}
    except PermissionError:
        province_exports.mark_failed(
            export_id, _("Tài khoản yêu cầu tệp này không còn quyền đọc dữ liệu các đơn vị.")
        )
        return {"failed": "forbidden"}
    except Exception:
        job = _rq_job()
        retrying = job is not None and (job.retries_left or 0) > 0
        message = (
            _("Lỗi khi tạo tệp; hệ thống sẽ tự thử lại.")
            if retrying
            else _("Lỗi hệ thống khi tạo tệp. Vui lòng yêu cầu xuất lại.")
        )
        province_exports.mark_failed(export_id, message, retrying=retrying)
        if job is not None:
            raise
        log.exception("province export %s failed", export_id)
        return {"failed": "error"}


def purge(tenant_id: None = None) -> dict:
    """Province-level (``tenant_id`` is None), hourly: delete expired export files."""
    return {"purged": province_exports.purge_expired(utcnow())}
