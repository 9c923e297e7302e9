"""The versioned values of a catalogue item: checks by kind and the template's allowed range."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from tenant_app.services.errors import ServiceError
from tenant_app.services.workspace import fields

VALUE_FIELDS = ("coefficient", "target", "band_low", "band_high", "cap_percent", "weight", "bands")
MAX_COEFFICIENT = 100
MAX_TARGET = 10**9


def as_columns(version) -> dict:
    return {name: getattr(version, name) for name in VALUE_FIELDS}


def as_dict(version) -> dict:
    return {"effective_from": version.effective_from, **as_columns(version)}


def allowed_range(data: dict) -> tuple:
    low = fields.number(data.get("allowed_min"), "allowed_min", _("Giá trị tối thiểu cho phép"))
    high = fields.number(data.get("allowed_max"), "allowed_max", _("Giá trị tối đa cho phép"))
    if low is not None and high is not None and low > high:
        raise ServiceError(
            "range_order", _("Giá trị tối thiểu cho phép lớn hơn giá trị tối đa."), "allowed_min"
        )
    return low, high


def _bands(value):
    if value is None:
        return None
    message = _('Khung điểm phải là danh sách {"from": số, "score": 0–100}, tăng dần theo "from".')
    if not isinstance(value, list) or not value:
        raise ServiceError("invalid_bands", message, "bands")
    result, previous = [], None
    for band in value:
        if not isinstance(band, dict) or set(band) != {"from", "score"}:
            raise ServiceError("invalid_bands", message, "bands")
        start = fields.number(band["from"], "bands", _("Khung điểm"))
        score = fields.number(band["score"], "bands", _("Khung điểm"), minimum=0, maximum=100)
        if start is None or score is None or (previous is not None and start <= previous):
            raise ServiceError("invalid_bands", message, "bands")
        previous = start
        result.append({"from": f"{start.normalize():f}", "score": f"{score.normalize():f}"})
    return result


def build(item, latest, data: dict) -> dict:
    """Return the value columns for a new version: ``data`` over the latest version, checked."""
    base = as_columns(latest) if latest is not None else dict.fromkeys(VALUE_FIELDS)
    raw = {name: data.get(name, base[name]) for name in VALUE_FIELDS}
    new = {
        "coefficient": fields.number(
            raw["coefficient"], "coefficient", _("Hệ số quy đổi"), above=0, maximum=MAX_COEFFICIENT
        ),
        "target": fields.number(
            raw["target"], "target", _("Chỉ tiêu"), minimum=0, maximum=MAX_TARGET
        ),
        "band_low": fields.number(raw["band_low"], "band_low", _("Cận dưới"), maximum=MAX_TARGET),
        "band_high": fields.number(
            raw["band_high"], "band_high", _("Cận trên"), maximum=MAX_TARGET
        ),
        "cap_percent": fields.number(
            raw["cap_percent"], "cap_percent", _("Mức trần (%)"), above=0, maximum=200
        ),
        "weight": fields.number(raw["weight"], "weight", _("Trọng số"), minimum=0, maximum=100),
        "bands": _bands(raw["bands"]),
    }
    if item.kind == "work_item":
        if new["coefficient"] is None:
            raise ServiceError("required", _("Hệ số quy đổi là bắt buộc."), "coefficient")
        for name in VALUE_FIELDS[1:]:
            if new[name] is not None:
                raise ServiceError(
                    "not_for_work_item",
                    _("Sản phẩm/công việc chỉ có hệ số quy đổi, không có chỉ tiêu hay khung điểm."),
                    name,
                )
        return new
    if new["coefficient"] is not None:
        raise ServiceError(
            "not_for_indicator", _("Chỉ tiêu không có hệ số quy đổi."), "coefficient"
        )
    if item.direction == "band":
        if new["band_low"] is None or new["band_high"] is None:
            raise ServiceError(
                "required", _("Chỉ tiêu trong khoảng cần cận dưới và cận trên."), "band_low"
            )
        if new["band_low"] > new["band_high"]:
            raise ServiceError("range_order", _("Cận dưới lớn hơn cận trên."), "band_low")
    elif item.direction != "yes_no" and new["target"] is None:
        raise ServiceError("required", _("Chỉ tiêu là bắt buộc."), "target")
    if item.scoring_method == "ratio_capped" and new["cap_percent"] is None:
        new["cap_percent"] = Decimal("100")
    if item.scoring_method == "bands" and new["bands"] is None:
        raise ServiceError("required", _("Phương pháp theo khung điểm cần khung điểm."), "bands")
    return new


def check_allowed(item, latest, new: dict) -> None:
    """Enforce the template range on a mandatory item's coefficient or target (module doc)."""
    if not item.mandatory:
        if item.allowed_min is not None or item.allowed_max is not None:
            _in_range(item, new)
        return
    key = "coefficient" if item.kind == "work_item" else "target"
    if latest is None:
        _in_range(item, new)
        return
    for name in VALUE_FIELDS:
        if name != key and new[name] != getattr(latest, name):
            raise ServiceError(
                "mandatory_locked",
                _("Mục bắt buộc theo mẫu của tỉnh: không được thay đổi trường này."),
                name,
            )
    if new[key] != getattr(latest, key):
        if item.allowed_min is None and item.allowed_max is None:
            raise ServiceError(
                "mandatory_locked",
                _("Mục bắt buộc theo mẫu của tỉnh: mẫu không cho phép thay đổi giá trị này."),
                key,
            )
        _in_range(item, new)


def _in_range(item, new: dict) -> None:
    key = "coefficient" if item.kind == "work_item" else "target"
    value = new[key]
    if value is None:
        return
    low, high = item.allowed_min, item.allowed_max
    if (low is not None and value < low) or (high is not None and value > high):
        raise ServiceError(
            "outside_template_range",
            _(
                "Giá trị phải nằm trong khoảng mẫu của tỉnh cho phép (%(low)s – %(high)s).",
                low="…" if low is None else f"{low.normalize():f}",
                high="…" if high is None else f"{high.normalize():f}",
            ),
            key,
        )
