"""Error pages and JSON errors: the API answers ``{"error": {"code", "message", "fields"}}``.

Codes are stable (clients switch on them); messages follow the request's language. Validation
messages of marshmallow are rendered in Vietnamese field by field.
"""

from __future__ import annotations

import re

from flask import abort, jsonify, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tenant_app.drafts import readable_target
from tenant_app.services.errors import ServiceError

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
}


def _messages() -> dict[int, str]:
    return {
        400: _("Yêu cầu không hợp lệ."),
        401: _("Cần đăng nhập hoặc mã truy cập (token) hợp lệ."),
        403: _("Bạn không có quyền thực hiện thao tác này."),
        404: _("Không tìm thấy trang hoặc dữ liệu yêu cầu."),
        405: _("Phương thức không được hỗ trợ."),
        409: _("Dữ liệu xung đột với dữ liệu hiện có."),
        413: _("Tệp hoặc dữ liệu gửi lên vượt quá dung lượng cho phép."),
        415: _("Định dạng dữ liệu không được hỗ trợ."),
        422: _("Dữ liệu không hợp lệ, xem chi tiết từng trường."),
        429: _("Quá nhiều yêu cầu, vui lòng thử lại sau ít phút."),
        500: _("Đã xảy ra lỗi hệ thống. Vui lòng thử lại hoặc liên hệ quản trị viên."),
    }


# marshmallow/webargs English messages → Vietnamese (patterns keep the numbers they carry).
_VI_PATTERNS = [
    (r"^Missing data for required field\.$", "Thiếu trường bắt buộc."),
    (r"^Unknown field\.$", "Trường không được hỗ trợ."),
    (r"^Field may not be null\.$", "Trường không được để trống."),
    (r"^Not a valid string\.$", "Phải là chuỗi ký tự."),
    (r"^Not a valid integer\.$", "Phải là số nguyên."),
    (r"^Not a valid number\.$", "Phải là số."),
    (r"^Not a valid boolean\.$", "Phải là đúng/sai (true/false)."),
    (r"^Not a valid list\.$", "Phải là danh sách."),
    (r"^Not a valid email address\.$", "Địa chỉ thư điện tử không hợp lệ."),
    (r"^Not a valid date\.$", "Ngày không hợp lệ."),
    (r"^Not a valid UUID\.$", "Mã định danh không hợp lệ."),
    (r"^Invalid input type\.$", "Kiểu dữ liệu không hợp lệ."),
    (r"^Invalid JSON body\.$", "Nội dung JSON không hợp lệ."),
    (r"^Longer than maximum length (\d+)\.$", r"Dài quá \1 ký tự."),
    (r"^Shorter than minimum length (\d+)\.$", r"Ngắn hơn \1 ký tự."),
    (r"^Length must be between (\d+) and (\d+)\.$", r"Độ dài phải từ \1 đến \2 ký tự."),
    (r"^Must be one of: (.*)\.$", r"Phải là một trong: \1."),
    (r"^Must be greater than or equal to (\S+)\.$", r"Phải lớn hơn hoặc bằng \1."),
    (r"^Must be less than or equal to (\S+)\.$", r"Phải nhỏ hơn hoặc bằng \1."),
    (
        r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$",
        r"Phải từ \1 đến \2.",
    ),
    (r"^String does not match expected pattern\.$", "Không đúng định dạng."),
    (
        r"^Must be greater than (\S+) and less than or equal to (\S+)\.$",
        r"Phải lớn hơn \1 và nhỏ hơn hoặc bằng \2.",
    ),
    (r"^Must be greater than (\S+)\.$", r"Phải lớn hơn \1."),
]


