"""The demo wards' workspace: org chart, job positions, a staff record per account, KPI catalogue.

Called by ``tenant_app.demo`` inside each ward's tenant context; deterministic for a seed. It goes
through the services, so the demo also exercises their rules and writes their audit events.
"""

from __future__ import annotations

import random
from datetime import date

from tenant_app.services.workspace import catalogue, org, positions, staff

FOUNDED = date(2025, 7, 1)  # the two-level local government took office
CATALOGUE_FROM = date(2026, 1, 1)
BASE_SALARY = 2_340_000  # VND, the basic salary used for coefficient × basic salary

# (code, name, kind, parent code)
UNITS = [
    ("UBND", "Lãnh đạo UBND phường", "committee", None),
    ("VP", "Văn phòng HĐND và UBND", "body", "UBND"),
    ("KT", "Phòng Kinh tế, Hạ tầng và Đô thị", "body", "UBND"),
    ("VHXH", "Phòng Văn hóa – Xã hội", "body", "UBND"),
    ("TTHCC", "Trung tâm Phục vụ hành chính công", "body", "UBND"),
    ("TYT", "Trạm Y tế phường", "service_unit", "UBND"),
    ("DU", "Đảng ủy phường", "party", None),
    ("MTTQ", "Ủy ban MTTQ Việt Nam phường và các đoàn thể", "mass_org", None),
]
BODY_CODES = {
    "Văn phòng HĐND và UBND": "VP",
    "Phòng Kinh tế, Hạ tầng và Đô thị": "KT",
    "Phòng Văn hóa – Xã hội": "VHXH",
    "Trung tâm Phục vụ hành chính công": "TTHCC",
}
LEADER_GROUPS = {
    "Chủ tịch UBND": "leader_head",
    "Phó Chủ tịch UBND": "leader_deputy",
    "Chánh Văn phòng": "leader_head",
    "Phó Chánh Văn phòng": "leader_deputy",
    "Trưởng phòng": "leader_head",
    "Phó Trưởng phòng": "leader_deputy",
    "Giám đốc Trung tâm": "leader_head",
    "Phó Giám đốc Trung tâm": "leader_deputy",
}
COMMON = ("tổng hợp", "văn thư", "kế toán", "nội vụ", "công nghệ thông tin")

