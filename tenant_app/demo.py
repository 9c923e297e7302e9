"""The demo province: Thanh Hóa, pilot wards Hạc Thành and Đông Sơn, one ward still onboarding.

Deterministic (seeded), so the same command always builds the same people.
"""

from __future__ import annotations

import json
import random
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_migrate import upgrade

from tenant_app import demo_evaluation, demo_feeds, demo_templates, demo_workspace
from tenant_app.extensions import db
from tenant_app.models.tenants import Tenant, TenantStatus
from tenant_app.models.users import ProvinceUser, User
from tenant_app.security.passwords import hash_password
from tenant_app.services.province import identity
from tenant_app.tenancy.context import tenant_context

DEMO_PASSWORD = "ThanhHoa@2026"

WARDS = [
    ("hac-thanh", "Phường Hạc Thành", TenantStatus.PILOT, 11),
    ("dong-son", "Phường Đông Sơn", TenantStatus.PILOT, 23),
]
ONBOARDING_WARD = ("nguyet-vien", "Phường Nguyệt Viên")
DEMO_IDENTITY = {
    "province_name": "Thanh Hóa",
    "authority_name": "ỦY BAN NHÂN DÂN TỈNH THANH HÓA",
    "place": "Thanh Hóa",
}

FAMILY = [
    "Nguyễn",
    "Lê",
    "Trần",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đỗ",
    "Bùi",
    "Đặng",
    "Ngô",
    "Trịnh",
    "Mai",
    "Hà",
    "Lại",
    "Cao",
    "Đinh",
    "Lương",
    "Phan",
    "Tống",
    "Hoàng",
]
MALE_MIDDLE = ["Văn", "Đức", "Hữu", "Quang", "Minh", "Xuân", "Đình", "Công", "Trọng", "Anh"]
FEMALE_MIDDLE = ["Thị", "Ngọc", "Thu", "Thanh", "Phương", "Hồng", "Thị Minh", "Thị Thu"]
MALE_GIVEN = [
    "Hùng",
    "Dũng",
    "Tuấn",
    "Hải",
    "Long",
    "Nam",
    "Sơn",
    "Thắng",
    "Cường",
    "Tùng",
    "Quân",
    "Hiếu",
    "Phong",
    "Trung",
    "Bình",
    "Khánh",
    "Tiến",
    "Lâm",
    "Đạt",
    "Việt",
]
FEMALE_GIVEN = [
    "Hoa",
    "Lan",
    "Hương",
    "Hằng",
    "Nga",
    "Trang",
    "Linh",
    "Thảo",
    "Mai",
    "Huyền",
    "Yến",
    "Oanh",
    "Dung",
    "Hạnh",
    "Nhung",
    "Phương",
    "Giang",
    "Vân",
    "Ngân",
    "Loan",
]

# (body, head title, deputy title, number of deputies, staff titles)
BODIES = [
    (
        "Văn phòng HĐND và UBND",
        "Chánh Văn phòng",
        "Phó Chánh Văn phòng",
        2,
        [
            "Chuyên viên tổng hợp",
            "Chuyên viên tư pháp – hộ tịch",
            "Chuyên viên văn thư – lưu trữ",
            "Chuyên viên kế toán",
            "Chuyên viên nội vụ",
            "Chuyên viên công nghệ thông tin",
        ],
    ),
    (
        "Phòng Kinh tế, Hạ tầng và Đô thị",
        "Trưởng phòng",
        "Phó Trưởng phòng",
        2,
        [
            "Chuyên viên địa chính",
            "Chuyên viên quản lý đất đai",
            "Chuyên viên xây dựng – đô thị",
            "Chuyên viên tài chính – kế hoạch",
            "Chuyên viên môi trường",
            "Chuyên viên giao thông",
            "Chuyên viên kinh tế",
        ],
    ),
    (
        "Phòng Văn hóa – Xã hội",
        "Trưởng phòng",
        "Phó Trưởng phòng",
        2,
        [
            "Chuyên viên văn hóa – thông tin",
            "Chuyên viên lao động – thương binh – xã hội",
            "Chuyên viên giáo dục",
            "Chuyên viên y tế",
            "Chuyên viên thể thao – du lịch",
            "Chuyên viên dân tộc – tôn giáo",
        ],
    ),
    (
        "Trung tâm Phục vụ hành chính công",
        "Giám đốc Trung tâm",
        "Phó Giám đốc Trung tâm",
        1,
        [
            "Chuyên viên tiếp nhận hồ sơ",
            "Chuyên viên tiếp nhận hồ sơ",
            "Chuyên viên trả kết quả",
            "Chuyên viên một cửa liên thông",
            "Chuyên viên dịch vụ công trực tuyến",
        ],
    ),
]