def translate_validation(messages):
    """Render marshmallow messages (nested dicts/lists of strings) in the current language."""
    if str(get_locale() or "vi") != "vi":
        return messages
    if isinstance(messages, dict):
        return {k: translate_validation(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [translate_validation(m) for m in messages]
    if isinstance(messages, str):
        for pattern, repl in _VI_PATTERNS:
            if re.match(pattern, messages):
                return re.sub(pattern, repl, messages)
    return messages


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str | None = None, message: str | None = None, fields=None):
    body = {
        "error": {
            "code": code or CODES.get(status, "error"),
            "message": message or _messages().get(status, ""),
        }
    }
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kpi"'
    return response


def _validation_fields(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or {}
    # webargs nests by location ("json", "query"); flatten one level.
    if set(messages) <= {"json", "query", "form", "files", "headers", "view_args", "path"}:
        flat = {}
        for loc_messages in messages.values():
            if isinstance(loc_messages, dict):
                flat.update(loc_messages)
            else:
                flat.setdefault("_schema", []).extend(loc_messages)
        messages = flat
    return translate_validation(messages) or None


def _with_exception_headers(response, exc: HTTPException):
    """Keep the headers the exception carries (``Allow`` on a 405, ``Retry-After`` on a 429)."""
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


# "\u0000" in JSON text, not itself escaped ("\\u0000" is a backslash then "u0000").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def accepts_nul(view):
    """Mark a view whose JSON body never reaches the database (the scoring sandbox): a NUL in
    it is left to the view's own contract instead of the body guard's 400."""
    view.accepts_nul = True
    return view


def _json_has_nul(raw: bytes) -> bool:
    """Whether a JSON text writes a NUL character in a string or key. Read from the text itself,
    never parsed here: a document nested 100,000 deep must reach its own 422, not a recursion."""
    return b"\\u0000" in raw and _JSON_NUL.search(raw) is not None


def init_app(app) -> None:
    @app.before_request
    def _refuse_nul_in_query():
        # A NUL character can reach no text column (PostgreSQL refuses it in any text value):
        # a search or filter carrying one is a bad request, not a server error. ``next`` is only
        # ever checked by ``safe_target`` (an unsafe one falls back to the default page).
        if any(
            "\x00" in key or ("\x00" in value and key != "next")
            for key, value in request.args.items(multi=True)
        ):
            abort(400)

    @app.before_request
    def _refuse_nul_in_body():
        # The same for a form or a JSON body: refused here once, before any schema or service
        # (a NUL would otherwise reach PostgreSQL and fail there as a server error).
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        message = _("Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL): vui lòng nhập lại.")
        if request.is_json:
            view = app.view_functions.get(request.endpoint)
            if getattr(view, "accepts_nul", False):
                return None
            if _json_has_nul(request.get_data()):
                return json_error(400, "bad_request", message, {"json": [message]})
            return None
        found = any(
            "\x00" in key or ("\x00" in value and key != "next")
            for key, value in request.form.items(multi=True)
        )
        if found:
            raise ServiceError(
                "bad_request",
                _("Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL): vui lòng nhập lại."),
                status=400,
            )

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        if wants_json():
            fields = {exc.field: [exc.message]} if exc.field else None
            return json_error(exc.status, exc.code, exc.message, fields)
        return render_template(
            "errors/error.html", status=exc.status, message=exc.message
        ), exc.status

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        message = _(
            "Phiên biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại."
        )
        if wants_json():
            return json_error(400, "csrf_failed", message)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        if status == 405 and request.method in ("GET", "HEAD") and not wants_json():
            # A person following a link or ``next`` to a POST-only URL: the page above it.
            return redirect(readable_target(request.full_path.rstrip("?")))
        if wants_json():
            fields = _validation_fields(exc) if status in (400, 422) else None
            if status == 400 and "Invalid JSON body." in str(getattr(exc, "data", "")):
                return json_error(400, "invalid_json", _("Nội dung JSON không hợp lệ."), fields)
            return _with_exception_headers(json_error(status, fields=fields), exc)
        return render_template(
            "errors/error.html", status=status, message=_messages().get(status, exc.description)
        ), status

    @app.errorhandler(Exception)
    def _unexpected(exc):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        app.logger.exception("unhandled error on %s", request.path)
        if wants_json():
            return json_error(500)
        return render_template("errors/error.html", status=500, message=_messages()[500]), 500