# Work items: (body, name, unit of measure, coefficient, staff-title keywords, mandatory)
WORK_ITEMS = [
    ("VP", "Soạn thảo văn bản hành chính trình ký", "văn bản", "1.0", ("tổng hợp", "nội vụ"), 0),
    ("VP", "Xây dựng báo cáo định kỳ của UBND", "báo cáo", "3.0", ("tổng hợp",), 1),
    ("VP", "Xây dựng kế hoạch, chương trình công tác", "kế hoạch", "4.0", ("tổng hợp",), 0),
    ("VP", "Tổ chức, phục vụ cuộc họp của UBND", "cuộc họp", "1.5", ("tổng hợp",), 0),
    ("VP", "Giải quyết hồ sơ đăng ký hộ tịch", "hồ sơ", "0.5", ("hộ tịch",), 1),
    ("VP", "Chứng thực bản sao, chữ ký", "lượt", "0.2", ("hộ tịch",), 0),
    ("VP", "Đăng ký văn bản đến, phát hành văn bản đi", "văn bản", "0.1", ("văn thư",), 0),
    ("VP", "Chỉnh lý, lập hồ sơ lưu trữ", "hồ sơ", "0.5", ("văn thư",), 0),
    ("VP", "Lập chứng từ, thanh quyết toán kinh phí", "bộ chứng từ", "0.5", ("kế toán",), 0),
    ("VP", "Thẩm định hồ sơ thi đua, khen thưởng", "hồ sơ", "1.0", ("nội vụ",), 0),
    ("VP", "Xử lý sự cố, bảo đảm an toàn hệ thống thông tin", "sự cố", "0.5",
     ("công nghệ thông tin",), 0),
    ("KT", "Xác minh, thẩm tra hồ sơ địa chính", "hồ sơ", "1.5", ("địa chính", "đất đai"), 1),
    ("KT", "Thẩm định hồ sơ cấp giấy chứng nhận quyền sử dụng đất", "hồ sơ", "2.0",
     ("địa chính", "đất đai"), 1),
    ("KT", "Kiểm tra, xử lý vi phạm trật tự xây dựng", "cuộc kiểm tra", "2.0", ("xây dựng",), 0),
    ("KT", "Thẩm định hồ sơ cấp giấy phép xây dựng", "hồ sơ", "1.5", ("xây dựng",), 0),
    ("KT", "Kiểm tra vệ sinh môi trường, xử lý phản ánh ô nhiễm", "cuộc kiểm tra", "1.5",
     ("môi trường",), 0),
    ("KT", "Lập dự toán, báo cáo quyết toán ngân sách", "báo cáo", "3.0", ("tài chính",), 1),
    ("KT", "Kiểm tra hạ tầng giao thông, hành lang an toàn", "cuộc kiểm tra", "1.5",
     ("giao thông",), 0),
    ("KT", "Báo cáo tình hình phát triển kinh tế", "báo cáo", "2.5", ("kinh tế",), 0),
    ("KT", "Trả lời kiến nghị của công dân về đất đai, xây dựng", "văn bản", "1.5",
     ("địa chính", "đất đai", "xây dựng"), 1),
    ("VHXH", "Thẩm định hồ sơ trợ cấp xã hội, người có công", "hồ sơ", "1.0",
     ("lao động",), 1),
    ("VHXH", "Kiểm tra hoạt động kinh doanh dịch vụ văn hóa", "cuộc kiểm tra", "1.5",
     ("văn hóa",), 0),
    ("VHXH", "Tổ chức sự kiện văn hóa, thể thao, tuyên truyền", "sự kiện", "3.0",
     ("văn hóa", "thể thao"), 0),
    ("VHXH", "Báo cáo công tác giáo dục, y tế trên địa bàn", "báo cáo", "2.0",
     ("giáo dục", "y tế"), 0),
    ("VHXH", "Giải quyết đơn thư lĩnh vực văn hóa – xã hội", "đơn", "1.0",
     ("lao động", "tôn giáo"), 0),
    ("TTHCC", "Tiếp nhận, kiểm tra hồ sơ thủ tục hành chính", "hồ sơ", "0.3",
     ("tiếp nhận", "một cửa"), 1),
    ("TTHCC", "Trả kết quả giải quyết thủ tục hành chính", "hồ sơ", "0.2", ("trả kết quả",), 1),
    ("TTHCC", "Hướng dẫn người dân nộp hồ sơ trực tuyến", "lượt", "0.1", ("trực tuyến",), 0),
    ("TTHCC", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "hồ sơ", "0.2",
     ("trực tuyến", "tiếp nhận"), 1),
    ("TTHCC", "Trả lời phản ánh, kiến nghị về thủ tục hành chính", "văn bản", "1.0",
     ("một cửa",), 0),
]  # fmt: skip

