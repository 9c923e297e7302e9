"""The official evaluation forms as PDF (WeasyPrint from the ``pdf/`` Jinja templates).

``person_form_pdf`` prints one person's evaluation form for a period, ``unit_report_pdf`` the
unit's period report. Both read the tenant in context only and write nothing, so auditors can
call them inside ``tenancy.door.read_one_tenant``. The file-name helpers give what a download
needs: a Vietnamese name and the ``Content-Disposition`` header with an ASCII fallback.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import quote

from flask import render_template
from flask_babel import gettext as _

from tenant_app.models.evaluation import Period
from tenant_app.models.org import OrgUnit
from tenant_app.models.staff import StaffMember
from tenant_app.services.files import pdf_context
from tenant_app.services.province import identity

# Letters NFKD does not take apart: without this "Đánh" would become "anh" in the ASCII name.
ASCII_LETTERS = str.maketrans({"đ": "d", "Đ": "D"})
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _pdf(template: str, context: dict) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which the rest of the app never needs.
    from weasyprint import HTML

    from tenant_app.security import pdf_fetcher

    logo, also = identity.logo_for_print()
    html = render_template(template, **context, province_logo=logo)
    return HTML(string=html, url_fetcher=pdf_fetcher.fetcher(also=also)).write_pdf()


def person_form_pdf(period: Period | str, staff_id) -> bytes:
    """Return the PDF of ``staff_id``'s evaluation form (phiếu đánh giá) for ``period``.

    ``period`` is a Period or its id. Raises NotFound when either is not the tenant's in context.
    """
    return _pdf("pdf/person_form.html", pdf_context.person_form(period, staff_id))


def unit_report_pdf(
    period: Period | str,
    org_unit_id=None,
    *,
    prepared_by: str | None = None,
    today: date | None = None,
) -> bytes:
    """Return the PDF of the period report of the unit in context.

    With ``org_unit_id`` only the people posted (at the period's end) in that unit or a unit
    below it are listed. ``prepared_by`` names the người lập biểu; ``today`` dates the report.
    Raises NotFound when the period or the unit is not the tenant's in context.
    """
    context = pdf_context.unit_report(period, org_unit_id, prepared_by=prepared_by, today=today)
    return _pdf("pdf/unit_report.html", context)


def person_form_filename(period: Period, person: StaffMember) -> str:
    """Return the download name of a person's form (``Phiếu đánh giá 2026-11 Trần Thị Văn.pdf``)."""
    return f"{_('Phiếu đánh giá')} {period.code} {person.full_name}.pdf"


def unit_report_filename(period: Period, unit: OrgUnit | None = None) -> str:
    """Return the download name of a period report, e.g. ``Báo cáo kỳ 2026-11.pdf``."""
    name = f"{_('Báo cáo kỳ')} {period.code}"
    return f"{name} {unit.name}.pdf" if unit is not None else f"{name}.pdf"


def ascii_filename(name: str) -> str:
    """Return ``name`` without diacritics, spaces as dashes: for clients that ignore filename*."""
    plain = unicodedata.normalize("NFKD", name.translate(ASCII_LETTERS))
    plain = plain.encode("ascii", "ignore").decode("ascii")
    return UNSAFE.sub("-", plain).strip("-.") or "download.pdf"


def content_disposition(name: str) -> str:
    """Return an ``attachment`` Content-Disposition with an ASCII name and the UTF-8 ``filename*``
    (RFC 6266 / RFC 5987)."""
    return (
        f"attachment; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
