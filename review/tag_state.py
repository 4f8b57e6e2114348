"""Each tag's state after its decisions (the ``tag_state`` table): what the start page counts
in SQL instead of replaying every interview's log.

Written in the same transaction as the decision it follows (:meth:`Workspace._record`), with
the one replay (:func:`.replay.replay_tag`); rebuilt for a whole interview after indexing
(:func:`.indexer.refresh_derived`) and once when an older workspace is opened.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .replay import TAG_ADD, TAG_EDIT, TAG_STATUS, Decision, add_fits, replay_tag
from .views import TagView

if TYPE_CHECKING:
    from .store import Workspace


def state_row(iid: int, t: TagView) -> tuple[Any, ...]:
    """A replayed tag as a ``tag_state`` row."""
    return (iid, t.id, t.origin, t.label, t.value, t.status, int(t.edited))


def refresh_tag(ws: Workspace, iid: int, tag_id: str) -> None:
    """Replay one tag's decisions into ``tag_state`` (after every decision on it)."""
    decisions = [
        Decision.from_row(d)
        for d in ws.conn.execute(
            "SELECT * FROM decisions WHERE interview = ? AND target = ? AND kind IN (?,?,?)"
            " ORDER BY id",
            (ws.row(iid)["name"], tag_id, TAG_ADD, TAG_STATUS, TAG_EDIT),
        )
    ]
    base = _unreviewed_tag(ws, iid, tag_id, [d for d in decisions if d.kind == TAG_ADD])
    if base is None:
        ws.conn.execute(
            "DELETE FROM tag_state WHERE interview_id = ? AND tag_id = ?", (iid, tag_id)
        )
        return
    t = replay_tag(base, [d for d in decisions if d.kind != TAG_ADD])
    ws.conn.execute("INSERT OR REPLACE INTO tag_state VALUES (?,?,?,?,?,?,?)", state_row(iid, t))


def _unreviewed_tag(ws: Workspace, iid: int, tag_id: str, adds: list[Decision]) -> TagView | None:
    """The tag before status and edits, with what its state needs (label, value, origin);
    None for a deleted or orphaned tag added in review."""
    row = ws.conn.execute(
        "SELECT label, value, attrs FROM tags WHERE interview_id = ? AND tag_id = ?",
        (iid, tag_id),
    ).fetchone()
    if row is not None:
        return TagView(tag_id, row["label"], row["value"], 0, 0, 0, "", 0.0, 0.0, None,
                       None, "", 1.0, json.loads(row["attrs"]))  # fmt: skip
    if not adds or adds[-1].payload.get("deleted"):
        return None
    p = adds[-1].payload
    seg = ws.conn.execute(
        "SELECT text FROM segments WHERE interview_id = ? AND seg_id = ?",
        (iid, p["segment_id"]),
    ).fetchone()
    if not add_fits(p, seg["text"] if seg else None):
        return None
    return TagView(tag_id, p["label"], p.get("value"), p["segment_id"], p["start_char"],
                   p["end_char"], "", 0.0, 0.0, None, None, "", 1.0, {}, origin="user",
                   status="accepted")  # fmt: skip