def _ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _username(full_name: str, taken: set[str]) -> str:
    """Vietnamese convention: given name + initials of the others (Lê Thị Hoa → hoalt)."""
    parts = _ascii(full_name).split()
    base = parts[-1] + "".join(p[0] for p in parts[:-1])
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


def _person(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(FAMILY)} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"
    return f"{rng.choice(FAMILY)} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"


def ward_people(seed: int) -> list[tuple[str, str, list[str]]]:
    """Return (full name, job title, roles) for one ward: leadership, then the four bodies."""
    rng = random.Random(seed)
    people = [(_person(rng), "Chủ tịch UBND", ["manager", "staff"])]
    people += [(_person(rng), "Phó Chủ tịch UBND", ["manager", "staff"]) for _ in range(2)]
    for body, head, deputy, deputies, staff_titles in BODIES:
        people.append((_person(rng), f"{head} – {body}", ["manager", "staff"]))
        people += [
            (_person(rng), f"{deputy} – {body}", ["manager", "staff"]) for _ in range(deputies)
        ]
        people += [(_person(rng), f"{title} – {body}", ["staff"]) for title in staff_titles]
    return people


def seed_ward(slug: str, name: str, status, seed: int, password_hash: str) -> dict[str, str]:
    """Create one ward with its people, org chart, positions and catalogue.

    Returns the username shown for each key account (unit_admin, chairman, manager, staff).
    """
    tenant = Tenant(
        slug=slug,
        name=name,
        kind="phuong",
        status=status.value,
        # The demo's units open their periods on the first day (the calendar then moves them).
        settings={
            "province": "Thanh Hóa",
            "pilot_started": "2025-12-26",
            "auto_open_periods": True,
        },
    )
    db.session.add(tenant)
    db.session.commit()
    taken: set[str] = set()
    shown: dict[str, str] = {}
    people: list[tuple[User, str]] = []
    with tenant_context(tenant):
        for full_name, title, roles in ward_people(seed):
            username = _username(full_name, taken)
            if "công nghệ thông tin" in title:
                roles = ["unit_admin", "staff"]
            user = User(
                username=username,
                full_name=full_name,
                job_title=title,
                roles=roles,
                password_hash=password_hash,
            )
            db.session.add(user)
            people.append((user, title))
            key = (
                "unit_admin"
                if "unit_admin" in roles
                else "chairman"
                if title.startswith("Chủ tịch")
                else "manager"
                if title.startswith("Trưởng phòng")
                else "staff"
                if "staff" in roles and "manager" not in roles
                else None
            )
            if key and key not in shown:
                shown[key] = username
        db.session.flush()
        demo_workspace.seed(people, seed)
        db.session.commit()
    return shown


