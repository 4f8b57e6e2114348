"""Reading transcripts and annotations into the workspace (the ``interviews``, ``segments``,
``tags`` and search tables).

An interview is re-read only when its transcript's or annotations' sha256 changed; decisions
are never touched (they are keyed by interview name and the annotator's stable tag ids, so
re-annotating keeps them). After a file is read, the search index and each tag's replayed
state are rebuilt from the replayed interview, so corrected words are searchable and the
start page's counts are current.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeytape.annotate.annotations import SUFFIX as ANNOTATIONS_SUFFIX
from journeytape.annotate.annotations import AnnotationsError, load_annotations
from journeytape.files import AUDIO_SUFFIXES, sha256_file
from journeytape.transcribe.transcript import SUFFIX as TRANSCRIPT_SUFFIX
from journeytape.transcribe.transcript import TranscriptError, load_transcript

from . import tag_state
from .views import ScanReport

if TYPE_CHECKING:
    from .store import Workspace


def transcript_files(folder: Path) -> list[Path]:
    """Every ``*.transcript.json`` under the folder, skipping hidden folders."""
    out = []
    for p in sorted(folder.rglob("*" + TRANSCRIPT_SUFFIX)):
        rel = p.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts[:-1]):
            continue
        out.append(p)
    return out


def scan(ws: Workspace, progress: Callable[[str], Any] | None = None) -> ScanReport:
    """Index new and changed files; keep decisions; report decisions left without a tag."""
    report = ScanReport()
    seen: set[str] = set()
    for path in transcript_files(ws.folder):
        name = str(path.relative_to(ws.folder))[: -len(TRANSCRIPT_SUFFIX)]
        seen.add(name)
        try:
            state = index_one(ws, name, path)
        except (TranscriptError, AnnotationsError, OSError) as exc:
            report.errors.append(f"{name}: {exc}")
            state = "error"
        if state != "error":
            getattr(report, state).append(name)
        if progress:
            progress(name)
    for row in ws.conn.execute("SELECT name FROM interviews WHERE present = 1"):
        if row["name"] not in seen:
            report.missing.append(row["name"])
    if report.missing:
        ws.conn.executemany(
            "UPDATE interviews SET present = 0 WHERE name = ?", [(n,) for n in report.missing]
        )
    report.orphans = ws.orphans()
    return report


def index_one(ws: Workspace, name: str, tpath: Path) -> str:
    """(Re-)read one interview's files; "added", "updated" or "unchanged"."""
    apath = tpath.with_name(tpath.name[: -len(TRANSCRIPT_SUFFIX)] + ANNOTATIONS_SUFFIX)
    t_sha = sha256_file(tpath)
    a_sha = sha256_file(apath) if apath.exists() else None
    row = ws.conn.execute("SELECT * FROM interviews WHERE name = ?", (name,)).fetchone()
    if (
        row is not None
        and row["present"]
        and (row["transcript_sha256"], row["annotations_sha256"]) == (t_sha, a_sha)
    ):
        return "unchanged"
    transcript = load_transcript(tpath)
    annotations = load_annotations(apath) if a_sha else None
    values = {
        "transcript_path": str(tpath),
        "transcript_sha256": t_sha,
        "annotations_path": str(apath) if a_sha else None,
        "annotations_sha256": a_sha,
        "audio_path": _str_or_none(find_audio(tpath, transcript.recording)),
        "language": transcript.language,
        "duration": transcript.recording.duration,
        "speakers": json.dumps(
            [{"id": s.id, "label": s.label, "role": s.role} for s in transcript.speakers]
        ),
        "coverage": json.dumps(
            [vars(ci) for ci in annotations.coverage] if annotations else [], ensure_ascii=False
        ),
        "pipeline": json.dumps(annotations.pipeline) if annotations else None,
        "annotated_for": annotated_for(annotations, transcript, t_sha),
    }
    c = ws.conn
    c.execute("BEGIN IMMEDIATE")
    try:
        iid = _upsert_interview(ws, c, name, row, values)
        _write_segments(c, iid, transcript.segments)
        _write_tags(c, iid, annotations.tags if annotations else [])
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    refresh_derived(ws, iid)
    return "added" if row is None else "updated"


def _str_or_none(p: Path | None) -> str | None:
    return str(p) if p else None


