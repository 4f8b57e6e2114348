"""Reading the workspace: one interview replayed, the list of interviews, search, orphans.

The list (the start page) is computed in SQL from ``tag_state`` (each tag's replayed state,
kept current when a decision is written) and the interviews' coverage JSON: opening the
start page no longer replays every interview's decision log in Python.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .replay import (
    SPEAKER_RENAME,
    TAG_ADD,
    TAG_EDIT,
    TAG_STATUS,
    WORD_FIX,
    Decision,
    add_fits,
    fix_fits,
    replay_interview,
)
from .views import (
    Hit,
    Hits,
    InterviewSummary,
    InterviewView,
    SegmentView,
    SpeakerView,
    TagView,
    WordView,
)

if TYPE_CHECKING:
    from .store import Workspace


# -- one interview --------------------------------------------------------------------------


def interview(ws: Workspace, iid: int, words: bool | Collection[int] = True) -> InterviewView:
    """The interview as a reviewer sees it: every decision applied (see :mod:`.replay`)."""
    row = ws.row(iid)
    decisions = [
        Decision.from_row(d)
        for d in ws.conn.execute(
            "SELECT * FROM decisions WHERE interview = ? ORDER BY id", (row["name"],)
        )
    ]
    markers = session_markers(row["transcript_path"]) if words else []
    return replay_interview(
        row, _segments(ws.conn, iid, words), _base_tags(ws.conn, iid), decisions, markers
    )


def _segments(c: sqlite3.Connection, iid: int, words: bool | Collection[int]) -> list[SegmentView]:
    """Segments as transcribed; word timestamps for all (``True``), none, or some segments
    (one decision re-renders one segment: parsing 25,000 words of a two-hour interview for
    it cost 70 ms)."""
    every = words is True
    some = set() if isinstance(words, bool) else set(words)
    parsed: dict[int, str] = {}
    if some:
        marks = ",".join("?" * len(some))
        parsed = dict(
            c.execute(
                "SELECT seg_id, words FROM segments WHERE interview_id = ?"
                f" AND seg_id IN ({marks})",
                (iid, *some),
            ).fetchall()
        )
    cols = "seg_id, start, end, speaker, text" + (", words" if every else "")
    out = []
    for s in c.execute(
        f"SELECT {cols} FROM segments WHERE interview_id = ? ORDER BY start, seg_id", (iid,)
    ):
        raw = s["words"] if every else parsed.get(s["seg_id"])
        ws_ = [WordView(i, *w) for i, w in enumerate(json.loads(raw))] if raw else []
        out.append(SegmentView(s["seg_id"], s["start"], s["end"], s["speaker"], s["text"], ws_))
    return out


def _base_tags(c: sqlite3.Connection, iid: int) -> list[TagView]:
    """The annotator's tags as indexed (before any decision)."""
    return [
        TagView(
            t["tag_id"], t["label"], t["value"], t["seg_id"], t["start_char"], t["end_char"],
            t["text"], t["start"], t["end"], t["speaker"], t["role"], t["rule"],
            t["confidence"], json.loads(t["attrs"]),
        )
        for t in c.execute(
            "SELECT * FROM tags WHERE interview_id = ? ORDER BY start, seg_id, start_char", (iid,)
        )
    ]  # fmt: skip


