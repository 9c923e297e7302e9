"""The page shell: a skip link to the main content, breadcrumbs from the unit's home down to the
item, the header's menu button, and the org chart indented without inline styles (CSP)."""

from __future__ import annotations

import re

from tests.helpers import login
from tests.workspace.conftest import make_structure


def test_shell_skip_link_leads_to_main(client, tenant_a, admin_a):
    """Every page starts with "Bỏ qua đến nội dung chính", pointing at the <main id="main">."""
    login(client, "phuong-a", "admin.a")
    html = client.get("/t/phuong-a/").get_data(as_text=True)
    body = html[html.index("<body>") :]
    assert re.match(
        r'<body>\s*<a class="skip-link" href="#main">Bỏ qua đến nội dung chính</a>', body
    )
    assert '<main class="content" id="main"' in html


def test_shell_breadcrumbs_go_home_section_item(client, tenant_a, admin_a):
    """A person's page shows Trang chủ › Nhân sự › the person, the last one marked current."""
    ids = make_structure(tenant_a)
    login(client, "phuong-a", "admin.a")
    html = client.get(f"/t/phuong-a/staff/{ids['clerk']}").get_data(as_text=True)
    crumbs = re.search(r'<nav class="breadcrumbs"[^>]*><ol>(.*?)</ol></nav>', html, re.S).group(1)
    items = [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li.*?</li>", crumbs, re.S)]
    assert items == ["Trang chủ", "Nhân sự", "Nhân sự: Trần Thị Văn"]
    assert 'href="/t/phuong-a/staff"' in crumbs and 'aria-current="page"' in crumbs


def test_shell_home_has_no_breadcrumbs(client, tenant_a, admin_a):
    """The unit's home page is the root: no breadcrumb trail on it."""
    login(client, "phuong-a", "admin.a")
    assert 'class="breadcrumbs"' not in client.get("/t/phuong-a/").get_data(as_text=True)


def test_shell_org_chart_indents_by_class_not_inline_style(client, tenant_a, admin_a):
    """The org chart's levels are depth-N classes; no style attribute (the CSP drops them)."""
    make_structure(tenant_a)
    login(client, "phuong-a", "admin.a")
    html = client.get("/t/phuong-a/org").get_data(as_text=True)
    assert "style=" not in html
    assert re.findall(r'aria-level="(\d)" class="depth-(\d)', html) == [("1", "0"), ("2", "1")]
