"""Consent withdrawal and erasure: the one place that knows how to forget an interview.

Every stage that stores interview content registers an *eraser* here (``@register``): a
function that, given the :class:`Subject` (who is being forgotten: the session folder, its
recording sha256s, the transcripts found so far) and one folder, finds what it stored there
for that recording and removes it through :class:`Erasure` (which records what went).
:func:`withdraw` runs the registered erasers over the session folder and every ``--derived``
folder, then empties the session folder except ``consent.json`` (marked withdrawn) and the
tombstone ``withdrawal.json``.

The tombstone lists names, sizes and hashes of what was removed, never any words; a second
withdrawal (e.g. after more derived folders turned up) *appends* to it, so the proof of the
first erasure is never lost.

Erasers live beside the code that writes the data (``transcribe/erase.py``,
``annotate/erase.py``, ``review/erase.py``) and are imported from
:data:`ERASER_MODULES`; they run in registration order, earlier ones feeding the subject
(the transcripts eraser tells the later ones which interview names and transcript hashes
belong to the recording).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journeytape.files import AUDIO_SUFFIXES, atomic_write_json, sha256_file

CONSENT_FILE = "consent.json"
WITHDRAWAL_FILE = "withdrawal.json"
SESSION_FILE = "session.json"
#: recordings, and the recorder's unfinished ones: hashed to find copies of a withdrawn
#: recording; skipped by the residue search (they hold no names or hashes, and are large)
MEDIA_SUFFIXES = AUDIO_SUFFIXES | {".part"}

#: stage modules that register erasers, in the order they must run
ERASER_MODULES = (
    "journeytape.transcribe.erase",
    "journeytape.annotate.erase",
    "journeytape.review.erase",
    "journeytape.map.erase",
)


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


@dataclass
class Subject:
    """The interview being forgotten, and what the erasers learned about it so far."""

    session: Path
    pseudonym: str
    audio_sha256: set[str] = field(default_factory=set)
    #: sha256 of every transcript file made from the recording (annotations link by it)
    transcript_sha256: set[str] = field(default_factory=set)
    transcript_paths: set[Path] = field(default_factory=set)
    #: output names (``2026-11-30_P01``) the recording's transcripts were *found* to have
    #: (never guessed from the folder name: another study's session may share it): reports,
    #: summaries, workspace decisions and exports name interviews by them
    names: set[str] = field(default_factory=set)
    #: byte sizes of the known copies of the recording (to hash only candidate files)
    audio_sizes: set[int] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.session.name

    def recording_matches(self, recording: dict[str, Any]) -> bool:
        """Whether a transcript's ``recording`` block is this session's audio."""
        if recording.get("sha256") in self.audio_sha256:
            return True
        path = str(recording.get("path") or "")
        if not path:
            return False
        p = Path(path)
        try:
            return self.session in p.resolve().parents
        except OSError:
            return False


@dataclass
class Erasure:
    """What one withdrawal removed, folder by folder (the CLI prints it, the tombstone keeps it)."""

    session: Path
    #: folder → human lines ("recording.wav (1.2 MB)", "workspace: 25 segments, 2 decisions")
    actions: dict[str, list[str]] = field(default_factory=dict)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    #: files that still mention the interview after erasure (checked, not guessed): the
    #: CLI tells the user to look at them
    residue: list[str] = field(default_factory=list)

    def note(self, folder: Path, text: str) -> None:
        self.actions.setdefault(str(folder), []).append(text)

    def remove(self, path: Path, folder: Path, subject: Subject | None = None) -> None:
        """Delete one file and record it (name, size, sha256 of audio; never contents)."""
        path = Path(path)
        if not (path.is_file() or path.is_symlink()):
            return
        entry: dict[str, Any] = {"folder": str(folder), "path": _rel(path, folder)}
        try:
            entry["bytes"] = path.stat().st_size
            if path.suffix.lower() in MEDIA_SUFFIXES and path.is_file():
                entry["sha256"] = sha256_file(path)
                if subject is not None:
                    subject.audio_sha256.add(entry["sha256"])
        except OSError:
            pass
        path.unlink()
        self.deleted.append(entry)
        self.note(folder, f"removed {entry['path']}" + _size(entry.get("bytes")))


Eraser = Callable[[Subject, Path, Erasure], None]
_ERASERS: list[tuple[str, Eraser]] = []


def register(name: str) -> Callable[[Eraser], Eraser]:
    """Decorator: ``fn(subject, folder, erasure)`` erases this stage's data in ``folder``."""

    def deco(fn: Eraser) -> Eraser:
        global _ERASERS
        _ERASERS = [(n, f) for n, f in _ERASERS if n != name] + [(name, fn)]
        return fn

    return deco


