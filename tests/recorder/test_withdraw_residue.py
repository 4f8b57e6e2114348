"""What withdrawal cannot prove it made is reported, never deleted: the command lists files
that still mention the recording and exits 5."""

from __future__ import annotations

import subprocess
import sys

from journeytape.consent import ConsentRecord, purpose_text
from journeytape.files import atomic_write_json, sha256_file


def test_files_still_naming_the_interview_are_listed_and_kept(tmp_path):
    session = tmp_path / "sessions" / "2026-11-30_P07"
    session.mkdir(parents=True)
    (session / "recording.wav").write_bytes(b"RIFF not really audio, but bytes with a hash")
    sha = sha256_file(session / "recording.wav")
    ConsentRecord("P07", purpose_text()).save(session)
    atomic_write_json(session / "session.json", {"pseudonym": "P07", "audio": {"sha256": sha}})
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "log.txt").write_text("2026-11-30_P07 transcribed by hand\n")
    (notes / "other.txt").write_text("2026-11-30_P07-2 is someone else\n")

    r = subprocess.run(
        [sys.executable, "-m", "journeytape", "withdraw", str(session), "--yes"]
        + ["--derived", str(notes)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = " ".join(r.stdout.split())
    assert r.returncode == 5, r.stdout + r.stderr
    assert "log.txt" in out and "other.txt" not in out
    assert (notes / "log.txt").exists()
    assert sorted(p.name for p in session.iterdir()) == ["consent.json", "withdrawal.json"]