# Indicators: (body, name, unit, direction, method, aggregation, values, mandatory)
INDICATORS = [
    ("TTHCC", "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn", "%", "higher",
     "ratio_capped", "average", {"target": "98", "weight": "25"}, 1),
    ("TTHCC", "Tỷ lệ hồ sơ nộp trực tuyến (dịch vụ công trực tuyến)", "%", "higher",
     "ratio_capped", "average", {"target": "80", "weight": "15"}, 1),
    ("TTHCC", "Tỷ lệ hồ sơ, kết quả giải quyết được số hóa", "%", "higher", "ratio_capped",
     "average", {"target": "100", "weight": "10"}, 0),
    ("TTHCC", "Số hồ sơ giải quyết quá hạn", "hồ sơ", "lower", "bands", "sum",
     {"target": "0", "bands": [{"from": 0, "score": 100}, {"from": 1, "score": 80},
                               {"from": 3, "score": 50}, {"from": 5, "score": 0}]}, 1),
    ("VP", "Tỷ lệ phản ánh, kiến nghị được trả lời đúng hạn", "%", "higher", "ratio_capped",
     "average", {"target": "100", "weight": "20"}, 1),
    ("VP", "Báo cáo định kỳ gửi cấp trên đúng hạn", "lần", "yes_no", "pass_fail", "last", {}, 0),
    ("KT", "Tỷ lệ giải ngân vốn đầu tư công so với kế hoạch", "%", "band", "pass_fail", "last",
     {"band_low": "95", "band_high": "100"}, 0),
    ("VHXH", "Tỷ lệ người dân hài lòng với dịch vụ công", "%", "higher", "ratio_capped",
     "average", {"target": "90", "cap_percent": "110", "weight": "10"}, 0),
]  # fmt: skip


def _split(title: str) -> tuple[str, str | None]:
    """Return (post, body code) of a demo job title like "Trưởng phòng – Phòng Văn hóa – Xã hội"."""
    for body, code in BODY_CODES.items():
        if title.endswith(f" – {body}"):
            return title.removesuffix(f" – {body}"), code
    return title, None


def _staff_type(post: str) -> str:
    if post in ("Chủ tịch UBND", "Phó Chủ tịch UBND"):
        return "can_bo"
    if "công nghệ thông tin" in post:
        return "hop_dong"
    if "y tế" in post or "giáo dục" in post:
        return "vien_chuc"
    return "cong_chuc"


def _rank(post: str, kind: str, rng: random.Random) -> str | None:
    if kind == "hop_dong":
        return None
    if kind == "vien_chuc":
        return "V.07.01.03" if "giáo dục" in post else "V.08.05.12"
    if post in LEADER_GROUPS:
        return "01.002" if LEADER_GROUPS[post] == "leader_head" else "01.003"
    return "01.004" if rng.random() < 0.2 else "01.003"


def _salary(post: str, rng: random.Random) -> int:
    if post in ("Chủ tịch UBND", "Phó Chủ tịch UBND"):
        coefficient = rng.uniform(5.2, 6.2)
    elif post in LEADER_GROUPS:
        coefficient = rng.uniform(4.0, 5.2)
    else:
        coefficient = rng.uniform(2.6, 4.3)
    return round(BASE_SALARY * coefficient, -3)


def _positions(posts: list[str]) -> dict[str, object]:
    made, leaders, others = {}, 0, 0
    for post in dict.fromkeys(posts):
        if post in LEADER_GROUPS:
            leaders += 1
            code, group = f"LD{leaders:02d}", LEADER_GROUPS[post]
        else:
            others += 1
            code = f"CM{others:02d}"
            group = (
                "professional_common" if any(k in post for k in COMMON) else ("professional_sector")
            )
        made[post] = positions.create_position(
            {"code": code, "name": post, "position_group": group}
        )
    positions.create_position(
        {"code": "HT01", "name": "Nhân viên phục vụ, bảo vệ", "position_group": "support",
         "description": "Vị trí hỗ trợ, phục vụ (hợp đồng lao động)."}
    )  # fmt: skip
    return made


