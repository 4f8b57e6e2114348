"""`journeytape transcribe` on folders: good and bad files, resuming, Ctrl-C, output layout."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeytape.cli import app
from journeytape.transcribe.transcript import load_transcript

from .conftest import BAD_MESSAGES, EN_TEXT, EN_WER_MAX, FORMAT_WER_MAX, encode, wer

FAST = ["--model", "tiny.en", "--no-diarize"]


def cli(*args: str | Path):
    runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})
    result = runner.invoke(app, ["transcribe", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.output


def outputs(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture()
def good_folder(tmp_path, encoded, en_wav_2) -> Path:
    d = tmp_path / "interviews"
    (d / "week1").mkdir(parents=True)
    shutil.copy(encoded["m4a"], d / "week1" / "anna.m4a")
    encode(en_wav_2, "mp3", d)
    (d / "speech_mp3.mp3").rename(d / "bram.mp3")
    return d


def test_folder_with_good_and_bad_files(good_folder, encoded, bad_files, tmp_path):
    d = good_folder
    shutil.copy(encoded["amr"], d / "week1" / "memo.amr")
    (d / "broken").mkdir()
    for f in bad_files.values():
        shutil.copy(f, d / "broken" / f.name)
    (d / ".cache").mkdir()
    shutil.copy(encoded["flac"], d / ".cache" / "hidden.flac")  # hidden folder: not walked
    shutil.copy(encoded["flac"], d / ".hidden.flac")  # hidden file
    shutil.copy(encoded["flac"], d / "seg_0003.wav.part")  # recorder's partial segment
    (d / "consent.docx").write_bytes(b"PK\x03\x04 not audio")
    out = tmp_path / "out"

    code, text = cli(d, "--out", out, *FAST)

    assert code == 1, text  # some files failed
    for kind, msg in BAD_MESSAGES.items():
        line = next(line for line in text.splitlines() if bad_files[kind].name in line)
        assert "failed" in line and msg in line.lower(), line
    line = next(line for line in text.splitlines() if "consent.docx" in line)
    assert "ignored" in line and "not a recording" in line
    assert "hidden" not in text and "seg_0003" not in text
    assert "3 done" in text and "7 failed" in text and "1 ignored" in text

    got = outputs(out)
    for base in ("week1/anna", "week1/memo", "bram"):  # mirrors the folder structure
        for suffix in (".transcript.json", ".txt", ".md", ".srt", ".vtt"):
            assert base + suffix in got, (base, sorted(got))
    assert not any(name.startswith("broken/") for name in got)  # nothing for bad files
    assert not any("hidden" in name or ".part" in name for name in got)
    assert not any(name.endswith(".rttm") for name in got)  # no speakers without diarization

    anna = load_transcript(out / "week1" / "anna.transcript.json")  # validates the schema
    assert anna.recording.path == str((d / "week1" / "anna.m4a").resolve())
    assert anna.recording.format == "mov/aac"
    assert anna.settings["model"] == "tiny.en" and anna.settings["diarize"] is False
    assert anna.models["asr"]["name"] == "whisper-tiny.en"
    assert set(anna.timings) >= {"decode", "asr", "total", "rtf"}
    memo = load_transcript(out / "week1" / "memo.transcript.json")
    # each against what was said (comparing two lossy transcripts doubles the noise); limits
    # are ~2x the measured WER (test_asr.FORMAT_WER_MAX): AMR-NB is 8 kHz narrowband
    assert wer(EN_TEXT, anna.text) < FORMAT_WER_MAX.get("m4a", EN_WER_MAX), anna.text
    assert wer(EN_TEXT, memo.text) < FORMAT_WER_MAX["amr"], memo.text
    assert memo.recording.sample_rate == 8000


def test_second_run_skips_done_work_and_picks_up_new_files(good_folder, encoded, en_wav_2):
    d = good_folder
    code, text = cli(d, *FAST)  # outputs beside the recordings
    assert code == 0 and "2 done" in text, text
    tj = d / "week1" / "anna.transcript.json"
    first = tj.stat().st_mtime_ns

    code, text = cli(d, *FAST)
    assert code == 0 and "2 skipped" in text and "up to date" in text, text
    assert tj.stat().st_mtime_ns == first

    shutil.copy(encoded["opus"], d / "week1" / "chris.opus")  # tomorrow's recording
    (d / "bram.srt").unlink()  # a lost output file is rewritten from the JSON
    code, text = cli(d, *FAST)
    assert code == 0 and "1 done" in text and "2 skipped" in text, text
    assert "wrote missing srt" in text
    assert (d / "week1" / "chris.transcript.json").is_file() and (d / "bram.srt").is_file()
    assert tj.stat().st_mtime_ns == first

    # different result-changing settings → redone; runtime-only settings → still skipped
    code, text = cli(d, *FAST, "--threads", "1")
    assert "3 skipped" in text, text
    code, text = cli(d, *FAST, "--beam-size", "2")
    assert code == 0 and "3 done" in text, text
    assert load_transcript(tj).settings["beam_size"] == 2

    # a recording replaced by another one under the same name is redone
    encode(en_wav_2, "m4a", d)
    os.replace(d / "speech_m4a.m4a", d / "week1" / "anna.m4a")
    code, text = cli(d, *FAST, "--beam-size", "2")
    assert "1 done" in text and "2 skipped" in text, text
    assert "nurse" in load_transcript(tj).text

    code, text = cli(d, *FAST, "--beam-size", "2", "--force")
    assert code == 0 and "3 done" in text, text


def test_same_name_different_format_keeps_both(tmp_path, encoded):
    d = tmp_path / "memos"
    d.mkdir()
    shutil.copy(encoded["mp3"], d / "call.mp3")
    shutil.copy(encoded["ogg"], d / "call.ogg")
    code, text = cli(d, *FAST, "--formats", "txt")
    assert code == 0, text
    assert outputs(d) >= {
        "call.mp3.transcript.json",
        "call.ogg.transcript.json",
        "call.mp3.txt",
        "call.ogg.txt",
    }
    assert not (d / "call.srt").exists()  # only the formats asked for (+ the JSON)


def test_named_files_and_missing_paths(tmp_path, encoded):
    code, text = cli(encoded["flac"], tmp_path / "missing.wav", "--out", tmp_path, *FAST)
    assert code == 1
    assert "file or folder not found" in text
    assert (tmp_path / "speech_flac.transcript.json").is_file()


def test_model_that_cannot_be_had_fails_before_any_work(tmp_path, encoded):
    code, text = cli(encoded["flac"], "--model", "huge-v9", "--no-diarize")
    assert code == 2
    assert "error:" in text and "neither an embedded model" in text
    code, text = cli(encoded["flac"], "--model", "Systran/faster-whisper-small", "--no-diarize")
    assert code == 2 and "never downloads" in text
    assert not list(encoded["flac"].parent.glob("*.transcript.json"))


def test_bad_options_are_explained(encoded):
    code, text = cli(encoded["flac"], "--formats", "txt,docx")
    assert code == 2 and "unknown format" in text
    code, text = cli(encoded["flac"], "--model", "tiny.en", "--language", "nl", "--no-diarize")
    assert code == 2 and "only knows English" in text


@pytest.mark.slow
def test_ctrl_c_stops_cleanly(tmp_path, en_wav, en_wav_2):
    d = tmp_path / "many"
    d.mkdir()
    long = tmp_path / "long.wav"
    subprocess.run(["sox", en_wav, en_wav_2, en_wav, en_wav_2, long], check=True)
    for i in range(4):
        shutil.copy(long, d / f"interview_{i}.wav")
    out = tmp_path / "out"
    env = {**os.environ, "COLUMNS": "300", "NO_COLOR": "1"}
    exe = Path(sys.executable).with_name("journeytape")
    proc = subprocess.Popen(
        [str(exe), "transcribe", str(d), "--out", str(out), "-q", *FAST],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(out.glob("*.transcript.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    text, _ = proc.communicate(timeout=120)

    assert proc.returncode == 130, text
    assert "Ctrl-C" in text and "run the same command again" in text
    done = sorted(out.glob("*.transcript.json"))
    assert 1 <= len(done) < 5
    for tj in done:  # everything on disk is complete
        load_transcript(tj)
        for suffix in (".txt", ".md", ".srt", ".vtt"):
            assert tj.with_name(tj.name.replace(".transcript.json", suffix)).is_file()
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    assert "not started" in text or "interrupted" in text

    code, text = cli(d, "--out", out, *FAST)  # resumes where it stopped
    assert code == 0 and f"{len(done)} skipped" in text, text


def test_sessions_without_consent_for_transcription_are_not_transcribed(tmp_path, encoded):
    from journeytape.consent import ConsentRecord, purpose_text

    sessions = tmp_path / "sessions"
    for name, transcription in (("2026-11-25_P01", True), ("2026-11-25_P02", False)):
        folder = sessions / name
        folder.mkdir(parents=True)
        shutil.copy(encoded["flac"], folder / "recording.flac")
        ConsentRecord(name[-3:], purpose_text(), transcription=transcription).save(folder)
    withdrawn = sessions / "2026-11-25_P03"
    withdrawn.mkdir()
    shutil.copy(encoded["flac"], withdrawn / "recording.flac")
    record = ConsentRecord("P03", purpose_text())
    record.withdrawn = {"at": "2026-11-25T10:00:00Z", "reason": "asked by interviewee"}
    record.save(withdrawn)

    code, text = cli(sessions, *FAST)

    assert code == 0, text
    assert (sessions / "2026-11-25_P01" / "2026-11-25_P01.transcript.json").is_file()
    for refused in ("2026-11-25_P02", "2026-11-25_P03"):
        assert not list((sessions / refused).glob("*.transcript.json"))
    assert text.count("consent does not cover transcription") == 2, text
    # naming the file explicitly does not get around it
    code, text = cli(sessions / "2026-11-25_P02" / "recording.flac", *FAST)
    assert not list((sessions / "2026-11-25_P02").glob("*.transcript.json"))
    assert "consent does not cover transcription" in text
