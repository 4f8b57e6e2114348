"""Issue #12's "done when": an interview with a unique word is recorded (virtual microphone),
transcribed, annotated, reviewed through the app's API (a decision and a word fix), exported,
then withdrawn. Afterwards no file under the session, output, export and workspace folders,
nor the SQLite file's bytes, holds that word or the recording's sha256, except the tombstone."""

from __future__ import annotations

import json
import re
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.mic, pytest.mark.slow, pytest.mark.timeout(300)]

#: a word tiny.en spells reliably and nothing else in the pipeline says
WORD = "giraffe"
SPEECH = (
    "I phoned the service desk about my laptop. The agent had a giraffe on her mug, "
    "and the portal was really frustrating."
)
FIX = "Zorblaxian"  # the reviewer's correction: lives only in the workspace and exports
TOKEN = "end-to-end-token-0123456789"


def run(audio_tools, *args: str | Path) -> str:
    r = subprocess.run(
        [*audio_tools.cmd(), *map(str, args)], capture_output=True, text=True, timeout=240
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def holding(roots: list[Path], needles: list[str], allow: set[Path]) -> list[str]:
    """Files (zip members included) that contain any needle, case-insensitively."""
    low = [n.lower().encode() for n in needles]
    found = []
    for root in roots:
        for p in sorted(root.rglob("*")):
            if not p.is_file() or p in allow:
                continue
            data = p.read_bytes()
            blobs = [data]
            if data[:2] == b"PK":
                with zipfile.ZipFile(p) as z:
                    blobs += [z.read(n) for n in z.namelist()]
            hits = [n.decode() for n in low for b in blobs if n in b.lower()]
            if hits:
                found.append(f"{p}: {sorted(set(hits))}")
    return found


def review_in_app(folder: Path) -> None:
    """A reviewer accepts a tag and corrects a word, through the web app's own API."""
    from journeytape.review.app import create_app
    from journeytape.review.store import Workspace

    client = create_app(folder, token=TOKEN, reviewer="rev").test_client()
    assert client.get(f"/?token={TOKEN}").status_code == 303
    html = client.get("/").get_data(as_text=True)
    h = {"X-CSRF-Token": re.search(r'name="csrf-token" content="([0-9a-f]+)"', html).group(1)}
    with Workspace(folder, create=False) as ws:
        (summary,) = ws.interviews()
        view = ws.interview(summary.id)
    tag = view.tags[0]
    r = client.post(f"/api/i/{view.id}/tag/{tag.id}", headers=h, json={"action": "accept"})
    assert r.status_code == 200, r.get_data(as_text=True)
    seg = view.segments[0]
    word = next(w for w in seg.words if w.start_char >= 0)
    r = client.post(
        f"/api/i/{view.id}/word",
        headers=h,
        json={
            "segment_id": seg.id,
            "start_char": word.start_char,
            "end_char": word.end_char,
            "new": FIX,
        },
    )
    assert r.status_code == 200, r.get_data(as_text=True)


def test_withdrawal_leaves_nothing_behind(virtual_mic, audio_tools, tmp_path):
    speech = audio_tools.speech(tmp_path / "speech.wav", SPEECH)
    sessions, out, exports = tmp_path / "sessions", tmp_path / "transcripts", tmp_path / "exports"
    rec = virtual_mic.record(
        "--out", str(sessions), "--pseudonym", "P01", "--consent", "yes", "--rate", "16000"
    )
    rec.wait_started()
    virtual_mic.play(speech)
    rec.send(f"m the {WORD} story")  # a marker label: session.json holds words too
    time.sleep(0.3)
    rec.send("s")
    assert rec.finish() == 0, rec.text
    session = audio_tools.folder(sessions)
    sha = json.loads((session / "session.json").read_text())["audio"]["sha256"]

    run(audio_tools, "transcribe", session, "--out", out, "--model", "tiny.en", "--no-diarize")
    tj = out / f"{session.name}.transcript.json"
    assert WORD in tj.read_text().lower(), tj.read_text()
    run(audio_tools, "guide", "example", "--out", tmp_path / "guide.yaml")
    run(audio_tools, "annotate", out, "--guide", tmp_path / "guide.yaml")
    review_in_app(out)
    run(audio_tools, "export", out, "-f", "csv", "-f", "xlsx", "-f", "qdpx", "-f", "md")
    run(audio_tools, "export", out, *("-f", "timeline", "-f", "csv", "-o", exports))
    roots = [session, out, exports]
    before = holding(roots, [WORD, FIX, sha], set())
    assert any("workspace.sqlite" in h for h in before) and any(".qdpx" in h for h in before)

    text = run(audio_tools, "withdraw", session, "--derived", out, "--yes")
    assert "workspace.sqlite: removed 1 interview(s)" in " ".join(text.split()), text

    tomb = session / "withdrawal.json"
    assert holding(roots, [WORD, FIX, sha], {tomb}) == []
    assert sorted(p.name for p in session.iterdir()) == ["consent.json", "withdrawal.json"]
    assert sha in tomb.read_text() and WORD not in tomb.read_text().lower()
    db = out / ".journeytape" / "workspace.sqlite"
    assert db.exists()  # emptied, not deleted: other interviews' decisions would live here
