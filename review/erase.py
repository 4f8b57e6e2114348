"""Erasure from the review workspace and from exports (registered with
:mod:`journeytape.erasure`).

The workspace SQLite holds copies of the interview's segments, words, tags, a full-text index
and every reviewer decision (word fixes quote the interviewee). Deleting rows is not enough:
SQLite keeps freed pages, FTS5 keeps deleted tokens in older index segments until a merge, and
the WAL keeps old page images. So after the DELETEs the FTS index is rebuilt, the database is
VACUUMed (with ``secure_delete`` on) and the WAL checkpointed and truncated: afterwards no byte
of the file, the ``-wal`` or the ``-shm`` holds the interview.

Exports written by ``journeytape export`` are listed in ``.journeytape/exports.json``
(:func:`journeytape.review.formats.record_export`); one that contained the interview
is written again without it, or removed when nothing else was in it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from journeytape.erasure import Erasure, Subject, register, walk_files

from .store import DB_NAME, WORKSPACE_DIR


def _workspaces(folder: Path) -> list[Path]:
    return [
        p.parent.parent
        for p in walk_files(folder, hidden=True)
        if p.name == DB_NAME and p.parent.name == WORKSPACE_DIR
    ]


def _matches(row: sqlite3.Row, subject: Subject) -> bool:
    """By hash or path; by name only when the row's transcript is gone (an earlier, partial
    withdrawal): a name alone may be another recording's now."""
    if row["transcript_sha256"] in subject.transcript_sha256:
        return True
    if Path(row["name"]).name in subject.names and not Path(row["transcript_path"]).exists():
        return True
    for col in ("transcript_path", "audio_path"):
        p = row[col]
        if not p:
            continue
        rp = Path(p).resolve()
        if rp in subject.transcript_paths or subject.session in rp.parents:
            return True
    return False


def scrub(conn: sqlite3.Connection) -> None:
    """Make deleted rows unrecoverable from the file: FTS merge, VACUUM, WAL truncate."""
    conn.execute("PRAGMA secure_delete=ON")
    conn.execute("INSERT INTO segments_fts(segments_fts) VALUES('rebuild')")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@register("review-workspace")
def erase_workspace(subject: Subject, folder: Path, erasure: Erasure) -> None:
    from .store import Workspace

    for root in _workspaces(folder):
        with Workspace(root, reviewer="withdrawal", create=False) as ws:
            c = ws.conn
            rows = [r for r in c.execute("SELECT * FROM interviews") if _matches(r, subject)]
            if not rows and not _decisions_named(c, subject):
                continue
            c.execute("BEGIN IMMEDIATE")
            counts = {"segments": 0, "tags": 0, "decisions": 0}
            for r in rows:
                subject.names.add(Path(r["name"]).name)
                for table in ("segments", "tags"):
                    cur = c.execute(f"DELETE FROM {table} WHERE interview_id = ?", (r["id"],))
                    counts[table] += cur.rowcount
                c.execute("DELETE FROM segments_fts WHERE interview_id = ?", (r["id"],))
                c.execute("DELETE FROM tag_state WHERE interview_id = ?", (r["id"],))
                c.execute("DELETE FROM interviews WHERE id = ?", (r["id"],))
            for name in {r["name"] for r in rows} | _decisions_named(c, subject):
                cur = c.execute("DELETE FROM decisions WHERE interview = ?", (name,))
                counts["decisions"] += cur.rowcount
            c.execute("COMMIT")
            scrub(c)
        where = ws.db_path.relative_to(folder) if folder in ws.db_path.parents else ws.db_path
        erasure.note(
            folder,
            f"{where}: removed {len(rows)} interview(s), {counts['segments']} segments, "
            f"{counts['tags']} tags, {counts['decisions']} review decisions and their "
            "full-text index entries; vacuumed (WAL truncated)",
        )


def _decisions_named(conn: sqlite3.Connection, subject: Subject) -> set[str]:
    """Decision logs keyed by a name of this interview whose index row is already gone."""
    names = {r[0] for r in conn.execute("SELECT DISTINCT interview FROM decisions")}
    rows = {r[0] for r in conn.execute("SELECT name FROM interviews")}
    return {n for n in names - rows if Path(n).name in subject.names}


@register("exports")
def erase_exports(subject: Subject, folder: Path, erasure: Erasure) -> None:
    from . import formats
    from .store import Workspace

    for root in _workspaces(folder):
        entries = formats.read_manifest(root)
        if not entries:
            continue
        with Workspace(root, reviewer="withdrawal", create=False) as ws:
            indexed = {r[0] for r in ws.conn.execute("SELECT name FROM interviews")}
            for e in entries:
                # erased from the workspace above (a name still indexed is someone else's)
                gone = {
                    n
                    for n in e.get("interviews", [])
                    if Path(n).name in subject.names and n not in indexed
                }
                if not gone:
                    continue
                left = [n for n in e["interviews"] if n not in gone]
                names = [n for n in e["names"] if n not in gone] if e.get("names") else None
                files = [Path(f) for f in e.get("files", [])]
                if not left or (e.get("names") and not names):
                    for f in files:
                        erasure.remove(f, folder, subject)
                    formats.forget_export(root, e["path"])
                    continue
                written = formats.export(
                    ws,
                    e["format"],
                    e["path"],
                    names=names,
                    include_pending=e.get("include_pending", True),
                    include_audio=e.get("include_audio", True),
                )
                for f in files:
                    if f not in written:
                        erasure.remove(f, folder, subject)
                erasure.note(
                    folder,
                    f"rewrote export {e['path']} without the interview ({len(left)} remain)",
                )


@register("review-peaks")
def erase_peaks(subject: Subject, folder: Path, erasure: Erasure) -> None:
    """Waveform peaks cached by the review app (``.journeytape/peaks/``, see media.py): an
    envelope of the recording. Removed when their recording is the session's or is gone (the
    recordings eraser ran first), or when the file cannot be read."""
    import json

    from .media import PEAKS_DIR

    for root in _workspaces(folder):
        for p in sorted((root / WORKSPACE_DIR / PEAKS_DIR).glob("*.json")):
            try:
                audio = Path(json.loads(p.read_text("utf-8"))["audio"])
            except (OSError, ValueError, KeyError, TypeError):
                audio = None
            if audio is None or not audio.exists() or subject.session in audio.resolve().parents:
                erasure.remove(p, folder, subject)
