"""Withdrawal reaches every derived folder: transcripts, annotations, reports, the summary,
the review workspace (rows, full-text index, decisions, the SQLite file's bytes) and exports;
a second withdrawal appends to the tombstone."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from journeytape.annotate.annotations import load_annotations
from journeytape.annotate.report import write_reports, write_summary
from journeytape.consent import ConsentRecord, purpose_text
from journeytape.files import atomic_write_json, sha256_file
from journeytape.review import formats
from journeytape.review.store import Workspace

UNIQUE = "Zorblaxian"  # only in the reviewer's word fix of onboarding_en
SPOKEN = "Honestly"  # only in onboarding_en's own text


def _contains(path: Path, needle: bytes) -> bool:
    data = path.read_bytes()
    blobs = [data]
    if data[:2] == b"PK":
        with zipfile.ZipFile(path) as z:
            blobs += [z.read(n) for n in z.namelist()]
    return any(needle in b for b in blobs)


def _hits(roots: list[Path], needle: str, allow: set[Path]) -> list[Path]:
    return [
        p
        for r in roots
        for p in sorted(r.rglob("*"))
        if p.is_file() and p not in allow and _contains(p, needle.encode())
    ]


def _session_for(folder: Path, root: Path) -> Path:
    """A recorder session folder holding the audio onboarding_en was transcribed from."""
    session = root / "2026-11-30_P01"
    session.mkdir(parents=True)
    shutil.copy(folder / "onboarding_en.wav", session / "recording.wav")
    sha = sha256_file(session / "recording.wav")
    ConsentRecord("P01", purpose_text()).save(session)
    atomic_write_json(session / "session.json", {"pseudonym": "P01", "audio": {"sha256": sha}})
    return session


def _derive_everything(folder: Path, elsewhere: Path) -> None:
    """What a study makes from an interview: reports, the summary, review decisions, a word
    fix with a unique word, a renamed speaker, and exports inside and outside the folder."""
    named = []
    for a in sorted(folder.glob("*.annotations.json")):
        ann = load_annotations(a)
        name = a.name.removesuffix(".annotations.json")
        write_reports(ann, name, folder)
        named.append((name, ann))
    write_summary(named, folder)
    # a review: decisions on both interviews, a word fix with a unique word
    with Workspace(folder, "alice") as ws:
        ws.scan()
        iid = ws.interview_id("onboarding_en")
        v = ws.interview(iid)
        ws.set_status(iid, v.tags[0].id, "accepted")
        j = v.segment(1).original_text.index("portal")
        ws.fix_word(iid, 1, j, j + 6, UNIQUE)
        ws.rename_speaker(iid, "SPEAKER_01", "Anna")
        nl = ws.interview_id("laptop_nl")
        ws.set_status(nl, ws.interview(nl).tags[0].id, "rejected")
        # exports inside the folder and one elsewhere
        formats.export(ws, "csv", folder / "exports" / "excerpts.csv")
        formats.export(ws, "qdpx", folder / "exports" / "study.qdpx")
        formats.export(ws, "md", elsewhere / "report.md", names=["onboarding_en"])


def test_withdraw_erases_every_derived_copy_and_appends_the_tombstone(folder, tmp_path):
    session = _session_for(folder, tmp_path / "sessions")
    sha = sha256_file(session / "recording.wav")
    _derive_everything(folder, tmp_path / "elsewhere")
    roots = [session, folder, tmp_path / "elsewhere"]
    assert _hits(roots, UNIQUE, set()) and _hits(roots, SPOKEN, set())

    cmd = [sys.executable, "-m", "journeytape", "withdraw", str(session), "--yes"]
    r = subprocess.run(
        [*cmd, "--derived", str(folder), "--reason", "asked by mail"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    out = " ".join(r.stdout.split())
    assert str(folder) in out and "removed onboarding_en.transcript.json" in out
    assert "removed 1 interview(s)" in out and "3 review decisions" in out
    assert "rebuilt annotations-summary.*" in out and "report.md" in out

    tomb = session / "withdrawal.json"
    allow = {tomb}
    for needle in (UNIQUE, SPOKEN, sha, "Anna"):
        assert _hits(roots, needle, allow) == [], needle
    db = folder / ".journeytape" / "workspace.sqlite"
    for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if p.exists():  # lower case: the full-text index keeps folded tokens
            data = p.read_bytes().lower()
            assert UNIQUE.lower().encode() not in data and b"honest" not in data, p
    # the other interview is untouched
    with Workspace(folder, create=False) as ws:
        assert [s.name for s in ws.interviews(include_missing=True)] == [
            "later/only_transcribed",
            "laptop_nl",
        ] or {s.name for s in ws.interviews(include_missing=True)} == {
            "later/only_transcribed",
            "laptop_nl",
        }
        assert len(ws.history("laptop_nl")) == 1 and ws.search("portaal")
    assert "laptop_nl" in (folder / "annotations-summary.csv").read_text()
    assert "onboarding_en" not in (folder / "annotations-summary.md").read_text()
    assert "laptop_nl" in (folder / "exports" / "excerpts.csv").read_text()
    assert not (tmp_path / "elsewhere" / "report.md").exists()
    assert (folder / "laptop_nl.report.html").exists()
    assert sorted(p.name for p in session.iterdir()) == ["consent.json", "withdrawal.json"]

    first = json.loads(tomb.read_text())
    assert first["reason"] == "asked by mail" and sha in first["recording_sha256"]
    assert SPOKEN not in tomb.read_text() and UNIQUE not in tomb.read_text()
    # a second withdrawal (a folder turned up later) appends, never replaces
    later = tmp_path / "later-copy"
    later.mkdir()
    shutil.copy(folder / "laptop_nl.transcript.json", later / "keep.transcript.json")
    (later / "p01.transcript.json").write_text(json.dumps({"recording": {"sha256": sha}}))
    r = subprocess.run([*cmd, "--derived", str(later)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    second = json.loads(tomb.read_text())
    assert second["withdrawn_at"] == first["withdrawn_at"] and len(second["runs"]) == 2
    assert second["deleted"][: len(first["deleted"])] == first["deleted"]
    assert {d["path"] for d in second["deleted"][len(first["deleted"]) :]} == {
        "p01.transcript.json"
    }
    assert sorted(p.name for p in later.iterdir()) == ["keep.transcript.json"]


def test_a_session_of_the_same_name_in_another_study_is_left_alone(folder, tmp_path):
    """Study A's P01 and study B's P01 share a folder name; in one output folder they are
    2026-11-30_P01 and 2026-11-30_P01-3. Withdrawing B's must not touch A's by name."""
    names = {"onboarding_en": "2026-11-30_P01", "laptop_nl": "2026-11-30_P01-3"}
    for old, new in names.items():
        for p in folder.glob(f"{old}.*"):
            if not p.name.endswith(".wav"):
                p.rename(folder / (new + p.name[len(old) :]))
    session_b = tmp_path / "study-b" / "2026-11-30_P01"
    session_b.mkdir(parents=True)
    shutil.copy(folder / "laptop_nl.wav", session_b / "recording.wav")
    (folder / "laptop_nl.wav").unlink()
    ConsentRecord("P01", purpose_text()).save(session_b)
    sha = sha256_file(session_b / "recording.wav")
    atomic_write_json(session_b / "session.json", {"pseudonym": "P01", "audio": {"sha256": sha}})
    with Workspace(folder, "alice") as ws:
        ws.scan()
        for name in names.values():
            iid = ws.interview_id(name)
            ws.set_status(iid, ws.interview(iid).tags[0].id, "accepted")
        formats.export(ws, "csv", folder / "exports" / "excerpts.csv")

    from journeytape.erasure import withdraw

    withdraw(session_b, derived_dirs=[folder])
    assert (folder / "2026-11-30_P01.transcript.json").exists()
    assert (folder / "2026-11-30_P01.annotations.json").exists()
    assert not list(folder.glob("2026-11-30_P01-3.*"))
    with Workspace(folder, create=False) as ws:
        assert {s.name for s in ws.interviews()} == {"2026-11-30_P01", "later/only_transcribed"}
        assert len(ws.history("2026-11-30_P01")) == 1
        assert ws.history("2026-11-30_P01-3") == []
    rows = (folder / "exports" / "excerpts.csv").read_text()
    assert "2026-11-30_P01," in rows and "2026-11-30_P01-3" not in rows