def session_markers(transcript_path: str) -> list[dict[str, Any]]:
    """The recorder's live markers, read from the transcript file (none when unreadable)."""
    try:
        d = json.loads(Path(transcript_path).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [m for m in d.get("markers") or [] if isinstance(m, dict) and "t" in m]


# -- the list of interviews (SQL, no replay) -------------------------------------------------

_SUMMARY_SQL = """
SELECT i.id, i.name, i.language, i.duration, i.audio_path,
       i.annotations_sha256 IS NOT NULL AS annotated,
       i.annotations_sha256 IS NOT NULL AND i.annotated_for IS NOT i.transcript_sha256 AS stale,
       json_array_length(i.coverage) AS checklist,
       (SELECT count(*) FROM tag_state s WHERE s.interview_id = i.id) AS n_tags,
       (SELECT count(*) FROM tag_state s WHERE s.interview_id = i.id
         AND s.status != 'pending') AS n_decided
FROM interviews i {where} ORDER BY i.name
"""

#: checklist items covered after review: ticked live, or a tag that is not rejected and is
#: either one the annotator counted for the item (not edited since) or a CHANNEL/TOUCHPOINT
#: whose (edited) value is the item's id (the rule of replay.coverage)
_COVERED_SQL = """
SELECT i.id, json_extract(c.value, '$.item') AS item
FROM interviews i, json_each(i.coverage) c
WHERE json_extract(c.value, '$.ticked_live') IS NOT NULL OR EXISTS (
    SELECT 1 FROM tag_state s
    WHERE s.interview_id = i.id AND s.status != 'rejected' AND (
        (s.edited = 0 AND s.tag_id IN (SELECT value FROM json_each(c.value, '$.tag_ids')))
        OR (s.label IN ('CHANNEL', 'TOUCHPOINT') AND s.value = json_extract(c.value, '$.item'))
    )
)
ORDER BY i.id, c.key
"""

#: speaker names after renames: the transcript's list, then speakers only segments name
_SPEAKERS_SQL = """
WITH renamed AS (
    SELECT interview, target, payload,
           row_number() OVER (PARTITION BY interview, target ORDER BY id DESC) AS n
    FROM decisions WHERE kind = 'speaker_rename'
), listed AS (
    SELECT i.id, i.name, json_extract(sp.value, '$.id') AS speaker,
           json_extract(sp.value, '$.label') AS label, sp.key AS pos
    FROM interviews i, json_each(i.speakers) sp
), extra AS (
    SELECT s.interview_id AS id, i.name, s.speaker, s.speaker AS label,
           1000000 + min(s.start) AS pos
    FROM segments s JOIN interviews i ON i.id = s.interview_id
    WHERE s.speaker IS NOT NULL AND s.speaker NOT IN (
        SELECT json_extract(value, '$.id') FROM json_each(i.speakers))
    GROUP BY s.interview_id, s.speaker
)
SELECT a.id, coalesce(json_extract(r.payload, '$.label'), a.label) AS label
FROM (SELECT * FROM listed UNION ALL SELECT * FROM extra) a
LEFT JOIN renamed r ON r.interview = a.name AND r.target = a.speaker AND r.n = 1
ORDER BY a.id, a.pos
"""


def summaries(c: sqlite3.Connection, include_missing: bool = False) -> list[InterviewSummary]:
    """The start page's list: status, counts and coverage per interview, all from SQL."""
    covered: dict[int, list[str]] = {}
    for r in c.execute(_COVERED_SQL):
        covered.setdefault(r["id"], []).append(r["item"])
    speakers: dict[int, list[str]] = {}
    for r in c.execute(_SPEAKERS_SQL):
        speakers.setdefault(r["id"], []).append(r["label"])
    where = "" if include_missing else "WHERE i.present = 1"
    out = []
    for r in c.execute(_SUMMARY_SQL.format(where=where)):
        out.append(
            InterviewSummary(
                id=r["id"],
                name=r["name"],
                status=_status(bool(r["annotated"]), r["n_tags"], r["n_decided"]),
                language=r["language"],
                duration=r["duration"],
                n_tags=r["n_tags"],
                n_decided=r["n_decided"],
                covered=len(covered.get(r["id"], [])),
                checklist=r["checklist"],
                audio_path=r["audio_path"],
                stale=bool(r["stale"]),
                speakers=speakers.get(r["id"], []),
                covered_items=covered.get(r["id"], []),
            )
        )
    return out


def _status(annotated: bool, n_tags: int, n_decided: int) -> str:
    if not annotated:
        return "transcribed"
    if n_decided == 0:
        return "annotated"
    return "in review" if n_decided < n_tags else "reviewed"


# -- orphans (SQL for the candidates, replay's rules to judge them) --------------------------

_LATEST_SQL = """
SELECT d.*, i.id AS iid, seg.text AS seg_text, st.tag_id IS NOT NULL AS has_tag,
       i.speakers AS speakers,
       CASE WHEN d.kind = 'speaker_rename' THEN EXISTS (
           SELECT 1 FROM segments s2 WHERE s2.interview_id = i.id AND s2.speaker = d.target
       ) END AS seg_speaker
FROM decisions d
JOIN interviews i ON i.name = d.interview AND i.present = 1
LEFT JOIN segments seg ON seg.interview_id = i.id
     AND seg.seg_id = json_extract(d.payload, '$.segment_id')
LEFT JOIN tag_state st ON st.interview_id = i.id AND st.tag_id = d.target
WHERE d.id IN (SELECT max(id) FROM decisions GROUP BY interview, kind, target)
ORDER BY i.id, d.id
"""


def orphans(c: sqlite3.Connection) -> list[dict[str, Any]]:
    """Decisions whose tag, word or speaker is gone (kept, never deleted)."""
    out = []
    for r in c.execute(_LATEST_SQL):
        d = Decision.from_row(r)
        if _is_orphan(d, r):
            out.append(
                {"interview": r["interview"], "kind": d.kind, "target": d.target, **d.payload}
            )
    return out


def _is_orphan(d: Decision, r: sqlite3.Row) -> bool:
    if d.kind == WORD_FIX:
        return not fix_fits(d.payload, r["seg_text"])
    if d.kind == TAG_ADD:
        return not d.payload.get("deleted") and not add_fits(d.payload, r["seg_text"])
    if d.kind in (TAG_STATUS, TAG_EDIT):
        return not r["has_tag"]
    if d.kind == SPEAKER_RENAME:
        listed = {s["id"] for s in json.loads(r["speakers"])}
        return d.target not in listed and not r["seg_speaker"]
    return False


# -- search ----------------------------------------------------------------------------------


def fts_query(q: str) -> str | None:
    """Turn what a person types into a safe FTS5 query: every word must occur (prefix match)."""
    tokens = re.findall(r"\w+", q, flags=re.UNICODE)
    if not tokens:
        return None
    return " ".join(f'"{t}"*' for t in tokens)


def _wanted(c: sqlite3.Connection, q: str, filtered: bool, limit: int):
    """(interview id, segment id, highlighted text or None) candidates, and whether the
    full-text search stopped at its cap."""
    fts = fts_query(q)
    if fts:
        rows = c.execute(
            "SELECT interview_id, seg_id, highlight(segments_fts, 0, char(2), char(3)) AS h"
            " FROM segments_fts WHERE segments_fts MATCH ? ORDER BY rank LIMIT ?",
            (fts, limit * 5 + 1),
        ).fetchall()
        return [(r["interview_id"], r["seg_id"], r["h"]) for r in rows[: limit * 5]], len(
            rows
        ) > limit * 5
    if filtered:
        rows = c.execute(
            "SELECT s.interview_id, s.seg_id FROM segments s JOIN interviews i"
            " ON i.id = s.interview_id WHERE i.present = 1 ORDER BY i.name, s.start"
        ).fetchall()
        return [(r["interview_id"], r["seg_id"], None) for r in rows], False
    return [], False


def _matching_tags(
    view: InterviewView, seg_id: int, label: str | None, value: str | None
) -> list[TagView]:
    seg_tags = [t for t in view.tags if t.segment_id == seg_id and t.visible]
    if label:
        seg_tags = [t for t in seg_tags if t.label == label]
    if value:
        v = value.casefold()
        seg_tags = [
            t
            for t in seg_tags
            if v in (t.value or "").casefold() or v in str(t.attrs.get("emotion", "")).casefold()
        ]
    return seg_tags


def search(
    ws: Workspace,
    q: str = "",
    *,
    label: str | None = None,
    value: str | None = None,
    role: str | None = None,
    limit: int = 200,
) -> Hits:
    """Segments matching the words of ``q`` (any order, prefixes, stemmed) that also carry
    a non-rejected tag with ``label`` (and ``value``, matched as a substring)."""
    wanted, capped = _wanted(ws.conn, q, bool(label or value or role), limit)
    views: dict[int, InterviewView | None] = {}
    hits = Hits()
    hits.limit = limit
    for iid, seg_id, h in wanted:
        if iid not in views:
            row = ws.conn.execute("SELECT present FROM interviews WHERE id = ?", (iid,)).fetchone()
            present = bool(row and row["present"])
            views[iid] = interview(ws, iid, words=False) if present else None
        view = views[iid]
        if view is None:
            continue
        seg_tags = _matching_tags(view, seg_id, label, value)
        if (label or value) and not seg_tags:
            continue
        seg = view.segment(seg_id)
        speaker = view.speakers.get(seg.speaker or "") or SpeakerView("", "", None, "")
        if role and speaker.role != role:
            continue
        pieces = _pieces(h) if h is not None else [(seg.text, False)]
        names = [view.value_label(t) for t in seg_tags]
        hits.append(
            Hit(iid, view.name, seg_id, seg.start, seg.end, view.speaker_label(seg.speaker),
                pieces, seg_tags, names)
        )  # fmt: skip
        if len(hits) > limit:
            hits.pop()
            hits.truncated = True
            break
    hits.truncated = hits.truncated or capped
    return hits


def _pieces(h: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split("[\x02\x03]", h)):
        if part:
            out.append((part, i % 2 == 1))
    return out
