"""The review workspace: a SQLite index of transcripts, annotations and every human decision.

The JSON files stay what the transcriber and the annotator wrote; this database sits beside
them (``<folder>/.journeytape/workspace.sqlite``, hidden so the transcriber skips it) and holds

- an index of the files (segments, words, tags, coverage) rebuilt whenever a file's sha256
  changes, with a full-text index (FTS5) over the segment text for search;
- an append-only log of review decisions (accept/reject/edit a tag, add a tag on selected
  text, fix a word, rename a speaker), each with who and when.

Decisions are applied when reading (:meth:`Workspace.interview`) and in the exports, never
written back into the JSON. Tags are keyed by the annotator's stable ``tag_id``, so
re-annotating keeps every decision; decisions whose tag (or word) no longer exists are kept
and reported by :meth:`Workspace.orphans`. Every write is its own committed transaction in
WAL mode: a crash or a closed browser tab loses nothing that was acknowledged.
"""

from __future__ import annotations

import bisect
import getpass
import hashlib
import json
import re
import sqlite3
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journeytape.annotate.annotations import LABELS, AnnotationsError, Tag, load_annotations
from journeytape.annotate.annotations import SUFFIX as ANNOTATIONS_SUFFIX
from journeytape.files import AUDIO_SUFFIXES, sha256_file
from journeytape.transcribe.transcript import SUFFIX as TRANSCRIPT_SUFFIX
from journeytape.transcribe.transcript import TranscriptError, load_transcript

from .derive import DERIVED, apply_derived, derived_attrs

WORKSPACE_DIR = ".journeytape"
DB_NAME = "workspace.sqlite"
SCHEMA_VERSION = 2