def erasers() -> list[tuple[str, Eraser]]:
    for mod in ERASER_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:  # a slim install without that stage
            if exc.name != mod:
                raise
    return list(_ERASERS)


def _rel(p: Path, folder: Path) -> str:
    try:
        return str(p.resolve().relative_to(folder.resolve()))
    except ValueError:
        return str(p)


def _size(n: int | None) -> str:
    if n is None:
        return ""
    return f" ({n / 1e6:.1f} MB)" if n >= 100_000 else f" ({n} bytes)"


def walk_files(folder: Path, *, hidden: bool = False) -> list[Path]:
    """Files under ``folder`` (hidden folders skipped unless ``hidden``), deepest first."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        if not hidden:
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        out += [Path(dirpath) / f for f in filenames]
    return sorted(out, key=lambda p: (-len(p.parts), str(p)))


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


@register("recordings")
def erase_recording_copies(subject: Subject, folder: Path, erasure: Erasure) -> None:
    """Copies of the recording elsewhere (e.g. copied beside the transcripts): same sha256.
    Only files of a size some known copy has are hashed, so big folders stay quick."""
    if folder == subject.session:
        return  # emptied as a whole at the end
    for p in walk_files(folder):
        if p.suffix.lower() not in MEDIA_SUFFIXES or not p.is_file():
            continue
        if subject.audio_sizes and p.stat().st_size not in subject.audio_sizes:
            continue
        if sha256_file(p) in subject.audio_sha256:
            erasure.remove(p, folder, subject)


# -- withdrawal -------------------------------------------------------------------------------
@dataclass
class Withdrawal:
    folder: Path
    deleted: list[dict[str, Any]]
    record: Path
    erasure: Erasure


def subject_of(folder: Path) -> Subject:
    """Who is withdrawn: the session's pseudonym and recording hashes, including those a
    previous withdrawal recorded (the audio is gone then, its hash is in the tombstone)."""
    sess = read_json(folder / SESSION_FILE) or {}
    consent = read_json(folder / CONSENT_FILE) or {}
    pseudonym = sess.get("pseudonym") or consent.get("pseudonym") or folder.name.split("_", 1)[-1]
    s = Subject(folder, str(pseudonym))
    if (sess.get("audio") or {}).get("sha256"):
        s.audio_sha256.add(sess["audio"]["sha256"])
    old = read_json(folder / WITHDRAWAL_FILE) or {}
    for d in old.get("deleted") or []:
        if d.get("sha256") and str(d.get("path", "")).lower().endswith(tuple(MEDIA_SUFFIXES)):
            s.audio_sha256.add(d["sha256"])
            if isinstance(d.get("bytes"), int):
                s.audio_sizes.add(d["bytes"])
        if d.get("transcript_sha256"):
            s.transcript_sha256.add(d["transcript_sha256"])
    s.names.update(old.get("names") or [])
    for p in folder.iterdir():
        if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES:
            s.audio_sha256.add(sha256_file(p))
            s.audio_sizes.add(p.stat().st_size)
    return s


def withdraw(
    folder: str | os.PathLike[str],
    reason: str | None = None,
    derived_dirs: list[Path] | tuple[Path, ...] = (),
) -> Withdrawal:
    """Delete a session's audio and everything derived from it; append to the tombstone.

    Kept: ``consent.json`` (marked withdrawn: it proves what was agreed and that it was
    revoked) and ``withdrawal.json`` (what was deleted: names, sizes, hashes; no words).
    """
    folder = Path(folder).resolve()
    if not (folder / CONSENT_FILE).exists() and not (folder / SESSION_FILE).exists():
        raise FileNotFoundError(f"{folder} is not a journeytape session folder")
    subject = subject_of(folder)
    erasure = Erasure(folder)
    roots = [folder, *(Path(d).resolve() for d in derived_dirs)]
    roots = list(dict.fromkeys(roots))
    for _, fn in erasers():
        for root in roots:
            if root.is_dir():
                fn(subject, root, erasure)
    _empty_session(subject, erasure)
    for root in roots:
        if root.is_dir():
            erasure.residue += residue(subject, root)
    record = _append_tombstone(subject, erasure, reason)
    return Withdrawal(folder, erasure.deleted, record, erasure)


def _empty_session(subject: Subject, erasure: Erasure) -> None:
    """Everything in the session folder goes except the consent record and the tombstone,
    including session.json, whose marker labels may describe what the interviewee said."""
    folder = subject.session
    keep = {folder / CONSENT_FILE, folder / WITHDRAWAL_FILE}
    for p in walk_files(folder, hidden=True):
        if p not in keep:
            erasure.remove(p, folder, subject)
    for p in sorted(folder.rglob("*"), key=lambda x: len(x.parts), reverse=True):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)


def _append_tombstone(subject: Subject, erasure: Erasure, reason: str | None) -> Path:
    folder = subject.session
    when = now_iso()
    old = read_json(folder / WITHDRAWAL_FILE)
    record: dict[str, Any] = (
        old
        if isinstance(old, dict) and old.get("format") == "journeytape-withdrawal"
        else {
            "format": "journeytape-withdrawal",
            "pseudonym": subject.pseudonym,
            "withdrawn_at": when,
            "reason": reason,
            "deleted": [],
            "note": "Audio and everything derived from it were deleted at the interviewee's "
            "request. Names, sizes and hashes only; no audio, no text.",
        }
    )
    record["version"] = 2
    record["deleted"] = list(record.get("deleted") or []) + erasure.deleted
    record["names"] = sorted(set(record.get("names") or []) | subject.names)
    record["recording_sha256"] = sorted(
        set(record.get("recording_sha256") or []) | subject.audio_sha256
    )
    runs = list(record.get("runs") or [])
    runs.append(
        {
            "at": when,
            "reason": reason,
            "removed": erasure.actions,
            "deleted_files": len(erasure.deleted),
        }
    )
    record["runs"] = runs
    path = atomic_write_json(folder / WITHDRAWAL_FILE, record)
    consent = read_json(folder / CONSENT_FILE)
    if isinstance(consent, dict):
        first = consent.get("withdrawn") or {"at": when, "reason": reason}
        first["record"] = WITHDRAWAL_FILE
        first["last_at"] = when
        consent["withdrawn"] = first
        atomic_write_json(folder / CONSENT_FILE, consent)
    return path


def residue(subject: Subject, root: Path) -> list[str]:
    """Files under ``root`` (hidden ones included) that still carry the recording's sha256
    or one of its names, zip members included. Reported, never deleted: we only delete
    what a stage can prove it made from this recording."""
    import re
    import zipfile

    words = sorted(s for s in subject.audio_sha256 | subject.names | {subject.name} if len(s) >= 6)
    if not words:
        return []
    # a name must not match inside a longer one (P01 in P01-2)
    pattern = re.compile(
        rb"(?<![\w-])(?:" + b"|".join(re.escape(w.encode()) for w in words) + rb")(?![\w-])"
    )
    found = []
    for p in walk_files(root, hidden=True):
        if p.name in (CONSENT_FILE, WITHDRAWAL_FILE) and p.parent == subject.session:
            continue
        if p.suffix.lower() in MEDIA_SUFFIXES:  # other recordings: gigabytes, no text
            continue
        try:
            data = p.read_bytes()
        except OSError:
            continue
        blobs = [data]
        if data[:2] == b"PK":
            try:
                with zipfile.ZipFile(p) as z:
                    blobs += [
                        z.read(n)
                        for n in z.namelist()
                        if Path(n).suffix.lower() not in MEDIA_SUFFIXES
                    ]
            except (zipfile.BadZipFile, OSError, ValueError):
                pass
        if any(pattern.search(b) for b in blobs):
            found.append(str(p))
    return found


# -- consent scope, for the later stages -------------------------------------------------------
def consent_beside(recording_path: str | os.PathLike[str] | None) -> dict[str, Any] | None:
    """The consent.json of the session a recording belongs to, or None (e.g. phone files)."""
    if not recording_path:
        return None
    d = read_json(Path(recording_path).parent / CONSENT_FILE)
    return d if isinstance(d, dict) else None


def quotes_allowed(recording_path: str | os.PathLike[str] | None) -> bool:
    """False when the interviewee's consent excludes quotes in reports (or was withdrawn)."""
    c = consent_beside(recording_path)
    if c is None:
        return True
    if c.get("withdrawn"):
        return False
    return bool((c.get("scope") or {}).get("quotes_in_reports", True))


def quotes_allowed_for_transcript(transcript_path: str | os.PathLike[str] | None) -> bool:
    """:func:`quotes_allowed` for the recording a transcript JSON was made from."""
    d = read_json(Path(transcript_path)) if transcript_path else None
    rec = d.get("recording") if isinstance(d, dict) else None
    return quotes_allowed(rec.get("path") if isinstance(rec, dict) else None)


QUOTES_WITHHELD = "(quote withheld: the interviewee did not consent to quotes in reports)"
#: tag attributes that repeat the interviewee's words (a score as said, what was expected)
QUOTED_ATTRS = ("raw", "expected", "actual")
QUOTES_NOTE = (
    "Quotes left out: the interviewee did not consent to quotes in reports (consent.json)."
)
