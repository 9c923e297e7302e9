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
    "account.unlocked": _l("Mở khóa đăng nhập"),
    "tenant.created": _l("Tạo đơn vị"),
    "province.identity_updated": _l("Sửa thông tin tỉnh (tên, cơ quan chủ quản, địa danh)"),
    "backup.created": _l("Sao lưu cơ sở dữ liệu và tệp"),
    "backup.restored": _l("Khôi phục từ bản sao lưu"),
    "tenant.status_changed": _l("Đổi trạng thái đơn vị"),
    "tenant.admin_created": _l("Tạo quản trị viên đơn vị"),
    "tenant.unit_head_changed": _l("Đổi cách xác định người đứng đầu đơn vị"),
    "head_reviewer.changed": _l("Giao hoặc thu hồi nhiệm vụ đánh giá người đứng đầu"),
    "tenant.break_glass_granted": _l("Cấp tỉnh mở truy cập khẩn cấp vào đơn vị"),
    "tenant.break_glass_ended": _l("Cấp tỉnh kết thúc sớm truy cập khẩn cấp"),
    "break_glass.granted": _l("Cấp tỉnh tạo tài khoản quản trị khẩn cấp"),
    "break_glass.ended": _l("Cấp tỉnh kết thúc sớm tài khoản quản trị khẩn cấp"),
    "break_glass.expired": _l("Tài khoản quản trị khẩn cấp hết hạn, đã vô hiệu hóa"),
    "org_unit.created": _l("Tạo phòng, ban"),
    "org_unit.updated": _l("Sửa phòng, ban"),
    "org_unit.deactivated": _l("Ngừng sử dụng phòng, ban"),
    "position.created": _l("Tạo vị trí việc làm"),
    "position.updated": _l("Sửa vị trí việc làm"),
    "position.deactivated": _l("Ngừng sử dụng vị trí việc làm"),
    "staff.created": _l("Thêm nhân sự"),
    "staff.updated": _l("Sửa thông tin nhân sự"),
    "staff.ended": _l("Kết thúc công tác"),
    "staff.transfer": _l("Chuyển công tác giữa các đơn vị"),
    "staff.transfer_in": _l("Nhận người chuyển đến"),
    "staff.transfer_out": _l("Chuyển người đi đơn vị khác"),
    "staff.transfer_proposed": _l("Đề nghị chuyển người sang đơn vị khác"),
    "staff.transfer_proposal_received": _l("Nhận đề nghị chuyển người đến"),
    "staff.transfer_accepted": _l("Đồng ý nhận người chuyển đến"),
    "staff.transfer_refused": _l("Từ chối nhận người chuyển đến"),
    "salary.recorded": _l("Ghi nhận mức lương"),
    "salary.deleted": _l("Xóa mức lương"),
    "concurrent_post.added": _l("Thêm chức vụ kiêm nhiệm"),
    "concurrent_post.deleted": _l("Xóa chức vụ kiêm nhiệm"),
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
    "report.exemption_approved": _l("Duyệt miễn trừ do nguyên nhân khách quan"),
    "report.exemption_refused": _l("Từ chối miễn trừ do nguyên nhân khách quan"),
    "evidence.added": _l("Thêm minh chứng"),
    "feed.source_created": _l("Thêm nguồn dữ liệu"),
    "feed.source_updated": _l("Sửa nguồn dữ liệu"),
    "feed.officer_mapped": _l("Ánh xạ cán bộ của nguồn dữ liệu"),
    "feed.item_mapped": _l("Ánh xạ thủ tục/loại việc của nguồn dữ liệu"),
    "feed.officer_unmapped": _l("Bỏ ánh xạ cán bộ của nguồn dữ liệu"),
    "feed.item_unmapped": _l("Bỏ ánh xạ thủ tục/loại việc của nguồn dữ liệu"),
    "feed.token_issued": _l("Cấp token cho nguồn dữ liệu"),
    "feed.token_revoked": _l("Thu hồi token của nguồn dữ liệu"),
    "feed.replayed": _l("Xử lý lại bản ghi bị từ chối"),
    "assessment.self": _l("Tự đánh giá"),
    "assessment.manager": _l("Quản lý trực tiếp đánh giá"),
    "assessment.leader": _l("Lãnh đạo đánh giá"),
    "score.approved": _l("Phê duyệt kết quả"),
    "cross_tenant.read": _l("Đọc dữ liệu liên đơn vị"),
    "audit.chain_broken": _l("Phát hiện chuỗi nhật ký bị sửa"),
    "period.closed": _l("Đóng kỳ đánh giá"),
    "period.locked": _l("Khóa kỳ đánh giá"),
    "period.reopened": _l("Mở lại kỳ đánh giá"),
    "period.rules_changed": _l("Đổi quy tắc chấm điểm của kỳ"),
    "period.window_extended": _l("Gia hạn một bước của kỳ đánh giá"),
    "calendar.report": _l("Lịch tự động: hết hạn báo cáo kết quả"),
    "calendar.self_assessment": _l("Lịch tự động: hết hạn tự đánh giá"),
    "calendar.review": _l("Lịch tự động: hết hạn thẩm định"),
    "calendar.approval": _l("Lịch tự động: hết hạn phê duyệt"),
    "calendar.closed": _l("Lịch tự động: đóng kỳ đánh giá"),
    "calendar.locked": _l("Lịch tự động: khóa kỳ đánh giá"),
    "calendar.annual": _l("Lịch tự động: hết hạn xếp loại cuối năm"),
    "score.changed_after_publication": _l("Điểm thay đổi sau khi công khai"),
    "discipline.recorded": _l("Ghi nhận quyết định kỷ luật"),
    "annual.computed": _l("Tính xếp loại năm"),
    "annual.decided": _l("Quyết định xếp loại năm"),
    "annual.approved": _l("Phê duyệt xếp loại năm"),
    "annual.published": _l("Công khai xếp loại năm"),
    "annual.head_approved": _l("Cấp có thẩm quyền phê duyệt xếp loại năm của người đứng đầu"),
    "annual.higher_level_approved": _l(
        "Cấp có thẩm quyền cấp trên phê duyệt xếp loại năm của viên chức"
    ),
    "head_review.assess": _l("Cấp có thẩm quyền đánh giá người đứng đầu"),
    "head_review.approve": _l("Cấp có thẩm quyền phê duyệt kết quả của người đứng đầu"),
    "head_review.annual_decide": _l("Cấp có thẩm quyền quyết định xếp loại năm của người đứng đầu"),
    "head_review.annual_approve": _l("Cấp có thẩm quyền phê duyệt xếp loại năm của người đứng đầu"),
    "higher_level.approve": _l("Cấp có thẩm quyền cấp trên phê duyệt kết quả của viên chức"),
    "higher_level.annual_decide": _l(
        "Cấp có thẩm quyền cấp trên quyết định xếp loại năm của viên chức"
    ),
    "higher_level.annual_approve": _l(
        "Cấp có thẩm quyền cấp trên phê duyệt xếp loại năm của viên chức"
    ),
    "unit_rating.set": _l("Cấp có thẩm quyền xếp loại đơn vị"),
    "tenant.unit_classification_changed": _l("Đổi loại hình đơn vị (đơn vị sự nghiệp công lập)"),
    "tenant.calendar_changed": _l("Đổi lịch tự động của đơn vị"),
    "income.computed": _l("Tính thu nhập tăng thêm"),
    "income.approved": _l("Phê duyệt thu nhập tăng thêm"),
    "position.reactivated": _l("Dùng lại vị trí việc làm"),
    "account.invitation_accepted": _l("Nhận lời mời, đặt mật khẩu"),
    "tenant.admin_invited": _l("Mời quản trị viên đơn vị"),
    "tenant.accounts_invited": _l("Gửi liên kết đặt mật khẩu cho tài khoản nhập từ tệp"),
    "template.created": _l("Tạo mẫu cấu hình"),
    "template.version_created": _l("Tạo phiên bản mẫu cấu hình"),
    "template.version_updated": _l("Sửa phiên bản mẫu cấu hình"),
    "template.version_published": _l("Công bố phiên bản mẫu cấu hình"),
    "template.version_deleted": _l("Xóa phiên bản nháp của mẫu"),
    "template.promoted": _l("Lấy cấu hình đơn vị làm mẫu"),
    "template.applied": _l("Áp dụng mẫu cấu hình"),
    "configuration.applied": _l("Áp dụng cấu hình cho đơn vị"),
    "configuration.rolled_back": _l("Hoàn tác cấu hình của đơn vị"),
    "configuration.settings_changed": _l("Đổi thiết lập của đơn vị"),
    "configuration.created": _l("Tạo vị trí việc làm và chỉ tiêu KPI theo mẫu cấu hình"),
    "rollout.created": _l("Tạo đợt áp dụng mẫu"),
    "rollout.started": _l("Bắt đầu đợt áp dụng mẫu"),
    "rollout.resumed": _l("Tiếp tục đợt áp dụng mẫu"),
    "rollout.rolled_back": _l("Hoàn tác đợt áp dụng mẫu"),
    "rollout.tenant_failed": _l("Áp dụng mẫu cho đơn vị bị lỗi"),
    "rollout.impact_previewed": _l("Xem trước ảnh hưởng của mẫu"),
    "rollout.applied": _l("Áp dụng mẫu cho đơn vị"),
    "rollout.skipped": _l("Bỏ qua đơn vị đã chạy phiên bản mẫu"),
    "indicator.value_entered": _l("Nhập giá trị chỉ tiêu"),
    "auditor.access_changed": _l("Đổi quyền xem của thanh tra"),
    "export.downloaded": _l("Tải tệp xuất dữ liệu"),
    "retention.policy_updated": _l("Sửa thời hạn lưu giữ tệp"),
    "retention.purged": _l("Xoá tệp quá thời hạn lưu giữ"),
}