#: decision kinds and what their ``target`` is
TAG_STATUS = "tag_status"  # target: tag id; payload {"status": accepted|rejected|pending}
TAG_EDIT = "tag_edit"  # target: tag id; payload {"label", "value", "note"}
TAG_ADD = "tag_add"  # target: new tag id; payload {"segment_id", "start_char", "end_char", ...}
WORD_FIX = (
    "word_fix"  # target: "seg:start-end"; payload {"segment_id", "start_char", ..., "old", "new"}
)
SPEAKER_RENAME = "speaker_rename"  # target: speaker id; payload {"label"}
KINDS = (TAG_STATUS, TAG_EDIT, TAG_ADD, WORD_FIX, SPEAKER_RENAME)
STATUSES = ("pending", "accepted", "rejected")
#: longest span a word correction replaces, and longest replacement (a phrase, not a page)
MAX_FIX_CHARS = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS interviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,            -- transcript path relative to the folder, no suffix
    transcript_path TEXT NOT NULL,
    transcript_sha256 TEXT NOT NULL,
    annotations_path TEXT,
    annotations_sha256 TEXT,
    audio_path TEXT,                      -- the only files the web app will ever serve
    language TEXT,
    duration REAL,
    speakers TEXT NOT NULL DEFAULT '[]',  -- JSON [{id, label, role}]
    coverage TEXT NOT NULL DEFAULT '[]',  -- JSON [CoverageItem]
    pipeline TEXT,                        -- JSON of the annotator's pipeline or NULL
    present INTEGER NOT NULL DEFAULT 1,   -- 0 when its files disappeared from the folder
    annotated_for TEXT,                   -- transcript sha256 the annotations were made from
    indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS segments (
    interview_id INTEGER NOT NULL REFERENCES interviews(id),
    seg_id INTEGER NOT NULL,
    start REAL NOT NULL,
    end REAL NOT NULL,
    speaker TEXT,
    text TEXT NOT NULL,
    words TEXT NOT NULL,                  -- JSON [[start, end, word, start_char, end_char]]
    PRIMARY KEY (interview_id, seg_id)
);
CREATE TABLE IF NOT EXISTS tags (
    interview_id INTEGER NOT NULL REFERENCES interviews(id),
    tag_id TEXT NOT NULL,
    label TEXT NOT NULL,
    value TEXT,
    seg_id INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    text TEXT NOT NULL,
    start REAL NOT NULL,
    end REAL NOT NULL,
    speaker TEXT,
    role TEXT,
    rule TEXT NOT NULL,
    confidence REAL NOT NULL,
    attrs TEXT NOT NULL,
    PRIMARY KEY (interview_id, tag_id)
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    interview TEXT NOT NULL,              -- interview *name*: survives re-indexing
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_interview ON decisions(interview, kind, target, id);
CREATE VIRTUAL TABLE IF NOT EXISTS segments_fts USING fts5(
    text, interview_id UNINDEXED, seg_id UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


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


class WorkspaceError(ValueError):
    """Bad input to the workspace: unknown interview, tag, label or a span out of range."""


# -- views: what readers (web app, exports) get, with decisions applied --------------------


@dataclass
class WordView:
    index: int
    start: float
    end: float
    word: str
    #: character span within the segment's *original* text (-1 when it could not be located)
    start_char: int
    end_char: int


@dataclass
class Fix:
    start_char: int
    end_char: int
    old: str
    new: str
    who: str
    at: str


@dataclass
class SegmentView:
    id: int
    start: float
    end: float
    speaker: str | None
    #: the transcriber's text; tags and fixes use character offsets into this
    original_text: str
    words: list[WordView]
    fixes: list[Fix] = field(default_factory=list)
    #: text with word fixes applied (what readers see and what exports quote)
    text: str = ""
    _starts: list[int] = field(default_factory=list, repr=False)
    _deltas: list[int] = field(default_factory=list, repr=False)

    def apply_fixes(self, fixes: list[Fix]) -> None:
        """Keep non-overlapping fixes (the latest wins) and compute the displayed text."""
        chosen: list[Fix] = []
        for f in sorted(fixes, key=lambda f: f.at, reverse=True):
            if all(f.end_char <= c.start_char or f.start_char >= c.end_char for c in chosen):
                chosen.append(f)
        chosen.sort(key=lambda f: f.start_char)
        self.fixes = chosen
        parts, pos, delta = [], 0, 0
        self._starts, self._deltas = [], []
        for f in chosen:
            parts.append(self.original_text[pos : f.start_char])
            parts.append(f.new)
            pos = f.end_char
            delta += len(f.new) - (f.end_char - f.start_char)
            self._starts.append(f.end_char)
            self._deltas.append(delta)
        parts.append(self.original_text[pos:])
        self.text = "".join(parts)

    def map_char(self, pos: int, *, end: bool = False) -> int:
        """Map an offset in the original text to the displayed text.

        Offsets inside a fixed word snap to the fix's start (for a span start) or its end
        (for a span end), so a tag never cuts a corrected word in half.
        """
        for f in self.fixes:
            if f.start_char < pos < f.end_char:
                pos = f.end_char if end else f.start_char
                break
        i = bisect.bisect_right(self._starts, pos) - 1
        return pos + (self._deltas[i] if i >= 0 else 0)

    def display(self, start_char: int, end_char: int) -> str:
        return self.text[self.map_char(start_char) : self.map_char(end_char, end=True)]


@dataclass
class TagView(Tag):
    """A tag as the reviewer sees it: the annotator's fields (``text`` is the quote with word
    fixes applied) plus the review state."""

    #: "auto" (from the annotator) or "user" (added in review)
    origin: str = "auto"
    status: str = "pending"
    #: label/value before a human edit (None when not edited)
    original_label: str | None = None
    original_value: str | None = None
    note: str | None = None
    #: who made the latest decision on this tag, and when
    who: str | None = None
    at: str | None = None

    @property
    def edited(self) -> bool:
        return self.original_label is not None

    @property
    def visible(self) -> bool:
        return self.status != "rejected"


@dataclass
class SpeakerView:
    id: str
    label: str
    role: str | None
    original_label: str


@dataclass
class CoverageView:
    item: str
    kind: str
    label: str
    covered: bool
    mentions: int
    first_mention: float | None
    #: seconds at which the interviewer ticked it live in `journeytape record` (None: not)
    ticked_live: float | None = None


@dataclass
class InterviewSummary:
    id: int
    name: str
    status: str  # "transcribed" | "annotated" | "in review" | "reviewed"
    language: str | None
    duration: float | None
    n_tags: int
    n_decided: int
    covered: int
    checklist: int
    audio_path: str | None
    stale: bool = False
    #: speaker names (after renames), for the list's filter
    speakers: list[str] = field(default_factory=list)
    #: checklist item ids this interview covers (after review), for the study summary
    covered_items: list[str] = field(default_factory=list)


@dataclass
class InterviewView:
    id: int
    name: str
    language: str | None
    duration: float | None
    audio_path: str | None
    annotated: bool
    #: the annotations were made from another version of the transcript (re-annotate)
    stale: bool
    pipeline: dict[str, Any] | None
    segments: list[SegmentView]
    tags: list[TagView]
    speakers: dict[str, SpeakerView]
    coverage: list[CoverageView]
    orphans: list[dict[str, Any]]
    #: the interviewee's consent excludes quotes in reports: exports withhold them
    quotes_withheld: bool = False
    #: markers set live in `journeytape record` ({"t", "label"}), from the transcript (1.1)
    markers: list[dict[str, Any]] = field(default_factory=list)

    def speaker_label(self, speaker_id: str | None) -> str:
        if speaker_id is None:
            return "?"
        s = self.speakers.get(speaker_id)
        return s.label if s else speaker_id

    def segment(self, seg_id: int) -> SegmentView:
        for s in self.segments:
            if s.id == seg_id:
                return s
        raise WorkspaceError(f"interview {self.name!r} has no segment {seg_id}")

    def value_label(self, t: TagView) -> str:
        """What a person reads for a tag's value: the checklist item's name for CHANNEL and
        TOUCHPOINT ("laptop delivered", not ``laptop_delivered``), else the value."""
        if t.label in ("CHANNEL", "TOUCHPOINT"):
            for c in self.coverage:
                if c.item == t.value:
                    return c.label
        return t.value or ""

    def checklist_choices(self, kind: str) -> list[tuple[str, str]]:
        """(id, name) of the guide's checklist items of ``kind`` ("channel"/"touchpoint")."""
        return [(c.item, c.label) for c in self.coverage if c.kind == kind]

    def tags_by_segment(self) -> dict[int, list[TagView]]:
        out: dict[int, list[TagView]] = {}
        for t in self.tags:
            out.setdefault(t.segment_id, []).append(t)
        return out


@dataclass
class ScanReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: decisions whose tag or word is gone after a re-index: {"interview", "kind", "target", ...}
    orphans: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Hit:
    interview_id: int
    interview: str
    segment_id: int
    start: float
    end: float
    speaker: str
    #: list of (text, matched) pieces: the caller escapes the text (never trust it as HTML)
    pieces: list[tuple[str, bool]]
    tags: list[TagView]
    #: what a person reads for each tag's value (checklist names), in the order of ``tags``
    names: list[str] = field(default_factory=list)


class Hits(list):
    """Search hits; ``truncated`` says the search stopped at its limit (more exist)."""

    truncated: bool = False
    limit: int = 0


# -- helpers --------------------------------------------------------------------------------


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


def _fts_query(q: str) -> str | None:
    """Turn what a person types into a safe FTS5 query: every word must occur (prefix match)."""
    tokens = re.findall(r"\w+", q, flags=re.UNICODE)
    if not tokens:
        return None
    return " ".join(f'"{t}"*' for t in tokens)


def _speaker_list(t) -> list[dict[str, Any]]:
    return [{"id": s.id, "label": s.label, "role": s.role} for s in t.speakers]


# -- the workspace --------------------------------------------------------------------------


class Workspace:
    """One folder of transcripts and annotations, and its review database.

    A ``Workspace`` holds one SQLite connection; open one per thread (the web app opens one
    per request, which is cheap).
    """

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
        self.conn.executescript(_SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Bring an older workspace up to date; decisions are never touched."""
        cols = {r["name"] for r in self.conn.execute("PRAGMA table_info(interviews)")}
        if "annotated_for" not in cols:  # workspace version 1
            self.conn.execute("ALTER TABLE interviews ADD COLUMN annotated_for TEXT")
            # forget the file hashes so the next scan re-reads every file
            self.conn.execute("UPDATE interviews SET transcript_sha256 = ''")
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

    # -- indexing ---------------------------------------------------------------------------
    def transcript_files(self) -> list[Path]:
        """Every ``*.transcript.json`` under the folder, skipping hidden folders."""
        out = []
        for p in sorted(self.folder.rglob("*" + TRANSCRIPT_SUFFIX)):
            rel = p.relative_to(self.folder)
            if any(part.startswith(".") for part in rel.parts[:-1]):
                continue
            out.append(p)
        return out

    def scan(self, progress=None) -> ScanReport:
        """Index new and changed files; keep decisions; report decisions left without a tag."""
        report = ScanReport()
        seen: set[str] = set()
        files = self.transcript_files()
        for path in files:
            name = str(path.relative_to(self.folder))[: -len(TRANSCRIPT_SUFFIX)]
            seen.add(name)
            try:
                state = self._index_one(name, path)
            except (TranscriptError, AnnotationsError, OSError) as exc:
                report.errors.append(f"{name}: {exc}")
                state = "error"
            if state != "error":
                getattr(report, state).append(name)
            if progress:
                progress(name)
        for row in self.conn.execute("SELECT name FROM interviews WHERE present = 1"):
            if row["name"] not in seen:
                report.missing.append(row["name"])
        if report.missing:
            self.conn.executemany(
                "UPDATE interviews SET present = 0 WHERE name = ?", [(n,) for n in report.missing]
            )
        report.orphans = self.orphans()
        return report

    def _index_one(self, name: str, tpath: Path) -> str:
        apath = tpath.with_name(tpath.name[: -len(TRANSCRIPT_SUFFIX)] + ANNOTATIONS_SUFFIX)
        t_sha = sha256_file(tpath)
        a_sha = sha256_file(apath) if apath.exists() else None
        row = self.conn.execute("SELECT * FROM interviews WHERE name = ?", (name,)).fetchone()
        if (
            row is not None
            and row["present"]
            and row["transcript_sha256"] == t_sha
            and row["annotations_sha256"] == a_sha
        ):
            return "unchanged"
        transcript = load_transcript(tpath)
        annotations = load_annotations(apath) if a_sha else None
        audio = self._find_audio(tpath, transcript.recording)
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            values = (
                str(tpath),
                t_sha,
                str(apath) if a_sha else None,
                a_sha,
                str(audio) if audio else None,
                transcript.language,
                transcript.recording.duration,
                json.dumps(_speaker_list(transcript)),
                json.dumps(
                    [vars(ci) for ci in annotations.coverage] if annotations else [],
                    ensure_ascii=False,
                ),
                json.dumps(annotations.pipeline) if annotations else None,
                _annotated_for(annotations, transcript, t_sha),
                now(),
            )
            if row is None:
                cur = c.execute(
                    "INSERT INTO interviews(transcript_path, transcript_sha256, annotations_path,"
                    " annotations_sha256, audio_path, language, duration, speakers, coverage,"
                    " pipeline, annotated_for, indexed_at, name)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*values, name),
                )
                iid = cur.lastrowid
            else:
                iid = row["id"]
                c.execute(
                    "UPDATE interviews SET transcript_path=?, transcript_sha256=?,"
                    " annotations_path=?, annotations_sha256=?, audio_path=?, language=?,"
                    " duration=?, speakers=?, coverage=?, pipeline=?, annotated_for=?,"
                    " indexed_at=?, present=1 WHERE id=?",
                    (*values, iid),
                )
            for table in ("segments", "tags"):
                c.execute(f"DELETE FROM {table} WHERE interview_id = ?", (iid,))
            c.execute("DELETE FROM segments_fts WHERE interview_id = ?", (iid,))
            c.executemany(
                "INSERT INTO segments VALUES (?,?,?,?,?,?,?)",
                [
                    (
                        iid,
                        s.id,
                        s.start,
                        s.end,
                        s.speaker,
                        s.text,
                        json.dumps(locate_words(s.text, s.words), ensure_ascii=False),
                    )
                    for s in transcript.segments
                ],
            )
            if annotations:
                c.executemany(
                    "INSERT OR REPLACE INTO tags VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        (
                            iid,
                            t.id,
                            t.label,
                            t.value,
                            t.segment_id,
                            t.start_char,
                            t.end_char,
                            t.text,
                            t.start,
                            t.end,
                            t.speaker,
                            t.role,
                            t.rule,
                            t.confidence,
                            json.dumps(t.attrs, ensure_ascii=False),
                        )
                        for t in annotations.tags
                    ],
                )
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        self._reindex_fts(iid)
        return "added" if row is None else "updated"

    def _find_audio(self, tpath: Path, recording) -> Path | None:
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

    def _reindex_fts(self, iid: int) -> None:
        view = self.interview(iid, words=False)
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        c.execute("DELETE FROM segments_fts WHERE interview_id = ?", (iid,))
        c.executemany(
            "INSERT INTO segments_fts(text, interview_id, seg_id) VALUES (?,?,?)",
            [(s.text, iid, s.id) for s in view.segments],
        )
        c.execute("COMMIT")

    # -- reading ------------------------------------------------------------------------------
    def _row(self, iid: int) -> sqlite3.Row:
        row = self.conn.execute("SELECT * FROM interviews WHERE id = ?", (iid,)).fetchone()
        if row is None:
            raise WorkspaceError(f"no interview with id {iid}")
        return row

    def interview_id(self, name: str) -> int:
        row = self.conn.execute("SELECT id FROM interviews WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise WorkspaceError(f"no interview named {name!r} in {self.folder}")
        return row["id"]

    def _decisions(self, name: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM decisions WHERE interview = ? ORDER BY id", (name,)
        ).fetchall()

    def interview(self, iid: int, *, words: bool | Collection[int] = True) -> InterviewView:
        """The interview as a reviewer sees it: every decision applied.

        ``words=False`` skips the word timestamps (most of the work on long interviews) for
        readers that need only texts and tags: the start page, search, orphan reports.
        Tags added in review then carry their segment's times.
        """
        row = self._row(iid)
        name = row["name"]
        decisions = self._decisions(name)
        latest: dict[tuple[str, str], sqlite3.Row] = {}
        for d in decisions:
            latest[(d["kind"], d["target"])] = d

        segments: list[SegmentView] = []
        # words=<segment ids>: word timestamps of those segments only (one decision re-renders
        # one segment: parsing 25,000 words of a two-hour interview for it cost 70 ms)
        every = words is True
        some = set() if isinstance(words, bool) else set(words)
        cols = "seg_id, start, end, speaker, text" + (", words" if every else "")
        parsed: dict[int, str] = {}
        if some:
            marks = ",".join("?" * len(some))
            parsed = {
                r[0]: r[1]
                for r in self.conn.execute(
                    f"SELECT seg_id, words FROM segments WHERE interview_id = ?"
                    f" AND seg_id IN ({marks})",
                    (iid, *some),
                )
            }
        for s in self.conn.execute(
            f"SELECT {cols} FROM segments WHERE interview_id = ? ORDER BY start, seg_id", (iid,)
        ):
            raw = s["words"] if every else parsed.get(s["seg_id"])
            ws = [WordView(i, *w) for i, w in enumerate(json.loads(raw))] if raw else []
            segments.append(
                SegmentView(s["seg_id"], s["start"], s["end"], s["speaker"], s["text"], ws)
            )
        by_id = {s.id: s for s in segments}
        orphans: list[dict[str, Any]] = []

        # word fixes
        fixes: dict[int, list[Fix]] = {}
        for (kind, target), d in latest.items():
            if kind != WORD_FIX:
                continue
            p = json.loads(d["payload"])
            seg = by_id.get(p["segment_id"])
            ok = (
                seg is not None
                and 0 <= p["start_char"] < p["end_char"] <= len(seg.original_text)
                and seg.original_text[p["start_char"] : p["end_char"]] == p["old"]
            )
            if not ok:
                orphans.append({"interview": name, "kind": kind, "target": target, **p})
                continue
            if p["new"] == p["old"]:
                continue  # a fix undone
            fixes.setdefault(p["segment_id"], []).append(
                Fix(p["start_char"], p["end_char"], p["old"], p["new"], d["who"], d["at"])
            )
        for s in segments:
            s.apply_fixes(fixes.get(s.id, []))

        # tags: the annotator's, then the ones people added
        tags: list[TagView] = []
        for t in self.conn.execute(
            "SELECT * FROM tags WHERE interview_id = ? ORDER BY start, seg_id, start_char", (iid,)
        ):
            tags.append(
                TagView(
                    t["tag_id"],
                    t["label"],
                    t["value"],
                    t["seg_id"],
                    t["start_char"],
                    t["end_char"],
                    t["text"],
                    t["start"],
                    t["end"],
                    t["speaker"],
                    t["role"],
                    t["rule"],
                    t["confidence"],
                    json.loads(t["attrs"]),
                )
            )
        known = {t.id for t in tags}
        speakers_json = json.loads(row["speakers"])
        roles = {s["id"]: s.get("role") for s in speakers_json}
        for (kind, target), d in latest.items():
            if kind != TAG_ADD:
                continue
            p = json.loads(d["payload"])
            if p.get("deleted"):
                continue  # its author deleted it
            seg = by_id.get(p["segment_id"])
            if seg is None or p["end_char"] > len(seg.original_text):
                orphans.append({"interview": name, "kind": kind, "target": target, **p})
                continue
            start, end = _span_times(seg, p["start_char"], p["end_char"])
            tags.append(
                TagView(
                    target,
                    p["label"],
                    p.get("value"),
                    seg.id,
                    p["start_char"],
                    p["end_char"],
                    "",
                    start,
                    end,
                    seg.speaker,
                    roles.get(seg.speaker),
                    f"user:{d['who']}",
                    1.0,
                    {**p.get("attrs", {}), **({"note": p["note"]} if p.get("note") else {})},
                    origin="user",
                    status="accepted",
                    who=d["who"],
                    at=d["at"],
                )
            )
            known.add(target)
        tag_by_id = {t.id: t for t in tags}
        for (kind, target), d in latest.items():
            if kind not in (TAG_STATUS, TAG_EDIT):
                continue
            t = tag_by_id.get(target)
            p = json.loads(d["payload"])
            if t is None:
                orphans.append({"interview": name, "kind": kind, "target": target, **p})
                continue
            if kind == TAG_STATUS:
                t.status = p["status"]
            elif p.get("revert"):
                pass  # undone: the annotator's label and value stand again
            else:
                if (p["label"], p.get("value")) != (t.label, t.value):
                    t.original_label, t.original_value = t.label, t.value
                    if "attrs" in p:  # numbers parsed from the new value (derive.py)
                        t.attrs = apply_derived(t.attrs, t.label, p["attrs"])
                    t.label, t.value = p["label"], p.get("value")
                t.note = p.get("note") or t.note
            if t.at is None or d["at"] >= t.at:
                t.who, t.at = d["who"], d["at"]
        for t in tags:
            seg = by_id.get(t.segment_id)
            if seg is not None:
                t.text = seg.display(t.start_char, t.end_char)
        tags.sort(key=lambda t: (t.start, t.segment_id, t.start_char, t.id))

        # speakers with renames
        speakers: dict[str, SpeakerView] = {}
        for s in speakers_json:
            speakers[s["id"]] = SpeakerView(s["id"], s["label"], s.get("role"), s["label"])
        for seg in segments:
            if seg.speaker and seg.speaker not in speakers:
                speakers[seg.speaker] = SpeakerView(seg.speaker, seg.speaker, None, seg.speaker)
        for (kind, target), d in latest.items():
            if kind == SPEAKER_RENAME:
                p = json.loads(d["payload"])
                if target in speakers:
                    speakers[target].label = p["label"]
                else:
                    orphans.append({"interview": name, "kind": kind, "target": target, **p})

        coverage = _coverage(json.loads(row["coverage"]), tags)
        markers = _session_markers(row["transcript_path"]) if words else []
        return InterviewView(
            id=iid,
            name=name,
            language=row["language"],
            duration=row["duration"],
            audio_path=row["audio_path"],
            annotated=row["annotations_sha256"] is not None,
            stale=row["annotations_sha256"] is not None
            and row["annotated_for"] != row["transcript_sha256"],
            pipeline=json.loads(row["pipeline"]) if row["pipeline"] else None,
            segments=segments,
            tags=tags,
            speakers=speakers,
            coverage=coverage,
            orphans=orphans,
            markers=markers,
        )

    def interviews(self, *, include_missing: bool = False) -> list[InterviewSummary]:
        out = []
        sql = "SELECT * FROM interviews" + ("" if include_missing else " WHERE present = 1")
        for row in self.conn.execute(sql + " ORDER BY name"):
            view = self.interview(row["id"], words=False)
            decided = sum(1 for t in view.tags if t.status != "pending")
            if not view.annotated:
                status = "transcribed"
            elif decided == 0:
                status = "annotated"
            elif decided < len(view.tags):
                status = "in review"
            else:
                status = "reviewed"
            out.append(
                InterviewSummary(
                    id=view.id,
                    name=view.name,
                    status=status,
                    language=view.language,
                    duration=view.duration,
                    n_tags=len(view.tags),
                    n_decided=decided,
                    covered=sum(1 for c in view.coverage if c.covered),
                    checklist=len(view.coverage),
                    audio_path=view.audio_path,
                    stale=view.stale,
                    speakers=[s.label for s in view.speakers.values()],
                    covered_items=[c.item for c in view.coverage if c.covered],
                )
            )
        return out

    def audio_path(self, iid: int) -> Path | None:
        """The indexed recording of an interview: the only kind of file the app serves."""
        row = self._row(iid)
        return Path(row["audio_path"]) if row["audio_path"] else None

    def history(self, name: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM decisions", ()
        if name is not None:
            sql, args = sql + " WHERE interview = ?", (name,)
        return [
            {**dict(r), "payload": json.loads(r["payload"])}
            for r in self.conn.execute(sql + " ORDER BY id", args)
        ]

    def orphans(self) -> list[dict[str, Any]]:
        """Decisions whose tag, word or speaker is gone (kept, never deleted)."""
        out = []
        for row in self.conn.execute("SELECT id FROM interviews WHERE present = 1"):
            out.extend(self.interview(row["id"], words=False).orphans)
        return out

    # -- search ----------------------------------------------------------------------------------
    def search(
        self,
        q: str = "",
        *,
        label: str | None = None,
        value: str | None = None,
        role: str | None = None,
        limit: int = 200,
    ) -> Hits:
        """Segments matching the words of ``q`` (any order, prefixes, stemmed) that also carry
        a non-rejected tag with ``label`` (and ``value``, matched as a substring)."""
        fts = _fts_query(q)
        if fts:
            rows = self.conn.execute(
                "SELECT interview_id, seg_id, highlight(segments_fts, 0, char(2), char(3)) AS h"
                " FROM segments_fts WHERE segments_fts MATCH ? ORDER BY rank LIMIT ?",
                (fts, limit * 5 + 1),
            ).fetchall()
            wanted = [(r["interview_id"], r["seg_id"], r["h"]) for r in rows[: limit * 5]]
            capped = len(rows) > limit * 5
        elif label or value or role:
            capped = False
            wanted = [
                (r["interview_id"], r["seg_id"], None)
                for r in self.conn.execute(
                    "SELECT s.interview_id, s.seg_id FROM segments s JOIN interviews i"
                    " ON i.id = s.interview_id WHERE i.present = 1 ORDER BY i.name, s.start"
                )
            ]
        else:
            return Hits()
        views: dict[int, InterviewView] = {}
        hits = Hits()
        hits.limit = limit
        for iid, seg_id, h in wanted:
            if iid not in views:
                row = self.conn.execute(
                    "SELECT present FROM interviews WHERE id = ?", (iid,)
                ).fetchone()
                if not row or not row["present"]:
                    continue
                views[iid] = self.interview(iid, words=False)
            view = views[iid]
            seg_tags = [t for t in view.tags if t.segment_id == seg_id and t.visible]
            if label:
                seg_tags = [t for t in seg_tags if t.label == label]
            if value:
                v = value.casefold()
                seg_tags = [
                    t
                    for t in seg_tags
                    if v in (t.value or "").casefold()
                    or v in str(t.attrs.get("emotion", "")).casefold()
                ]
            if (label or value) and not seg_tags:
                continue
            seg = view.segment(seg_id)
            if (
                role
                and (view.speakers.get(seg.speaker or "") or SpeakerView("", "", None, "")).role
                != role
            ):
                continue
            hits.append(
                Hit(
                    iid,
                    view.name,
                    seg_id,
                    seg.start,
                    seg.end,
                    view.speaker_label(seg.speaker),
                    _pieces(h) if h is not None else [(seg.text, False)],
                    seg_tags,
                    [view.value_label(t) for t in seg_tags],
                )
            )
            if len(hits) > limit:
                hits.pop()
                hits.truncated = True
                break
        hits.truncated = hits.truncated or capped
        return hits

    # -- decisions -------------------------------------------------------------------------------
    def _record(self, iid: int, kind: str, target: str, payload: dict[str, Any], who: str | None):
        name = self._row(iid)["name"]
        who = (who or self.reviewer).strip()[:80] or self.reviewer
        self.conn.execute(
            "INSERT INTO decisions(interview, kind, target, payload, who, at) VALUES (?,?,?,?,?,?)",
            (name, kind, target, json.dumps(payload, ensure_ascii=False), who, now()),
        )

    def _tag(self, view: InterviewView, tag_id: str) -> TagView:
        for t in view.tags:
            if t.id == tag_id:
                return t
        raise WorkspaceError(f"interview {view.name!r} has no tag {tag_id!r}")

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


def _annotated_for(annotations, transcript, t_sha: str) -> str | None:
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


def _span_times(seg: SegmentView, start_char: int, end_char: int) -> tuple[float, float]:
    """Seconds covered by the words overlapping a character span (segment bounds otherwise)."""
    inside = [w for w in seg.words if w.start_char < end_char and w.end_char > start_char]
    if not inside:
        return seg.start, seg.end
    return min(w.start for w in inside), max(w.end for w in inside)


def _pieces(h: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split("[\x02\x03]", h)):
        if part:
            out.append((part, i % 2 == 1))
    return out


def _coverage(items: list[dict[str, Any]], tags: list[TagView]) -> list[CoverageView]:
    """Checklist coverage after review: rejected tags do not count, added/edited ones do."""
    out = []
    for ci in items:
        ids = set(ci.get("tag_ids") or ())
        mentions = [
            t
            for t in tags
            if t.visible
            and (
                (t.id in ids and not t.edited)
                or (t.label in ("CHANNEL", "TOUCHPOINT") and t.value == ci["item"])
            )
        ]
        out.append(
            CoverageView(
                ci["item"],
                ci["kind"],
                ci["label"],
                bool(mentions) or ci.get("ticked_live") is not None,
                len(mentions),
                min((t.start for t in mentions), default=None),
                ci.get("ticked_live"),
            )
        )
    return out


def _session_markers(transcript_path: str) -> list[dict[str, Any]]:
    """The recorder's live markers, read from the transcript file (none when unreadable)."""
    try:
        d = json.loads(Path(transcript_path).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [m for m in d.get("markers") or [] if isinstance(m, dict) and "t" in m]
