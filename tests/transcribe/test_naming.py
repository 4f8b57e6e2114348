"""Outputs never collide: sessions are named by their folder, and a name already holding a
transcript of a different recording is kept (the new one is numbered, with a warning)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from journeytape.cli import app
from journeytape.consent import ConsentRecord, purpose_text
from journeytape.files import sha256_file

FAST = ["--model", "tiny.en", "--no-diarize", "--formats", "txt"]


def cli(*args: str | Path):
    runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})
    result = runner.invoke(app, ["transcribe", *map(str, args)], catch_exceptions=False)
    return result.exit_code, " ".join(result.output.split())


def session(root: Path, name: str, audio: Path) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    shutil.copy(audio, folder / f"recording{audio.suffix}")
    ConsentRecord(name.split("_", 1)[1], purpose_text()).save(folder)
    return folder


def recorded(tj: Path) -> str:
    return json.loads(tj.read_text())["recording"]["sha256"]


def test_sessions_into_one_out_folder_keep_every_transcript(tmp_path, encoded, en_wav_2):
    out = tmp_path / "transcripts"
    p1 = session(tmp_path / "sessions", "2026-11-30_P01", encoded["flac"])
    p1b = session(tmp_path / "sessions", "2026-11-30_P01-2", en_wav_2)
    for s in (p1, p1b):  # as the recorder suggests, one session at a time
        code, text = cli(s, "--out", out, *FAST)
        assert code == 0, text
    t1, t2 = out / "2026-11-30_P01.transcript.json", out / "2026-11-30_P01-2.transcript.json"
    assert recorded(t1) == sha256_file(p1 / "recording.flac")
    assert recorded(t2) == sha256_file(p1b / "recording.wav")
    assert not list(out.glob("recording.*"))
    before = t1.read_bytes()

    # another study's session of the same name, into the same --out: both are kept
    other = session(tmp_path / "other-study", "2026-11-30_P01", encoded["m4a"])
    code, text = cli(other, "--out", out, *FAST)
    assert code == 0, text
    assert "already holds the transcript of a different recording" in text, text
    t3 = out / "2026-11-30_P01-3.transcript.json"  # -2 is taken by P01-2 as well
    assert recorded(t3) == sha256_file(other / "recording.m4a")
    assert t1.read_bytes() == before and recorded(t2) == sha256_file(p1b / "recording.wav")
    assert (out / "2026-11-30_P01-3.txt").is_file()

    # the same recording again keeps its own name and is skipped
    code, text = cli(p1, "--out", out, *FAST)
    assert code == 0 and "1 skipped" in text, text
    assert len(list(out.glob("*.transcript.json"))) == 3


def test_a_session_transcribed_under_the_old_name_is_not_done_twice(tmp_path, encoded):
    """Before sessions were named by their folder, outputs were recording.*: a re-run finds
    that transcript (same recording) and skips it instead of writing a second copy."""
    s = session(tmp_path / "sessions", "2026-11-30_P01", encoded["flac"])
    code, text = cli(s, *FAST)
    assert code == 0, text
    for p in s.glob("2026-11-30_P01.*"):
        p.rename(s / ("recording" + p.name[len("2026-11-30_P01") :]))
    code, text = cli(s, *FAST)
    assert code == 0 and "1 skipped" in text, text
    assert sorted(p.name for p in s.glob("*.transcript.json")) == ["recording.transcript.json"]