OTHER_ACTION = _l("Hành động khác")

ACTOR_TYPE_LABELS = {
    "tenant_user": _l("Người dùng đơn vị"),
    "province_user": _l("Người dùng cấp tỉnh"),
    "system": _l("Hệ thống"),
    "anonymous": _l("Chưa đăng nhập"),
}


def action_label(code: str) -> str:
    """Return the label of an action code; a generic label when unknown, never the raw code."""
    label = ACTION_LABELS.get(code)
    return str(label if label is not None else OTHER_ACTION)


OBJECT_TYPE_LABELS = {
    "user": _l("Tài khoản"),
    "account": _l("Tài khoản"),
    "org_unit": _l("Phòng, ban"),
    "job_position": _l("Vị trí việc làm"),
    "staff": _l("Cán bộ, công chức"),
    "catalogue_item": _l("Mục danh mục"),
    "tenant": _l("Đơn vị"),
    "tenant_config": _l("Cấu hình đơn vị"),
    "province": _l("Cấp tỉnh"),
    "province_settings": _l("Thông tin tỉnh"),
    "period": _l("Kỳ đánh giá"),
    "assignment": _l("Giao việc"),
    "report": _l("Báo cáo kết quả"),
    "assessment": _l("Đánh giá"),
    "period_score": _l("Kết quả đánh giá"),
    "income_run": _l("Thu nhập tăng thêm"),
    "salary_change": _l("Mức lương"),
    "concurrent_post": _l("Chức vụ kiêm nhiệm"),
    "annual_classification": _l("Xếp loại năm"),
    "feed_source": _l("Nguồn dữ liệu"),
    "indicator_value": _l("Giá trị chỉ tiêu"),
    "config_template": _l("Mẫu cấu hình"),
    "template_version": _l("Phiên bản mẫu cấu hình"),
    "rollout": _l("Đợt áp dụng mẫu"),
    "discipline": _l("Kỷ luật"),
    "export": _l("Tệp xuất dữ liệu"),
    "retention": _l("Lưu giữ tệp"),
}

