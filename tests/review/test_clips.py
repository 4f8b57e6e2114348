"""Audio clips and highlight reels (pydub over the decoded recording), and waveform peaks."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import numpy as np
import pytest
import soundfile as sf

from journeytape.review import media
from journeytape.review.app import create_app
from journeytape.review.store import Workspace

TOKEN = "clips-token-0123456789"


@pytest.fixture
def client(folder):
    c = create_app(folder, token=TOKEN, reviewer="carol").test_client()
    c.get(f"/?token={TOKEN}")
    with Workspace(folder) as ws:
        c.iid = ws.interview_id("onboarding_en")
        c.view = ws.interview(c.iid)
    return c


def _wav(data: bytes) -> tuple[np.ndarray, int]:
    x, sr = sf.read(io.BytesIO(data), dtype="float32")
    return (x if x.ndim == 1 else x.mean(axis=1)), sr


def test_a_tag_clip_is_that_stretch_of_the_recording(client, folder):
    tag = next(t for t in client.view.tags if t.value == "portal")
    r = client.get(f"/clip/{client.iid}/{tag.id}")
    assert r.status_code == 200 and r.mimetype == "audio/wav"
    assert re.search(
        r"filename=onboarding_en-\d+\.\ds-CHANNEL\.wav", r.headers["Content-Disposition"]
    )
    clip, sr = _wav(r.data)
    want = tag.end - tag.start + 2 * media.PAD_MS / 1000
    assert abs(len(clip) / sr - want) < 0.05
    # the same samples as the recording at that time (fades aside)
    src, src_sr = sf.read(folder / "onboarding_en.wav", dtype="float32")
    assert src_sr == sr
    start = int(round((tag.start - media.PAD_MS / 1000) * sr))
    mid = slice(int(0.1 * sr), len(clip) - int(0.1 * sr))
    ref = src[start : start + len(clip)][mid]
    assert np.abs(ref).max() > 0.01  # speech, not silence
    assert np.allclose(clip[mid], ref, atol=2e-3)


def test_a_selection_clip_covers_the_selected_words(client):
    seg = client.view.segment(2)
    i = seg.original_text.index("six out of ten")
    r = client.get(
        f"/clip/{client.iid}?segment_id=2&start_char={i}&end_char={i + len('six out of ten')}"
    )
    assert r.status_code == 200
    clip, sr = _wav(r.data)
    words = [w for w in seg.words if i <= w.start_char < i + 14]
    want = words[-1].end - words[0].start + 2 * media.PAD_MS / 1000
    assert abs(len(clip) / sr - want) < 0.05 and len(clip) / sr < seg.end - seg.start
    assert client.get(f"/clip/{client.iid}?segment_id=2&start_char=x").status_code == 400
    r = client.get(f"/clip/{client.iid}?segment_id=2&start_char=5&end_char=9999")
    assert 400 <= r.status_code < 500
    assert client.get(f"/clip/{client.iid}/nope").status_code == 404


def test_a_reel_per_label_joins_clips_with_gaps_and_a_cue_sheet(client):
    r = client.get("/reel?label=CHANNEL")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.data))
    assert sorted(z.namelist()) == ["reel-CHANNEL.cues.csv", "reel-CHANNEL.wav"]
    audio, sr = _wav(z.read("reel-CHANNEL.wav"))
    rows = list(csv.DictReader(io.StringIO(z.read("reel-CHANNEL.cues.csv").decode("utf-8-sig"))))
    with Workspace(client.application.config["FOLDER"]) as ws:
        channel = [
            t for s in ws.interviews() if s.audio_path
            for t in ws.interview(s.id).tags if t.label == "CHANNEL" and t.visible
        ]  # fmt: skip
    assert len(rows) == len(channel) >= 3
    assert {r["value"] for r in rows} >= {"service desk", "self-service portal"}  # names
    # each clip sits where the cue sheet says, a gap of silence between two clips
    for a, b in zip(rows, rows[1:], strict=False):
        assert float(b["reel_start"]) - float(a["reel_end"]) == pytest.approx(
            media.GAP_MS / 1000, abs=0.01
        )
        gap = audio[int(float(a["reel_end"]) * sr) + 10 : int(float(b["reel_start"]) * sr) - 10]
        assert np.abs(gap).max() < 1e-3
    assert len(audio) / sr == pytest.approx(float(rows[-1]["reel_end"]), abs=0.02)
    # a reel from a search
    r = client.get("/reel?q=portal")
    assert r.status_code == 200
    assert client.get("/reel").status_code == 400
    assert client.get("/reel?label=NOPE").status_code == 400


def test_no_clips_of_an_interviewee_who_did_not_consent_to_quotes(folder, tmp_path):
    from journeytape.consent import ConsentRecord, purpose_text
    from journeytape.transcribe.transcript import load_transcript, save_transcript

    session = tmp_path / "sessions" / "2026-11-30_P01"
    session.mkdir(parents=True)
    ConsentRecord("P01", purpose_text(), quotes_in_reports=False).save(session)
    (folder / "onboarding_en.wav").rename(session / "recording.wav")
    tpath = folder / "onboarding_en.transcript.json"
    t = load_transcript(tpath)
    t.recording.path = str(session / "recording.wav")
    save_transcript(t, tpath)
    c = create_app(folder, token=TOKEN).test_client()
    c.get(f"/?token={TOKEN}")
    with Workspace(folder) as ws:
        en, nl = ws.interview_id("onboarding_en"), ws.interview_id("laptop_nl")
        assert ws.audio_path(en) is not None  # still listenable in the app
        tag = ws.interview(en).tags[0]
    assert c.get(f"/audio/{en}").status_code == 200
    assert c.get(f"/clip/{en}/{tag.id}").status_code == 403
    assert c.get(f"/clip/{en}?segment_id=1").status_code == 403
    r = c.get("/reel?label=CHANNEL")
    assert r.status_code == 200
    cues = zipfile.ZipFile(io.BytesIO(r.data)).read("reel-CHANNEL.cues.csv").decode("utf-8-sig")
    assert "laptop_nl" in cues and "onboarding_en" not in cues
    assert c.get(f"/clip/{nl}?segment_id=1").status_code == 200


def test_peaks_follow_the_loudness_and_are_cached_privately(client, folder):
    r = client.get(f"/peaks/{client.iid}")
    assert r.status_code == 200
    d = r.get_json()
    src, sr = sf.read(folder / "onboarding_en.wav", dtype="float32")
    assert d["duration"] == pytest.approx(len(src) / sr, abs=0.05)
    p = np.array(d["peaks"])
    assert len(p) == int(d["duration"] * media.PEAKS_PER_SECOND) and p.max() == 1.0 and p.min() >= 0
    # silence between segments is low, speech is high
    seg = client.view.segment(1)
    per = len(p) / d["duration"]
    assert p[int(seg.start * per) : int(seg.end * per)].max() > 0.3
    gap = p[int((client.view.segment(0).end + 0.1) * per) : int((seg.start - 0.05) * per)]
    assert len(gap) and gap.max() < 0.05
    cached = list((folder / ".journeytape" / "peaks").glob("*.json"))
    assert len(cached) == 1 and (cached[0].stat().st_mode & 0o777) == 0o600


def test_withdrawal_removes_the_peaks_of_the_withdrawn_recording(folder, tmp_path):
    import json
    import subprocess
    import sys

    from journeytape.consent import ConsentRecord, purpose_text
    from journeytape.files import atomic_write_json, sha256_file

    session = tmp_path / "sessions" / "2026-11-30_P01"
    session.mkdir(parents=True)
    (session / "recording.wav").write_bytes((folder / "onboarding_en.wav").read_bytes())
    sha = sha256_file(session / "recording.wav")
    ConsentRecord("P01", purpose_text()).save(session)
    atomic_write_json(session / "session.json", {"pseudonym": "P01", "audio": {"sha256": sha}})
    c = create_app(folder, token=TOKEN).test_client()
    c.get(f"/?token={TOKEN}")
    with Workspace(folder) as ws:
        ids = [ws.interview_id(n) for n in ("onboarding_en", "laptop_nl")]
    for iid in ids:
        assert c.get(f"/peaks/{iid}").status_code == 200
    cache = folder / ".journeytape" / "peaks"
    assert len(list(cache.glob("*.json"))) == 2
    r = subprocess.run(
        [sys.executable, "-m", "journeytape", "withdraw", str(session), "--yes",
         "--derived", str(folder)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    left = [json.loads(p.read_text())["audio"] for p in cache.glob("*.json")]
    assert left == [str((folder / "laptop_nl.wav").resolve())]
