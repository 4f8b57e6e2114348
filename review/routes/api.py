"""The JSON API behind the transcript page: every call is one committed decision.

Replies carry the re-rendered segment and side bar, so a click re-renders one segment and
parses only its words (a two-hour interview stays instant)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, render_template

from ..render import interview_parts
from ..web import as_int, body, text, workspace

bp = Blueprint("api", __name__, url_prefix="/api")

_STATUS = {"accept": "accepted", "reject": "rejected", "reset": "pending"}


def _who(data: dict[str, Any]) -> str | None:
    w = text(data, "who", 80)
    return w if w and w.strip() else None


def _span(data: dict[str, Any]) -> tuple[int, int, int]:
    return (
        as_int(data.get("segment_id"), "segment_id"),
        as_int(data.get("start_char"), "start_char"),
        as_int(data.get("end_char"), "end_char"),
    )


def segment_reply(iid: int, seg_id: int, **extra: Any):
    view = workspace().interview(iid, words=[seg_id])
    parts = interview_parts(view)
    seg = view.segment(seg_id)
    return jsonify(
        segment=render_template(
            "_segment.html", v=view, s=seg, seg_tags=parts["by_seg"].get(seg_id, [])
        ),
        sidebar=render_template("_sidebar.html", v=view, **parts),
        **extra,
    )


@bp.post("/i/<int:iid>/tag/<tag_id>")
def tag_action(iid: int, tag_id: str):
    data = body()
    action = text(data, "action", 20)
    if len(tag_id) > 200:
        abort(404, "no such tag")
    w = workspace()
    if action in _STATUS:
        status = _STATUS[action]
        seg_id = w.set_status(iid, tag_id, status, _who(data))
    elif action == "edit":
        label, value = text(data, "label", 40) or "", text(data, "value", 200)
        note = text(data, "note", 2000)
        seg_id, status = w.edit_tag(iid, tag_id, label, value, note, _who(data)), "accepted"
    elif action == "delete":
        seg_id, status = w.delete_tag(iid, tag_id, _who(data)), "deleted"
    else:
        abort(400, "action must be accept, reject, reset, edit or delete")
    return segment_reply(iid, seg_id, tag={"id": tag_id, "status": status})


@bp.post("/i/<int:iid>/tags")
def tag_add(iid: int):
    data = body()
    seg_id, start, end = _span(data)
    label, value = text(data, "label", 40) or "", text(data, "value", 200)
    note = text(data, "note", 2000)
    tid = workspace().add_tag(iid, seg_id, start, end, label, value, note, _who(data))
    return segment_reply(iid, seg_id, tag={"id": tid, "status": "accepted"})


@bp.post("/i/<int:iid>/word")
def word_fix(iid: int):
    data = body()
    seg_id, start, end = _span(data)
    workspace().fix_word(iid, seg_id, start, end, text(data, "new", 500) or "", _who(data))
    return segment_reply(iid, seg_id)


@bp.post("/i/<int:iid>/speaker")
def speaker(iid: int):
    data = body()
    s = workspace().rename_speaker(
        iid, text(data, "speaker", 100) or "", text(data, "label", 100) or "", _who(data)
    )
    return jsonify(speaker=s.id, label=s.label)


@bp.post("/scan")
def rescan():
    r = workspace().scan()
    return jsonify(
        added=r.added, updated=r.updated, missing=r.missing, errors=r.errors,
        orphans=len(r.orphans),
    )  # fmt: skip