def _upsert_interview(
    ws: Workspace, c: sqlite3.Connection, name: str, row: Any, values: dict[str, Any]
) -> int:
    values = {**values, "indexed_at": ws.now(), "present": 1}
    cols = list(values)
    if row is None:
        cur = c.execute(
            f"INSERT INTO interviews({', '.join(cols)}, name) VALUES ({'?,' * len(cols)}?)",
            (*values.values(), name),
        )
        return int(cur.lastrowid or 0)
    c.execute(
        f"UPDATE interviews SET {', '.join(f'{k}=?' for k in cols)} WHERE id=?",
        (*values.values(), row["id"]),
    )
    for table in ("segments", "tags", "tag_state"):
        c.execute(f"DELETE FROM {table} WHERE interview_id = ?", (row["id"],))
    c.execute("DELETE FROM segments_fts WHERE interview_id = ?", (row["id"],))
    return row["id"]


def _write_segments(c: sqlite3.Connection, iid: int, segments: Iterable[Any]) -> None:
    c.executemany(
        "INSERT INTO segments VALUES (?,?,?,?,?,?,?)",
        [
            (iid, s.id, s.start, s.end, s.speaker, s.text,
             json.dumps(locate_words(s.text, s.words), ensure_ascii=False))
            for s in segments
        ],
    )  # fmt: skip


def _write_tags(c: sqlite3.Connection, iid: int, tags: Iterable[Any]) -> None:
    c.executemany(
        "INSERT OR REPLACE INTO tags VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (iid, t.id, t.label, t.value, t.segment_id, t.start_char, t.end_char, t.text,
             t.start, t.end, t.speaker, t.role, t.rule, t.confidence,
             json.dumps(t.attrs, ensure_ascii=False))
            for t in tags
        ],
    )  # fmt: skip


def refresh_derived(ws: Workspace, iid: int) -> None:
    """Rebuild what is derived from the replayed interview: the search index (corrected
    words are found) and every tag's state (what the start page counts)."""
    view = ws.interview(iid, words=False)
    c = ws.conn
    c.execute("BEGIN IMMEDIATE")
    try:
        c.execute("DELETE FROM segments_fts WHERE interview_id = ?", (iid,))
        c.executemany(
            "INSERT INTO segments_fts(text, interview_id, seg_id) VALUES (?,?,?)",
            [(s.text, iid, s.id) for s in view.segments],
        )
        c.execute("DELETE FROM tag_state WHERE interview_id = ?", (iid,))
        c.executemany(
            "INSERT INTO tag_state VALUES (?,?,?,?,?,?,?)",
            [tag_state.state_row(iid, t) for t in view.tags],
        )
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise


def find_audio(tpath: Path, recording: Any) -> Path | None:
    """The recording: where the transcript says, else a file of that name beside it.

    Only an audio/video file of the recorded size qualifies, so a transcript can never
    make the app serve some other file.
    """
    p = Path(recording.path)
    beside = [tpath.parent / p.name] if p.name else []
    candidates = [p, *beside] if p.is_absolute() else [tpath.parent / p, *beside]
    for cand in candidates:
        try:
            ok = (
                cand.suffix.lower() in AUDIO_SUFFIXES
                and cand.is_file()
                and cand.stat().st_size == recording.size_bytes
            )
        except OSError:
            ok = False
        if ok:
            return cand.resolve()
    return None


def locate_words(text: str, words: Iterable[Any]) -> list[list[Any]]:
    """Find each word's character span in the segment text (Whisper words carry spaces)."""
    out, cursor = [], 0
    for w in words:
        token = w.word.strip()
        i = text.find(token, cursor) if token else -1
        if i < 0:
            out.append([w.start, w.end, w.word, -1, -1])
            continue
        out.append([w.start, w.end, w.word, i, i + len(token)])
        cursor = i + len(token)
    return out


def annotated_for(annotations: Any, transcript: Any, t_sha: str) -> str | None:
    """The transcript sha256 the annotations are valid for.

    Annotations name the sha256 of the file they were made from, but the file also changes
    when nothing the tags point at does: `journeytape speakers rename` rewrites the speaker
    list. When every tag's quote is still the text at its offsets, the tags are current.
    """
    if annotations is None:
        return None
    made_for = annotations.transcript.get("sha256")
    if made_for == t_sha:
        return made_for
    texts = {s.id: s.text for s in transcript.segments}
    same = all(
        t.segment_id in texts and texts[t.segment_id][t.start_char : t.end_char] == t.text
        for t in annotations.tags
    )
    return t_sha if same and annotations.tags else made_for