def build(*, fresh: bool = True) -> list[dict]:
    """(Re)create the embedded database, migrate it and seed the demo. Returns the key accounts."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if fresh:
        if not uri.startswith("sqlite:///"):
            raise RuntimeError(
                "kpi demo rebuilds only the embedded SQLite database; "
                "use --keep on an empty PostgreSQL database"
            )
        db.session.remove()
        db.engine.dispose()
        path = Path(uri.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    upgrade(directory=current_app.extensions["migrate"].directory)

    password_hash = hash_password(DEMO_PASSWORD)
    accounts = []
    # The third account is the competent higher level: it assesses and approves the wards'
    # heads (its duty), and otherwise reads like an auditor.
    for username, full_name, role, head_reviewer in (
        ("admin.thanhhoa", "Lê Văn Thành", "province_admin", False),
        ("thanhtra.thanhhoa", "Nguyễn Thị Minh Hằng", "auditor", False),
        ("thamquyen.thanhhoa", "Trịnh Quốc Bảo", "auditor", True),
    ):
        db.session.add(
            ProvinceUser(
                username=username,
                full_name=full_name,
                role=role,
                job_title="Sở Nội vụ tỉnh Thanh Hóa",
                password_hash=password_hash,
                head_reviewer=head_reviewer,
            )
        )
        accounts.append(
            {"tenant": None, "username": username, "password": DEMO_PASSWORD, "role": role}
        )
    # The province's own name on every form, export and page title.
    identity.seed(DEMO_IDENTITY)
    db.session.commit()

    for slug, name, status, seed in WARDS:
        shown = seed_ward(slug, name, status, seed, password_hash)
        for key in ("unit_admin", "chairman", "manager", "staff"):
            accounts.append(
                {
                    "tenant": slug,
                    "username": shown[key],
                    "password": DEMO_PASSWORD,
                    "role": {"chairman": "manager"}.get(key, key),
                }
            )

    slug, name = ONBOARDING_WARD
    db.session.add(
        Tenant(
            slug=slug, name=name, kind="phuong", status=TenantStatus.ONBOARDING.value, settings={}
        )
    )
    db.session.commit()
    demo_templates.seed_templates()

    # Đông Sơn's month before last, published: a land officer moving to Hạc Thành at the start of
    # last month brings it (and has an account there, shown among the demo's).
    wards = {
        slug: db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one()
        for slug, _name, _status, _seed in WARDS
    }
    seeds = {slug: seed for slug, _name, _status, seed in WARDS}
    with tenant_context(wards["dong-son"]):
        demo_evaluation.seed_earlier(seeds["dong-son"])
        db.session.commit()
    arrived = _transfer(date.today().replace(day=1) - timedelta(days=1), password_hash)
    if arrived is not None:
        accounts.append(
            {"tenant": "hac-thanh", "username": arrived, "password": DEMO_PASSWORD, "role": "staff"}
        )

    # Last month locked and published, this month open: the evaluation workflow end to end.
    for slug, _name, _status, seed in WARDS:
        with tenant_context(wards[slug]):
            demo_evaluation.seed(seed)
            db.session.commit()
            # The one-stop system feeds the open month: fed work beside the reported work.
            demo_feeds.seed(seed)

    path = Path(current_app.config["KPI_INSTANCE_DIR"]) / "demo-accounts.json"
    path.write_text(json.dumps(accounts, ensure_ascii=False, indent=2), encoding="utf-8")
    return accounts


def _transfer(last_month: date, password_hash: str) -> str | None:
    """A land officer of Đông Sơn moves to Hạc Thành on the first day of ``last_month``'s month
    with the month before's published result (handed over within a year only): Hạc Thành scores
    them for last month and its annual classification counts both months, the received one with
    its source. They get an account in Hạc Thành; returns its username (None if the wards lack
    the post)."""
    from tenant_app.demo_evaluation import MOVING_POST, holding
    from tenant_app.models.staff import StaffMember
    from tenant_app.services.workspace import staff as staff_service
    from tenant_app.tenancy.door import transfer_write

    effective_on = last_month.replace(day=1)
    source, target = (
        db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one()
        for slug in ("dong-son", "hac-thanh")
    )
    with tenant_context(source):
        person = holding(MOVING_POST)
        if person is not None:  # both wards number their staff NS001…: a code free in Hạc Thành
            person.code = f"DS-{person.code}"
            person_id = person.id
            job_title = db.session.get(User, (source.id, person.user_id)).job_title
            db.session.commit()
    with tenant_context(target):
        # The post's holder in Hạc Thành: the same post, and their division head as manager.
        colleague = holding(MOVING_POST)
        post = None if colleague is None else staff_service.current_assignment(colleague.id)
        if post is not None:
            org_unit_id, position_id = post.org_unit_id, post.position_id
            manager_id = colleague.manager_id
    if person is None or post is None:
        return None
    admin = db.session.execute(
        sa.select(ProvinceUser).where(ProvinceUser.username == "admin.thanhhoa")
    ).scalar_one()
    _transfer_id, arrived = transfer_write(
        source,
        target,
        staff_id=person_id,
        effective_on=effective_on,
        org_unit_id=org_unit_id,
        position_id=position_id,
        reference="125/QĐ-UBND",
        reason="Điều động theo nhu cầu công tác giữa hai phường.",
        actor=admin,
    )
    with tenant_context(target):
        taken = set(db.session.execute(sa.select(User.username)).scalars())
        user = User(
            username=_username(arrived.full_name, taken),
            full_name=arrived.full_name,
            job_title=job_title,
            roles=["staff"],
            password_hash=password_hash,
        )
        db.session.add(user)
        db.session.flush()
        # Managed by the colleague's division head, as the unit's administrator would set.
        staff_service.update_staff(
            db.session.get(StaffMember, (target.id, arrived.id)),
            {"user_id": str(user.id), "manager_id": str(manager_id)},
        )
        db.session.commit()
        return user.username


def summary(accounts: list[dict]) -> str:
    """The text ``kpi demo`` prints: where to go and whom to log in as."""
    import os

    port = os.environ.get("PORT", "5000")
    lines = [
        "Tỉnh Thanh Hóa — dữ liệu dùng thử đã sẵn sàng.",
        f"Mở http://127.0.0.1:{port}/ (cấp tỉnh: /admin/login)",
        "",
    ]
    for a in accounts:
        where = f"/t/{a['tenant']}/login" if a["tenant"] else "/admin/login"
        lines.append(f"  {where:24} {a['username']:20} {a['password']:16} {a['role']}")
    lines.append("")
    lines.append(
        f"Danh sách tài khoản: {Path(current_app.config['KPI_INSTANCE_DIR'])}/demo-accounts.json"
    )
    return "\n".join(lines)
