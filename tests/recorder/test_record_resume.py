"""`journeytape record --resume SESSION`: after kill -9 the session goes on in the same folder,
consent kept, the new part joined losslessly after the old audio, the gap recorded."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import soundfile as sf

pytestmark = [pytest.mark.mic, pytest.mark.timeout(150)]

BASE = ["--consent", "yes", "--rate", "16000"]


def _loud_frames(x: np.ndarray) -> np.ndarray:
    """Indices of loud 10 ms frames."""
    frames = np.abs(x[: len(x) // 160 * 160]).reshape(-1, 160).max(axis=1)
    return np.flatnonzero(frames > 0.1)


def test_resume_after_kill9_joins_the_parts(virtual_mic, audio_tools, tmp_path):
    tone = audio_tools.tone(tmp_path / "tone.wav", 800, 0.5, pad=0.2)
    root = tmp_path / "s"
    rec = virtual_mic.record("--out", str(root), "--pseudonym", "P06", *BASE)
    rec.wait_started()
    virtual_mic.play(tone)
    rec.send("m before the crash")
    time.sleep(1.5)
    rec.proc.kill()
    rec.finish()
    folder = audio_tools.folder(root)
    consent_before = (folder / "consent.json").read_text()
    # what the first part holds, exactly as the recovery will keep it (whole frames)
    raw = (folder / "recording.wav.part").read_bytes()[80:]
    first = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2")

    rec2 = virtual_mic.record("--resume", str(folder), "--duration", "2.5")
    rec2.wait_started()
    time.sleep(0.3)
    rec2.send("m after the resume")
    virtual_mic.play(tone)
    assert rec2.finish() == 0, rec2.text
    text = " ".join(rec2.text.split())
    assert "Resuming" in text and "Repaired the interrupted recording" in text, text
    assert "Read this to the interviewee" not in text  # consent is not asked again

    assert [p.name for p in root.iterdir()] == [folder.name]  # no P06-2
    assert sorted(p.name for p in folder.iterdir()) == [
        "consent.json",
        "recording.wav",
        "session.json",
    ]
    assert (folder / "consent.json").read_text() == consent_before
    sess = json.loads((folder / "session.json").read_text())
    assert sess["status"] == "closed" and sess["stopped_by"] == "duration"
    assert not sess.get("joining")
    x, sr = sf.read(folder / "recording.wav", dtype="int16")
    assert sr == 16000
    # lossless: the first part unchanged at the start, then exactly the 2.5 s of the new part
    assert len(x) == len(first) + int(2.5 * 16000), (len(x), len(first))
    assert np.array_equal(x[: len(first)], first)
    assert sess["audio"]["frames"] == len(x)
    base = len(first) / 16000
    [resume] = sess["resumes"]
    assert abs(resume["t"] - base) < 1e-3 and resume["previous_stop"] == "recovered"
    gap = [g for g in sess["gaps"] if g["reason"] == "resumed"]
    assert len(gap) == 1 and abs(gap[0]["t"] - base) < 1e-3 and gap[0]["wall_end"]
    # a tone in each part, each where the timeline says
    loud = _loud_frames(x.astype(np.float32) / 32768) * 0.01
    assert loud.min() < base and loud.max() > base, (loud.min(), loud.max(), base)
    marks = {m["label"]: m["t"] for m in sess["markers"]}
    assert marks["before the crash"] < base < marks["after the resume"] < base + 2.5
    print(f"first part {base:.2f} s + 2.50 s resumed; markers {marks}")

    # a second resume that is itself killed: the plain --recover joins its part on as well
    rec3 = virtual_mic.record("--resume", str(folder))
    rec3.wait_started()
    time.sleep(1.5)
    rec3.proc.kill()
    rec3.finish()
    raw = (folder / "recording.wav.part").read_bytes()[80:]
    third = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2")
    r = virtual_mic.cli("record", "--recover", "--out", str(root))
    assert r.returncode == 0 and "Recovered" in r.stderr + r.stdout, r.stderr
    y, _ = sf.read(folder / "recording.wav", dtype="int16")
    assert len(y) == len(x) + len(third) and np.array_equal(y[: len(x)], x)
    assert np.array_equal(y[len(x) :], third)
    sess = json.loads((folder / "session.json").read_text())
    assert sess["status"] == "closed" and len(sess["resumes"]) == 2
    assert not (folder / "recording.wav.part").exists()