# The keys of an event's details, as people read them (unknown keys are shown as recorded).
FIELD_LABELS = {
    "transfer_id": _l("Mã lần chuyển công tác"),
    "results_moved": _l("Kết quả được chuyển theo"),
    "reference": _l("Số quyết định, văn bản"),
    "to_unit": _l("Đơn vị chuyển đến"),
    "from_unit": _l("Đơn vị chuyển đi"),
    "effective_on": _l("Ngày hiệu lực"),
    "active": _l("Đang hoạt động"),
    "aggregation": _l("Cách tổng hợp"),
    "allowed_max": _l("Giá trị tối đa cho phép"),
    "allowed_min": _l("Giá trị tối thiểu cho phép"),
    "authority_name": _l("Tên cơ quan chủ quản"),
    "logo_path": _l("Tệp con dấu/biểu trưng"),
    "place": _l("Địa danh ghi trên biểu mẫu"),
    "province_name": _l("Tên tỉnh"),
    "import_workbook_days": _l("Tệp nhập dữ liệu đã ghi (ngày)"),
    "rejected_upload_days": _l("Tệp nhập dữ liệu bị từ chối hoặc bỏ dở (ngày)"),
    "export_days": _l("Tệp xuất dữ liệu (ngày)"),
    "evidence_years": _l("Minh chứng (năm sau khi khóa kỳ)"),
    "orphan_days": _l("Tệp không còn gắn với dữ liệu nào (ngày)"),
    "kept_unlocked": _l("Minh chứng giữ lại vì kỳ chưa khóa"),
    "bytes": _l("Dung lượng giải phóng (byte)"),
    "counts": _l("Số tệp theo loại"),
    "files": _l("Tệp"),
    "more": _l("Số tệp không liệt kê thêm"),
    "import_workbook": _l("Tệp nhập dữ liệu đã ghi"),
    "rejected_upload": _l("Tệp nhập dữ liệu bị từ chối hoặc bỏ dở"),
    "evidence": _l("Minh chứng"),
    "orphan": _l("Tệp mồ côi"),
    "export": _l("Tệp xuất dữ liệu"),
    "ref": _l("Mã tệp"),
    "since": _l("Tính từ ngày"),
    "day": _l("Ngày"),
    "approval_chain": _l("Trình tự phê duyệt"),
    "canonical_code": _l("Mã chuẩn"),
    "capped": _l("Giới hạn trần"),
    "closing_day": _l("Ngày chốt số liệu"),
    "closing_time": _l("Giờ chốt số liệu"),
    "code": _l("Mã"),
    "coefficient": _l("Hệ số quy đổi"),
    "completed": _l("Số lượng hoàn thành"),
    "completed_on": _l("Ngày hoàn thành"),
    "created": _l("Đã tạo"),
    "deactivated": _l("Đã ngừng sử dụng"),
    "delays": _l("Lần chậm tiến độ"),
    "delay_correction_reason": _l("Lý do sửa số lần chậm đề xuất"),
    "proposed_delays": _l("Lần chậm tiến độ đề xuất theo ngày"),
    "proposed_exempt_delays": _l("Lần chậm đề xuất miễn trừ"),
    "proposed_exempt_errors": _l("Lỗi đề xuất miễn trừ"),
    "description": _l("Mô tả"),
    "directing": _l("Chỉ đạo, điều hành"),
    "direction": _l("Chiều đánh giá"),
    "dry_run": _l("Chạy thử"),
    "due_on": _l("Hạn hoàn thành"),
    "effective": _l("Hiệu lực"),
    "effective_from": _l("Hiệu lực từ"),
    "effective_to": _l("Đến trước ngày"),
    "decision_ref": _l("Quyết định"),
    "decision_date": _l("Ngày quyết định"),
    "end_date": _l("Ngày kết thúc"),
    "evidence_requirement": _l("Yêu cầu minh chứng"),
    "exempt_delays": _l("Lần chậm được miễn trừ"),
    "exempt_errors": _l("Lỗi được miễn trừ"),
    "exemption_reason": _l("Lý do miễn trừ"),
    "exemption_status": _l("Trạng thái miễn trừ"),
    "exemption_evidence_id": _l("Minh chứng của miễn trừ"),
    "external_code": _l("Mã bên ngoài"),
    "external_id": _l("Mã bên ngoài"),
    "final_grade": _l("Xếp loại cuối cùng"),
    "full_name": _l("Họ và tên"),
    "general": _l("Điểm tiêu chí chung"),
    "grade": _l("Xếp loại"),
    "head_capped_by_unit": _l("Xếp loại người đứng đầu không cao hơn xếp loại đơn vị"),
    "head_staff_id": _l("Người đứng đầu"),
    "id": _l("Mã định danh"),
    "income_scheme": _l("Cách tính thu nhập tăng thêm"),
    "income_settings": _l("Thiết lập thu nhập tăng thêm"),
    "item_code": _l("Mã mục"),
    "item_id": _l("Mục danh mục"),
    "items": _l("Mục danh mục"),
    "kept_local": _l("Giữ thay đổi riêng của đơn vị"),
    "kind": _l("Loại"),
    "late_policy": _l("Xử lý báo cáo muộn"),
    "links": _l("Liên kết"),
    "major_errors": _l("Lỗi nội dung lớn"),
    "manager_id": _l("Quản lý trực tiếp"),
    "mandatory": _l("Bắt buộc"),
    "monthly_salary": _l("Lương tháng (đồng)"),
    "name": _l("Tên"),
    "not_classified": _l("Không xếp loại (dưới 6 tháng công tác)"),
    "note": _l("Ghi chú"),
    "number": _l("Số"),
    "org_unit_id": _l("Phòng, ban"),
    "organising": _l("Năng lực tổ chức thực hiện nhiệm vụ (%)"),
    "origin": _l("Nguồn"),
    "overridden": _l("Đã ghi đè"),
    "parent_id": _l("Đơn vị cấp trên"),
    "people": _l("Số người"),
    "period": _l("Kỳ đánh giá"),
    "period_kind": _l("Loại kỳ"),
    "position_group": _l("Nhóm vị trí"),
    "position_id": _l("Vị trí việc làm"),
    "position_ids": _l("Vị trí việc làm"),
    "positions": _l("Vị trí việc làm"),
    "proposed_grade": _l("Mức đề xuất"),
    "published_at": _l("Công khai lúc"),
    "public_service_unit": _l("Đơn vị sự nghiệp công lập"),
    "purpose": _l("Mục đích"),
    "quantity": _l("Số lượng"),
    "quota_group": _l("Nhóm tỷ lệ"),
    "rank_code": _l("Mã ngạch"),
    "reason": _l("Lý do"),
    "review_comment": _l("Nhận xét thẩm định"),
    "roles": _l("Vai trò"),
    "rollout": _l("Đợt áp dụng mẫu"),
    "rule_set": _l("Bộ quy tắc chấm điểm"),
    "rule_sets": _l("Bộ quy tắc theo loại cán bộ"),
    "scheme": _l("Cách tính"),
    "score": _l("Điểm"),
    "scoring_method": _l("Phương pháp chấm"),
    "scoring_params": _l("Tham số chấm điểm"),
    "settings_changed": _l("Thiết lập đã đổi"),
    "source": _l("Nguồn"),
    "staff_code": _l("Mã cán bộ"),
    "staff_id": _l("Cán bộ, công chức"),
    "staff_type": _l("Loại cán bộ"),
    "start_date": _l("Ngày bắt đầu"),
    "status": _l("Trạng thái"),
    "template_id": _l("Mẫu cấu hình"),
    "tenant": _l("Đơn vị"),
    "tenants": _l("Đơn vị"),
    "total": _l("Tổng điểm"),
    "unit_of_measure": _l("Đơn vị tính"),
    "updated": _l("Đã sửa"),
    "user_id": _l("Tài khoản"),
    "username": _l("Tên đăng nhập"),
    "email": _l("Thư điện tử"),
    "version": _l("Phiên bản"),
    "wave": _l("Đợt"),
    "waves": _l("Số đợt"),
    "windows": _l("Thời hạn các bước"),
    "year": _l("Năm"),
}


