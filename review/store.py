"""The review workspace: a SQLite database beside the interviews, and the log of decisions.

The JSON files stay what the transcriber and the annotator wrote; this database sits beside
them (``<folder>/.journeytape/workspace.sqlite``, hidden so the transcriber skips it) and holds

- an index of the files (segments, words, tags, coverage) rebuilt whenever a file's sha256
  changes, with a full-text index (FTS5) over the segment text for search (:mod:`.indexer`);
- an append-only log of review decisions (accept/reject/edit a tag, add a tag on selected
  text, fix a word, rename a speaker), each with who and when (written here);
- each tag's state after its decisions (``tag_state``), refreshed when one is written, so
  the start page counts in SQL (:mod:`.queries`).

Decisions are applied when reading (:mod:`.replay`, pure) and in the exports, never written
back into the JSON. Tags are keyed by the annotator's stable ``tag_id``, so re-annotating
keeps every decision; decisions whose tag (or word) no longer exists are kept and reported
by :meth:`Workspace.orphans`. Every write is its own committed transaction in WAL mode: a
crash or a closed browser tab loses nothing that was acknowledged.

The schema is ``data/schema.sql``; the view classes live in :mod:`.views` and are
re-exported here (``from journeytape.review.store import Workspace, InterviewView``).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from journeytape.annotate.annotations import LABELS

from . import indexer, queries, tag_state
from .derive import DERIVED, derived_attrs
from .indexer import locate_words
from .replay import (
    KINDS,
    SPEAKER_RENAME,
    STATUSES,
    TAG_ADD,
    TAG_EDIT,
    TAG_STATUS,
    WORD_FIX,
)
from .views import (
    CoverageView,
    Fix,
    Hit,
    Hits,
    InterviewSummary,
    InterviewView,
    ScanReport,
    SegmentView,
    SpeakerView,
    TagView,
    WordView,
    WorkspaceError,
)

__all__ = [
    "KINDS", "SPEAKER_RENAME", "STATUSES", "TAG_ADD", "TAG_EDIT", "TAG_STATUS", "WORD_FIX",
    "CoverageView", "Fix", "Hit", "Hits", "InterviewSummary", "InterviewView", "ScanReport",
    "SegmentView", "SpeakerView", "TagView", "WordView", "Workspace", "WorkspaceError",
    "locate_words", "snap_to_words",
]  # fmt: skip

WORKSPACE_DIR = ".journeytape"
DB_NAME = "workspace.sqlite"
#: 3: ``tag_state`` (each tag's replayed state) for the start page's counts
SCHEMA_VERSION = 3
#: longest span a word correction replaces, and longest replacement (a phrase, not a page)
MAX_FIX_CHARS = 200


def schema() -> str:
    """The workspace's tables (``data/schema.sql``)."""
    return files("journeytape.review").joinpath("data/schema.sql").read_text("utf-8")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in containers without a passwd entry
        return "reviewer"


def user_tag_id(interview: str, label: str, seg_id: int, start: int, end: int, value: str | None):
    blob = f"user|{interview}|{label}|{seg_id}|{start}|{end}|{value or ''}|{time.time_ns()}"
    return "u" + hashlib.sha1(blob.encode("utf-8")).hexdigest()[:12]


def _private_db(db_path: Path) -> None:
    """The workspace copies every transcript: folder 0700, database 0600 before SQLite opens
    it (SQLite gives the -wal and -shm files the database's mode); older workspaces made
    with the umask's 0644 are tightened."""
    import os

    from journeytape.files import private_mkdir

    private_mkdir(db_path.parent)
    os.chmod(db_path.parent, 0o700)
    os.close(os.open(db_path, os.O_RDWR | os.O_CREAT, 0o600))
    for p in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm"))):
        if p.exists():
            os.chmod(p, 0o600)


