"""The words of a merge plan: its lines' message codes and params made readable, in the reader's
language (Vietnamese by default, English through Flask-Babel).

The merge (``rollout_merge``) only says *why*, with a ``MessageCode``; the texts live here, at the
edge. A rollout job stores each line in readable form too (its status message quotes them, and a
reader of the stored JSON needs no code table); the console and the API render the lines again
in their own language. A line stored before lines had codes keeps the message stored with it.
"""

from __future__ import annotations

from flask_babel import gettext as _

from tenant_app.services.rollout.rollout_merge import MessageCode
from tenant_app.services.rollout.template_payload import FIELD_LABELS, field_label


def show(value) -> str:
    """A value of a plan line as the administrator reads it ((trống), có/không, bands, lists)."""
    if value is None or value == []:
        return _("(trống)")
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "; ".join(f"{b.get('from')}→{b.get('score')}" for b in value)
        return ", ".join(str(v) for v in value)
    return str(value)


def _mandatory_override(p: dict) -> str:
    return _(
        "Mục bắt buộc «%(name)s» (%(key)s): %(field)s của đơn vị (%(local)s) được "
        "thay bằng giá trị của mẫu (%(template)s).",
        name=p["name"], key=p["key"], field=field_label(p["field"]).lower(),
        local=show(p["local"]), template=show(p["template"]),
    )  # fmt: skip


def _mandatory_out_of_range(p: dict) -> str:
    return _(
        "Mục bắt buộc «%(name)s» (%(key)s): %(field)s của đơn vị (%(local)s) nằm ngoài "
        "khoảng mẫu cho phép nên được thay bằng giá trị của mẫu (%(template)s).",
        name=p["name"], key=p["key"], field=field_label(p["field"]).lower(),
        local=show(p["local"]), template=show(p["template"]),
    )  # fmt: skip


def _mandatory_reactivated(p: dict) -> str:
    return _(
        "Mục bắt buộc «%(name)s» (%(key)s) đơn vị đã ngừng sử dụng được dùng lại theo mẫu.",
        name=p["name"], key=p["key"],
    )  # fmt: skip


def _both_changed(p: dict) -> str:
    return _(
        "%(what)s – %(field)s: đơn vị đã đổi thành %(local)s, mẫu mới đổi thành "
        "%(template)s (trước đây %(base)s). Hệ thống không tự chọn: hãy thống nhất với "
        "đơn vị rồi chạy lại cho đơn vị này.",
        what=p["name"], field=field_label(p["field"]), local=show(p["local"]),
        template=show(p["template"]), base=show(p["base"]),
    )  # fmt: skip


def _code_in_use(p: dict) -> str:
    return _(
        "Mục mới «%(name)s» (%(key)s) dùng mã %(code)s, nhưng đơn vị đã dùng mã "
        "này cho mục %(owner)s. Hãy đổi mã ở đơn vị hoặc trong mẫu.",
        name=p["name"], key=p["key"], code=p["code"], owner=p["owner"],
    )  # fmt: skip


def _kind_changed(p: dict) -> str:
    return _(
        "Mẫu mới đổi loại của mục «%(name)s» (%(key)s): không đổi được loại của "
        "mục đã dùng; mẫu cần một mã chuẩn mới cho mục này.",
        name=p["name"], key=p["key"],
    )  # fmt: skip


def _position_held(p: dict) -> str:
    return _(
        "Mẫu mới bỏ vị trí việc làm %(key)s «%(name)s» nhưng vị trí đang có người "
        "đảm nhiệm: hãy chuyển người sang vị trí khác hoặc giữ vị trí trong mẫu.",
        key=p["key"], name=p["name"],
    )  # fmt: skip


def _removed_but_changed(p: dict) -> str:
    return _(
        "Mẫu mới bỏ «%(name)s» (%(key)s) nhưng đơn vị đã sửa mục này: cần quyết "
        "định giữ lại hay ngừng sử dụng.",
        name=p["name"], key=p["key"],
    )  # fmt: skip


TEXTS = {
    MessageCode.MANDATORY_OVERRIDE: _mandatory_override,
    MessageCode.MANDATORY_OUT_OF_RANGE: _mandatory_out_of_range,
    MessageCode.MANDATORY_REACTIVATED: _mandatory_reactivated,
    MessageCode.BOTH_CHANGED: _both_changed,
    MessageCode.CODE_IN_USE: _code_in_use,
    MessageCode.KIND_CHANGED: _kind_changed,
    MessageCode.POSITION_HELD: _position_held,
    MessageCode.REMOVED_BUT_CHANGED: _removed_but_changed,
}


def _name(line: dict) -> str | None:
    # A settings section has no name of its own in the plan: its label stands for it.
    section = line.get("section")
    # A stored section label is the Vietnamese one: shown again in the reader's language.
    if section and line.get("name") in (None, "", FIELD_LABELS.get(section)):
        return field_label(section)
    return line.get("name")


def line_text(line: dict) -> str:
    """The message of a plan line (``Line.as_dict`` or stored JSON): rendered from its code and
    params, else the message stored with it, else an empty string."""
    render = TEXTS.get(line.get("code"))
    if render is None:
        return line.get("message") or ""
    return render({**(line.get("params") or {}), "name": _name(line)})


def readable(line: dict) -> dict:
    """A copy of ``line`` with its name and (for a coded line) its message in words."""
    row = dict(line)
    if row.get("section"):
        row["name"] = _name(row)
    if row.get("code") in TEXTS:
        row["message"] = line_text(row)
    return row


def readable_lines(lines) -> list[dict]:
    return [readable(line) for line in lines or []]


def readable_diff(diff: dict | None) -> dict:
    """A stored diff (``Plan.diff``) with every line readable; other keys unchanged."""
    diff = dict(diff or {})
    for key in ("changes", "kept", "overrides"):
        if key in diff:
            diff[key] = readable_lines(diff[key])
    return diff


def stop_message(conflicts: list[dict]) -> str:
    """The status of a unit stopped by conflicts (lines as dicts), quoting the first."""
    first = line_text(conflicts[0]) if conflicts else ""
    if len(conflicts) == 1:
        return _("Dừng, không thay đổi gì: %(first)s", first=first)
    return _(
        "Dừng, không thay đổi gì: %(n)d xung đột không tự giải quyết được. Đầu tiên: %(first)s",
        n=len(conflicts),
        first=first,
    )