def seed(people: list[tuple[object, str]], seed_value: int) -> None:
    """Seed one ward (tenant in context) from its accounts: [(user, job title)], in demo order."""
    rng = random.Random(seed_value * 7919)
    units = {}
    for code, name, kind, parent in UNITS:
        units[code] = org.create_org_unit(
            {"code": code, "name": name, "kind": kind, "effective_from": FOUNDED,
             "parent_id": units[parent].id if parent else None}
        )  # fmt: skip
    split = [(user, *_split(title)) for user, title in people]
    made = _positions([post for _user, post, _body in split])
    chairman = vices = None
    heads: dict[str, object] = {}
    for n, (user, post, body) in enumerate(split, start=1):
        kind = _staff_type(post)
        unit = units[body or "UBND"]
        if post == "Phó Chủ tịch UBND":
            manager = chairman
        elif LEADER_GROUPS.get(post) == "leader_head":
            # The office reports to the chairman; the other bodies to the vice-chairmen in turn.
            manager = chairman if body == "VP" or not vices else vices[len(heads) % len(vices)]
        else:
            manager = heads.get(body, chairman)
        record = staff.create_staff(
            {"code": f"NS{n:03d}", "full_name": user.full_name, "user_id": user.id,
             "staff_type": kind, "start_date": FOUNDED, "org_unit_id": unit.id,
             "position_id": made[post].id, "manager_id": manager.id if manager else None,
             "quota_group": "LD-UBND" if body is None else (
                 "LD-PHONG" if post in LEADER_GROUPS else f"CV-{body}"),
             "rank_code": _rank(post, kind, rng), "monthly_salary": _salary(post, rng),
             "decision_ref": f"{n:02d}/QĐ-UBND"}
        )  # fmt: skip
        if post == "Chủ tịch UBND":
            chairman = record
            org.update_org_unit(units["UBND"], {"head_staff_id": record.id})
        elif post == "Phó Chủ tịch UBND":
            vices = [*(vices or []), record]
        elif LEADER_GROUPS.get(post) == "leader_head":
            heads[body] = record
            org.update_org_unit(units[body], {"head_staff_id": record.id})
    _catalogue(units, made)


def _applies(made: dict, keywords) -> list:
    return [
        p.id
        for post, p in made.items()
        if post not in LEADER_GROUPS and any(k in post for k in keywords)
    ]


def _catalogue(units: dict, made: dict) -> None:
    counters: dict[str, int] = {}
    for body, name, measure, coefficient, keywords, mandatory in WORK_ITEMS:
        counters[body] = counters.get(body, 0) + 1
        code = f"{body}.SP{counters[body]:02d}"
        low, high = (None, None)
        if mandatory:
            low, high = f"{float(coefficient) * 0.8:.2f}", f"{float(coefficient) * 1.2:.2f}"
        catalogue.create_item(
            {"kind": "work_item", "code": code, "name": name, "unit_of_measure": measure,
             "coefficient": coefficient, "org_unit_id": units[body].id,
             "canonical_code": f"TH.{code}", "mandatory": bool(mandatory),
             "allowed_min": low, "allowed_max": high, "effective_from": CATALOGUE_FROM,
             "evidence_requirement": "Số, ngày văn bản hoặc mã hồ sơ trên hệ thống một cửa.",
             "position_ids": _applies(made, keywords)},
            from_template=True,
        )  # fmt: skip
    leaders = [p.id for post, p in made.items() if post in LEADER_GROUPS]
    for n, (body, name, measure, direction, method, aggregation, values, mandatory) in enumerate(
        INDICATORS, start=1
    ):
        catalogue.create_item(
            {"kind": "indicator", "code": f"CT{n:02d}", "name": name, "unit_of_measure": measure,
             "direction": direction, "scoring_method": method, "aggregation": aggregation,
             "org_unit_id": units[body].id, "canonical_code": f"TH.CT{n:02d}",
             "mandatory": bool(mandatory), "effective_from": CATALOGUE_FROM,
             "position_ids": leaders, **values},
            from_template=True,
        )  # fmt: skip
    # A unit's own item, and a coefficient revised from April: the catalogue keeps both versions.
    local = catalogue.create_item(
        {"kind": "work_item", "code": "VP.SP90", "name": "Cập nhật cổng thông tin điện tử phường",
         "unit_of_measure": "tin bài", "coefficient": "0.3", "org_unit_id": units["VP"].id,
         "effective_from": CATALOGUE_FROM,
         "position_ids": _applies(made, ("công nghệ thông tin", "tổng hợp"))}
    )  # fmt: skip
    catalogue.update_item(local, {"coefficient": "0.4", "effective_from": date(2026, 4, 1)})