def object_type_label(code: str | None) -> str:
    """Return what kind of thing an event touched, in words (a generic label when unknown)."""
    if not code:
        return ""
    label = OBJECT_TYPE_LABELS.get(code)
    return str(label if label is not None else OTHER_OBJECT)


def field_label(key: str) -> str:
    """Return a detail's key in words (the key as recorded when it has no label)."""
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else key


OTHER_OBJECT = _l("Đối tượng khác")

EXEMPTION_STATUS_LABELS = {
    "proposed": _l("Đề xuất, chờ duyệt"),
    "approved": _l("Đã duyệt"),
    "refused": _l("Bị từ chối"),
}


# Keys whose values are codes of the catalogue's vocabulary (kind, direction, ...).
CATALOGUE_CODE_KEYS = ("kind", "direction", "scoring_method", "aggregation", "origin")


# Kinds of file the retention run purges (``services.files.retention``), in its event's list.
RETENTION_KIND_LABELS = {
    "import_workbook": _l("Tệp nhập dữ liệu đã ghi"),
    "rejected_upload": _l("Tệp nhập dữ liệu bị từ chối hoặc bỏ dở"),
    "evidence": _l("Minh chứng"),
    "export": _l("Tệp xuất dữ liệu"),
    "orphan": _l("Tệp mồ côi"),
}


def value_label(key: str, value: str) -> str:
    """Return a recorded value in words when its key holds codes (a role, a position group, a
    catalogue item's kind or method), else the value."""
    if key == "exemption_status":
        label = EXEMPTION_STATUS_LABELS.get(value)
        return str(label) if label is not None else value
    if key in ("role", "roles"):
        from tenant_app.models.users import ROLE_LABELS

        label = ROLE_LABELS.get(value)
        return str(label) if label is not None else value
    if key == "position_group":
        from tenant_app.models.org import POSITION_GROUP_LABELS

        label = POSITION_GROUP_LABELS.get(value)
        return str(label) if label is not None else value
    if key in CATALOGUE_CODE_KEYS:
        from tenant_app.models.catalogue import LABELS

        label = LABELS.get(value)
        if label is None and key == "kind":  # a file purged by the retention run
            label = RETENTION_KIND_LABELS.get(value)
        return str(label) if label is not None else value
    return value or "—"
