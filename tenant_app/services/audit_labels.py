"""Vietnamese labels of audit action codes and actor types (screens show the raw code beside)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "auth.login": _l("Đăng nhập"),
    "auth.login_failed": _l("Đăng nhập thất bại"),
    "auth.login_locked": _l("Đăng nhập khi tài khoản đang bị khóa"),
    "auth.lockout": _l("Khóa tài khoản do đăng nhập sai nhiều lần"),
    "auth.token_issued": _l("Cấp mã truy cập API"),
    "auth.token_revoked": _l("Thu hồi mã truy cập API"),
    "account.created": _l("Tạo tài khoản"),
    "account.updated": _l("Sửa tài khoản"),
    "account.password_changed": _l("Đổi mật khẩu"),
    "account.password_reset": _l("Cấp lại mật khẩu"),
    "tenant.created": _l("Tạo đơn vị"),
    "tenant.status_changed": _l("Đổi trạng thái đơn vị"),
    "tenant.admin_created": _l("Tạo quản trị viên đơn vị"),
    "org_unit.created": _l("Tạo phòng, ban"),
    "org_unit.updated": _l("Sửa phòng, ban"),
    "org_unit.deactivated": _l("Ngừng sử dụng phòng, ban"),
    "position.created": _l("Tạo vị trí việc làm"),
    "position.updated": _l("Sửa vị trí việc làm"),
    "position.deactivated": _l("Ngừng sử dụng vị trí việc làm"),
    "staff.created": _l("Thêm nhân sự"),
    "staff.updated": _l("Sửa thông tin nhân sự"),
    "staff.ended": _l("Kết thúc công tác"),
    "catalogue_item.created": _l("Thêm chỉ tiêu KPI"),
    "catalogue_item.updated": _l("Sửa chỉ tiêu KPI"),
    "catalogue_item.deactivated": _l("Ngừng sử dụng chỉ tiêu KPI"),
    "import.committed": _l("Nhập dữ liệu từ Excel"),
    "period.opened": _l("Mở kỳ đánh giá"),
    "period.published": _l("Công bố kết quả kỳ đánh giá"),
    "assignment.created": _l("Giao việc"),
    "assignment.deleted": _l("Hủy giao việc"),
    "report.saved": _l("Lưu báo cáo kết quả"),
    "report.submitted": _l("Gửi báo cáo kết quả"),
    "report.reviewed": _l("Duyệt báo cáo kết quả"),
    "evidence.added": _l("Thêm minh chứng"),
    "assessment.self": _l("Tự đánh giá"),
    "assessment.manager": _l("Quản lý trực tiếp đánh giá"),
    "assessment.leader": _l("Lãnh đạo đánh giá"),
    "score.approved": _l("Phê duyệt kết quả"),
    "cross_tenant.read": _l("Đọc dữ liệu liên đơn vị"),
    "audit.chain_broken": _l("Phát hiện chuỗi nhật ký bị sửa"),
}

ACTOR_TYPE_LABELS = {
    "tenant_user": _l("Người dùng đơn vị"),
    "province_user": _l("Người dùng cấp tỉnh"),
    "system": _l("Hệ thống"),
    "anonymous": _l("Chưa đăng nhập"),
}


def action_label(code: str) -> str:
    """Return the Vietnamese label of an action code (the code itself when unknown)."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
