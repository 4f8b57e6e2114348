"""Crash-safe WAV/RF64 writing, repair, consent records and withdrawal (no microphone needed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
import soundfile as sf

from journeytape.consent import ConsentRecord, allowed, purpose_text, withdraw
from journeytape.recorder.session import (
    AUDIO_NAME,
    PART_NAME,
    SessionError,
    SessionLog,
    check_pseudonym,
    close_session,
    find_unfinished,
    new_session_folder,
    recover,
)
from journeytape.recorder.wavfile import HEADER_BYTES, WavFormat, WavWriter, repair

NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


def _tone(n: int, rate: int = 16000) -> np.ndarray:
    return (np.sin(2 * np.pi * 440 * np.arange(n) / rate) * 12000).astype("<i2")


def test_wav_is_decodable_after_every_sync(tmp_path):
    w = WavWriter(tmp_path / "a.wav", WavFormat(16000, 1))
    x = _tone(16000)
    for i in range(4):
        w.write(x[i * 4000 : (i + 1) * 4000].tobytes())
        w.sync()
        y, sr = sf.read(tmp_path / "a.wav", dtype="int16")  # another reader, mid-recording
        assert sr == 16000 and len(y) == (i + 1) * 4000
    w.close()
    y, _ = sf.read(tmp_path / "a.wav", dtype="int16")
    assert np.array_equal(y, x)


def test_never_overwrites(tmp_path):
    (tmp_path / "a.wav").write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        WavWriter(tmp_path / "a.wav", WavFormat(16000, 1))
    assert (tmp_path / "a.wav").read_bytes() == b"precious"


def test_rf64_promotion_past_the_riff_limit(tmp_path):
    """Past 4 GiB the header becomes RF64 in place; tested with a lowered limit, and the
    header arithmetic at a real 5 GiB size with a sparse file."""
    x = np.stack([_tone(8000), _tone(8000)], axis=1)
    w = WavWriter(tmp_path / "b.wav", WavFormat(16000, 2), riff_limit=1000)
    w.write(x.tobytes())
    w.close()
    assert w.container == "rf64"
    assert (tmp_path / "b.wav").read_bytes()[:4] == b"RF64"
    info = sf.info(tmp_path / "b.wav")
    assert info.format == "RF64" and info.frames == 8000
    y, _ = sf.read(tmp_path / "b.wav", dtype="int16")
    assert np.array_equal(y, x)

    big = tmp_path / "big.wav.part"
    WavWriter(big, WavFormat(48000, 1)).close()
    with open(big, "r+b") as fh:  # sparse: 5 GiB of "audio" without using the disk
        fh.truncate(HEADER_BYTES + 5 * 2**30 + 1)
    res = repair(big)
    assert res.container == "rf64" and res.torn_bytes == 1
    assert res.frames == 5 * 2**30 // 2
    assert sf.info(big).frames == res.frames


def test_repair_cuts_a_torn_frame_and_fixes_a_stale_header(tmp_path):
    part = tmp_path / "c.wav.part"
    w = WavWriter(part, WavFormat(16000, 2))
    w.write(np.zeros((1600, 2), "<i2").tobytes())
    w.sync()
    # simulate a crash: more data written after the last header update, last frame torn
    with open(part, "ab") as fh:
        fh.write(np.ones((800, 2), "<i2").tobytes() + b"\x01\x02\x03")
    os.close(w._fd)
    res = repair(part)
    assert res.torn_bytes == 3 and res.frames == 2400
    assert sf.info(part).frames == 2400
    # a file whose header never made it to disk is rebuilt from session.json's format
    torn = tmp_path / "d.wav.part"
    torn.write_bytes(b"RIFF\x00")
    res = repair(torn, fallback=WavFormat(16000, 1))
    assert res.frames == 0 and sf.info(torn).frames == 0


def test_pseudonym_and_folder_rules(tmp_path):
    assert check_pseudonym(" P07 ") == "P07"
    for bad in ("", "../x", "Jane Doe", "a/b"):
        with pytest.raises(SessionError):
            check_pseudonym(bad)
    a = new_session_folder(tmp_path, "P07")
    b = new_session_folder(tmp_path, "P07")
    assert a.name.endswith("_P07") and b.name == a.name + "-2"


def test_permission_denied_is_a_clear_message(tmp_path):
    """Root bypasses file permissions, so run without CAP_DAC_OVERRIDE (setpriv)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to drop the permission-bypass capabilities")
    root = tmp_path / "locked"
    root.mkdir()
    os.chmod(root, 0o555)
    code = (
        "from pathlib import Path\n"
        "from journeytape.recorder.session import new_session_folder, SessionError\n"
        f"try: new_session_folder(Path({str(root)!r}), 'P1')\n"
        "except SessionError as e: print(e)\n"
    )
    r = subprocess.run(
        [*NO_DAC, sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert "permission denied" in r.stdout, r.stdout + r.stderr
    assert "--out" in r.stdout


def test_purpose_text_languages_and_guide(tmp_path):
    en, nl, de = (purpose_text(None, lang) for lang in ("en", "nl", "de"))
    assert "12 months" in en.text and "12 maanden" in nl.text and "12 Monaten" in de.text
    assert len({en.sha256, nl.sha256, de.sha256}) == 3
    from journeytape import guide as guide_mod

    g = guide_mod.load_guide(guide_mod.example_guide_path())
    assert g.consent is not None, "the shipped example guide must carry a consent block"
    p = purpose_text(g, "nl")
    assert p.source.startswith("guide:") and g.consent.purpose.get("nl") in p.text


def _closed_session(tmp_path, pseudonym="P09"):
    root = tmp_path / "sessions"
    folder = new_session_folder(root, pseudonym)
    ConsentRecord(pseudonym, purpose_text(None, "en"), typed_confirmation="yes").save(folder)
    log = SessionLog.create(folder, pseudonym=pseudonym, samplerate=16000, channels=1)
    w = WavWriter(folder / PART_NAME, WavFormat(16000, 1))
    w.write(_tone(16000).tobytes())
    w.close()
    log.update(status="recording")
    return root, folder, log


def test_recover_closes_an_abandoned_session(tmp_path):
    root, folder, log = _closed_session(tmp_path)
    with open(folder / PART_NAME, "ab") as fh:
        fh.write(b"\x07")  # torn half-frame
    assert [u.folder for u in find_unfinished(root)] == [folder]
    info = recover(folder)
    assert info["torn_bytes"] == 1 and info["seconds"] == 1.0
    sess = json.loads((folder / "session.json").read_text())
    assert sess["status"] == "closed" and sess["stopped_by"] == "recovered"
    assert sess["audio"]["file"] == AUDIO_NAME and sess["audio"]["seconds"] == 1.0
    assert not (folder / PART_NAME).exists() and sf.info(folder / AUDIO_NAME).frames == 16000
    assert find_unfinished(root) == []


def test_close_never_overwrites_an_existing_recording(tmp_path):
    _, folder, log = _closed_session(tmp_path)
    (folder / AUDIO_NAME).write_bytes(b"older")
    with pytest.raises(SessionError, match="already exists"):
        close_session(folder, log, "user")
    assert (folder / AUDIO_NAME).read_bytes() == b"older" and (folder / PART_NAME).exists()


def test_withdraw_deletes_audio_and_derived_files_and_keeps_a_record(tmp_path):
    root, folder, log = _closed_session(tmp_path)
    close_session(folder, log, "user")
    sha = json.loads((folder / "session.json").read_text())["audio"]["sha256"]
    (folder / "recording.transcript.json").write_text("{}")
    (folder / "recording.srt").write_text("1\n00:00 --> 00:01\nsecret words\n")
    elsewhere = tmp_path / "out"
    elsewhere.mkdir()
    (elsewhere / "x.transcript.json").write_text(json.dumps({"recording": {"sha256": sha}}))
    (elsewhere / "x.txt").write_text("secret words")
    (elsewhere / "other.transcript.json").write_text(json.dumps({"recording": {"sha256": "0"}}))

    assert allowed(folder, "transcription") is True and allowed(tmp_path, "transcription") is None
    w = withdraw(folder, reason="asked by phone", derived_dirs=[elsewhere])
    assert allowed(folder, "transcription") is False
    assert sorted(p.name for p in folder.iterdir()) == ["consent.json", "withdrawal.json"]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["other.transcript.json"]
    rec = json.loads(w.record.read_text())
    names = {d["path"] for d in rec["deleted"]}
    assert {"recording.wav", "session.json", "recording.srt"} <= names
    assert rec["reason"] == "asked by phone" and "secret" not in w.record.read_text()
    consent = json.loads((folder / "consent.json").read_text())
    assert consent["withdrawn"]["record"] == "withdrawal.json"


def test_dropped_blocks_are_counted_and_become_silence(tmp_path):
    """When the writer falls 30 s behind, the callback drops blocks without waiting, counts
    them, and the writer later fills the same length with silence (marker times stay right).
    Driven without a device: the callback is called as PortAudio would call it."""
    from types import SimpleNamespace

    from journeytape.recorder.capture import Recorder
    from journeytape.recorder.devices import Device

    folder = new_session_folder(tmp_path, "P10")
    log = SessionLog.create(folder, pseudonym="P10")
    dev = Device(0, "test", "none", 1, 16000.0)
    rec = Recorder(log, dev, 16000, 1, min_free_bytes=0, block_seconds=0.1)
    rec._writer = WavWriter(folder / PART_NAME, rec.fmt)
    rec._armed = True
    block = np.full(1600, 1000, "<i2").tobytes()
    ok, overflow = SimpleNamespace(input_overflow=False), SimpleNamespace(input_overflow=True)
    capacity = rec._q.maxsize
    t0 = time.perf_counter()
    for i in range(capacity + 5):
        rec._callback(block, 1600, None, overflow if i == 0 else ok)
    assert time.perf_counter() - t0 < 1.0  # never blocked
    assert rec._dropped_blocks == 5 and rec._dropped_frames == 5 * 1600
    assert rec._input_overflows == 1
    rec._stop.set()
    rec._run()  # drains the queue; the 5 dropped blocks become silence at their place
    rec._callback(block, 1600, None, ok)
    rec._run()
    rec._writer.close()
    x, _ = sf.read(folder / PART_NAME, dtype="int16")
    assert len(x) == (capacity + 1) * 1600 + 5 * 1600
    assert (x[capacity * 1600 : (capacity + 5) * 1600] == 0).all()
    assert json.loads((folder / "session.json").read_text())["overflows"] == {
        "input_overflows": 1,
        "dropped_blocks": 5,
        "dropped_frames": 8000,
    }


def test_withdraw_command_confirms_and_respects_a_live_recorder(tmp_path):
    from journeytape.recorder.session import SessionLock

    _, folder, log = _closed_session(tmp_path)
    close_session(folder, log, "user")
    cmd = [sys.executable, "-m", "journeytape", "withdraw", str(folder)]
    r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "--yes" in r.stderr
    assert (folder / AUDIO_NAME).exists()
    lock = SessionLock(folder)
    assert lock.acquire()  # as a running recorder holds it
    try:
        r = subprocess.run([*cmd, "--yes"], capture_output=True, text=True)
        assert r.returncode == 2 and "being recorded" in " ".join(r.stderr.split())
    finally:
        lock.release()
    r = subprocess.run([*cmd, "--yes"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not (folder / AUDIO_NAME).exists() and (folder / "withdrawal.json").exists()


def test_recover_after_a_death_between_link_and_unlink(tmp_path):
    """The final rename is link + unlink; a death in between leaves two names, one file."""
    _, folder, _ = _closed_session(tmp_path)
    os.link(folder / PART_NAME, folder / AUDIO_NAME)
    info = recover(folder)
    assert info["seconds"] == 1.0
    assert not (folder / PART_NAME).exists() and sf.info(folder / AUDIO_NAME).frames == 16000