class Workspace:
    """One folder of transcripts and annotations, and its review database.

    A ``Workspace`` holds one SQLite connection; open one per thread (the web app opens one
    per request, which is cheap).
    """

    now = staticmethod(now)

    def __init__(self, folder: str | Path, reviewer: str | None = None, *, create: bool = True):
        self.folder = Path(folder).resolve()
        if not self.folder.is_dir():
            raise WorkspaceError(f"{folder}: not a folder")
        self.reviewer = reviewer or default_reviewer()
        self.db_path = self.folder / WORKSPACE_DIR / DB_NAME
        if create:
            try:
                _private_db(self.db_path)
            except OSError as exc:
                raise WorkspaceError(
                    f"cannot create the review workspace in {self.db_path.parent}: "
                    f"{exc.strerror} (the folder must be writable)"
                ) from None
        elif not self.db_path.exists():
            raise WorkspaceError(f"{folder}: no workspace yet (run `journeytape review` first)")
        self.conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")  # an acknowledged decision is on disk
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.executescript(schema())
        self._migrate()

    def _migrate(self) -> None:
        """Bring an older workspace up to date; decisions are never touched."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        old = int(row["value"]) if row else SCHEMA_VERSION
        cols = {r["name"] for r in self.conn.execute("PRAGMA table_info(interviews)")}
        if "annotated_for" not in cols:  # workspace version 1
            self.conn.execute("ALTER TABLE interviews ADD COLUMN annotated_for TEXT")
            # forget the file hashes so the next scan re-reads every file
            self.conn.execute("UPDATE interviews SET transcript_sha256 = ''")
        if old < 3:  # replay every interview once to fill tag_state
            for r in self.conn.execute("SELECT id FROM interviews").fetchall():
                indexer.refresh_derived(self, r["id"])
        self.conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- indexing (indexer.py) --------------------------------------------------------------
    def transcript_files(self) -> list[Path]:
        """Every ``*.transcript.json`` under the folder, skipping hidden folders."""
        return indexer.transcript_files(self.folder)

    def scan(self, progress: Callable[[str], Any] | None = None) -> ScanReport:
        """Index new and changed files; keep decisions; report decisions left without a tag."""
        return indexer.scan(self, progress)

    # -- reading (queries.py) ---------------------------------------------------------------
    def row(self, iid: int) -> sqlite3.Row:
        """The ``interviews`` row of an interview id (WorkspaceError when there is none)."""
        row = self.conn.execute("SELECT * FROM interviews WHERE id = ?", (iid,)).fetchone()
        if row is None:
            raise WorkspaceError(f"no interview with id {iid}")
        return row

    _row = row

    def interview_id(self, name: str) -> int:
        row = self.conn.execute("SELECT id FROM interviews WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise WorkspaceError(f"no interview named {name!r} in {self.folder}")
        return row["id"]

    def interview(self, iid: int, *, words: bool | Collection[int] = True) -> InterviewView:
        """The interview as a reviewer sees it: every decision applied.

        ``words=False`` skips the word timestamps (most of the work on long interviews) for
        readers that need only texts and tags: search, orphan reports. Tags added in review
        then carry their segment's times.
        """
        return queries.interview(self, iid, words)

    def interviews(self, *, include_missing: bool = False) -> list[InterviewSummary]:
        """The list of interviews with their review progress (SQL; no replay)."""
        return queries.summaries(self.conn, include_missing)

    def orphans(self) -> list[dict[str, Any]]:
        """Decisions whose tag, word or speaker is gone (kept, never deleted)."""
        return queries.orphans(self.conn)

    def search(self, q: str = "", **filters: Any) -> Hits:
        """Segments matching ``q`` with a tag of ``label``/``value``/``role`` (queries.search)."""
        return queries.search(self, q, **filters)

    def audio_path(self, iid: int) -> Path | None:
        """The indexed recording of an interview: the only kind of file the app serves."""
        row = self.row(iid)
        return Path(row["audio_path"]) if row["audio_path"] else None

    def history(self, name: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM decisions", ()
        if name is not None:
            sql, args = sql + " WHERE interview = ?", (name,)
        return [
            {**dict(r), "payload": json.loads(r["payload"])}
            for r in self.conn.execute(sql + " ORDER BY id", args)
        ]

    # -- decisions -------------------------------------------------------------------------------
    def _record(self, iid: int, kind: str, target: str, payload: dict[str, Any], who: str | None):
        """Append one decision (and, for a tag, its replayed state) in one transaction."""
        name = self.row(iid)["name"]
        who = (who or self.reviewer).strip()[:80] or self.reviewer
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute(
                "INSERT INTO decisions(interview, kind, target, payload, who, at)"
                " VALUES (?,?,?,?,?,?)",
                (name, kind, target, json.dumps(payload, ensure_ascii=False), who, now()),
            )
            if kind in (TAG_ADD, TAG_STATUS, TAG_EDIT):
                tag_state.refresh_tag(self, iid, target)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def _tag_segment(self, iid: int, tag_id: str) -> int:
        """The segment of a tag (annotator's or added in review); one cheap query."""
        row = self.conn.execute(
            "SELECT seg_id FROM tags WHERE interview_id = ? AND tag_id = ?", (iid, tag_id)
        ).fetchone()
        if row is not None:
            return row["seg_id"]
        name = self._row(iid)["name"]
        row = self.conn.execute(
            "SELECT payload FROM decisions WHERE interview = ? AND kind = ? AND target = ?",
            (name, TAG_ADD, tag_id),
        ).fetchone()
        if row is None:
            raise WorkspaceError(f"interview {name!r} has no tag {tag_id!r}")
        return json.loads(row["payload"])["segment_id"]

    def _segment_text(self, iid: int, segment_id: int, start_char: int, end_char: int) -> str:
        row = self.conn.execute(
            "SELECT text FROM segments WHERE interview_id = ? AND seg_id = ?", (iid, segment_id)
        ).fetchone()
        if row is None:
            raise WorkspaceError(f"interview {iid} has no segment {segment_id}")
        text = row["text"]
        if not (0 <= start_char < end_char <= len(text)):
            raise WorkspaceError(
                f"span {start_char}-{end_char} is outside segment {segment_id} (0-{len(text)})"
            )
        return text

    def set_status(self, iid: int, tag_id: str, status: str, who: str | None = None) -> int:
        """Accept, reject or reset a tag; return its segment id."""
        if status not in STATUSES:
            raise WorkspaceError(f"status must be one of {', '.join(STATUSES)}")
        seg_id = self._tag_segment(iid, tag_id)
        if status == "pending" and self._edited(iid, tag_id):
            # undo means the annotator's label and value again, not just "undecided"
            self._record(iid, TAG_EDIT, tag_id, {"revert": True}, who)
        self._record(iid, TAG_STATUS, tag_id, {"status": status}, who)
        return seg_id

    def _edited(self, iid: int, tag_id: str) -> bool:
        row = self.conn.execute(
            "SELECT payload FROM decisions WHERE interview = ? AND kind = ? AND target = ?"
            " ORDER BY id DESC LIMIT 1",
            (self._row(iid)["name"], TAG_EDIT, tag_id),
        ).fetchone()
        return row is not None and not json.loads(row["payload"]).get("revert")

    def checklist_value(self, iid: int, label: str, value: str | None) -> str | None:
        """CHANNEL/TOUCHPOINT values are checklist ids: accept the id or the item's name as
        the sidebar shows it ("Phone" → ``phone``), so coverage counts the mention."""
        if label not in ("CHANNEL", "TOUCHPOINT") or not value:
            return value
        kind = label.lower()
        for ci in json.loads(self._row(iid)["coverage"]):
            if ci.get("kind") != kind:
                continue
            if value.casefold() in (str(ci["item"]).casefold(), str(ci["label"]).casefold()):
                return ci["item"]
        return value

    def _derived(self, iid: int, label: str, value: str | None) -> dict[str, Any]:
        """``{"attrs": ...}`` for labels whose numbers come from the value, else ``{}``."""
        if label not in DERIVED:
            return {}
        return {"attrs": derived_attrs(label, value, self._row(iid)["language"])}

    def edit_tag(
        self,
        iid: int,
        tag_id: str,
        label: str,
        value: str | None,
        note: str | None = None,
        who: str | None = None,
    ) -> int:
        """Change a tag's label/value (and note); an edited tag counts as accepted."""
        _check_label(label)
        seg_id = self._tag_segment(iid, tag_id)
        value = self.checklist_value(iid, label, _clean_value(value))
        payload = {"label": label, "value": value, "note": note or None}
        payload.update(self._derived(iid, label, value))
        self._record(iid, TAG_EDIT, tag_id, payload, who)
        self._record(iid, TAG_STATUS, tag_id, {"status": "accepted"}, who)
        return seg_id

    def add_tag(
        self,
        iid: int,
        segment_id: int,
        start_char: int,
        end_char: int,
        label: str,
        value: str | None = None,
        note: str | None = None,
        who: str | None = None,
    ) -> str:
        """Tag a span of a segment's original text; return the new tag's id."""
        _check_label(label)
        text = self._segment_text(iid, segment_id, start_char, end_char)
        start_char, end_char = snap_to_words(text, start_char, end_char)
        value = self.checklist_value(iid, label, _clean_value(value))
        name = self._row(iid)["name"]
        tid = user_tag_id(name, label, segment_id, start_char, end_char, value)
        payload = {
            "segment_id": segment_id,
            "start_char": start_char,
            "end_char": end_char,
            "label": label,
            "value": value,
            "note": note or None,
            "quote": text[start_char:end_char],
            **self._derived(iid, label, value),
        }
        self._record(iid, TAG_ADD, tid, payload, who)
        return tid

    def delete_tag(self, iid: int, tag_id: str, who: str | None = None) -> int:
        """Delete a tag added in review (the annotator's tags are rejected, not deleted:
        the decision says a person disagreed). Returns its segment id."""
        row = self.conn.execute(
            "SELECT payload FROM decisions WHERE interview = ? AND kind = ? AND target = ?"
            " ORDER BY id LIMIT 1",
            (self._row(iid)["name"], TAG_ADD, tag_id),
        ).fetchone()
        if row is None:
            raise WorkspaceError(f"tag {tag_id!r} was not added in review: reject it instead")
        seg_id = json.loads(row["payload"])["segment_id"]
        self._record(iid, TAG_ADD, tag_id, {"deleted": True, "segment_id": seg_id}, who)
        return seg_id

    def fix_word(
        self,
        iid: int,
        segment_id: int,
        start_char: int,
        end_char: int,
        new: str,
        who: str | None = None,
    ) -> SegmentView:
        """Replace the text at a span of the original segment text (a misheard word)."""
        text = self._segment_text(iid, segment_id, start_char, end_char)
        if not isinstance(new, str):
            raise WorkspaceError("the correction must be text")
        new = " ".join(new.split())
        if not new:
            raise WorkspaceError("the corrected word is empty")
        if len(new) > MAX_FIX_CHARS or end_char - start_char > MAX_FIX_CHARS:
            raise WorkspaceError(
                f"a correction replaces at most {MAX_FIX_CHARS} characters with at most "
                f"{MAX_FIX_CHARS} (got {end_char - start_char} → {len(new)})"
            )
        payload = {
            "segment_id": segment_id,
            "start_char": start_char,
            "end_char": end_char,
            "old": text[start_char:end_char],
            "new": new,
        }
        self._record(iid, WORD_FIX, f"{segment_id}:{start_char}-{end_char}", payload, who)
        seg = self.interview(iid, words=False).segment(segment_id)
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        c.execute(
            "DELETE FROM segments_fts WHERE interview_id = ? AND seg_id = ?", (iid, segment_id)
        )
        c.execute(
            "INSERT INTO segments_fts(text, interview_id, seg_id) VALUES (?,?,?)",
            (seg.text, iid, segment_id),
        )
        c.execute("COMMIT")
        return seg

    def rename_speaker(self, iid: int, speaker_id: str, label: str, who: str | None = None):
        if not isinstance(label, str) or not isinstance(speaker_id, str):
            raise WorkspaceError("the speaker and the new name must be text")
        label = " ".join(label.split())[:80]
        if not label:
            raise WorkspaceError("the speaker's name is empty")
        if speaker_id not in self.interview(iid, words=False).speakers:
            raise WorkspaceError(f"no speaker {speaker_id!r}")
        self._record(iid, SPEAKER_RENAME, speaker_id, {"label": label}, who)
        return self.interview(iid, words=False).speakers[speaker_id]


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole words ("ort" in "portal" → "portal"): a tag on half a word
    quotes nonsense and never matches the annotator's tags."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


def _check_label(label: str) -> None:
    if label not in LABELS:
        raise WorkspaceError(f"label must be one of {', '.join(LABELS)} (got {label!r})")


def _clean_value(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())[:200]
    return value or None
