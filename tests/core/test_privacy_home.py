"""Nothing is written outside the outputs and ~/.cache/journeytape, and every output with
interview content is private (files 0600, folders 0700): the whole pipeline (transcribe
with speaker separation, annotate, review workspace, every export) runs as a user would,
and the review server, with HOME, the XDG folders and TMPDIR pointing at empty folders that
are listed afterwards."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

SPEECH = (
    "I phoned the service desk because my laptop was broken. The portal was really "
    "frustrating, I would give it six out of ten."
)


def journeytape(*args: str | Path, env: dict[str, str], cwd: Path) -> str:
    exe = Path(sys.executable).with_name("journeytape")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "journeytape"]
    r = subprocess.run(
        [*cmd, *map(str, args)], env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def review_once(folder: Path, env: dict[str, str], cwd: Path) -> None:
    """`journeytape review` as a user starts it: open the printed link once, then stop."""
    import re
    import urllib.request

    exe = Path(sys.executable).with_name("journeytape")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "journeytape"]
    proc = subprocess.Popen(
        [*cmd, "review", str(folder), "--no-browser"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(50):
            m = re.search(r"(http://\S+token=[\w-]+)", proc.stdout.readline())
            if m:
                break
        assert m, "review printed no link"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        assert opener.open(m.group(1), timeout=10).status == 200
    finally:
        proc.terminate()
        proc.wait(10)


def listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.slow  # 12-17 s on an idle 2-core machine, 42 s while other jobs ran
def test_pipeline_writes_only_outputs_and_its_own_cache_all_private(tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    home, tmp, work = tmp_path / "home", tmp_path / "tmp", tmp_path / "work"
    for d in (home, tmp, work):
        d.mkdir()
    subprocess.run(["espeak-ng", "-w", str(work / "call.wav"), SPEECH], check=True)
    keep = ("PATH", "LANG", "LC_ALL", "JOURNEYTAPE_EVAL", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        HOME=str(home),
        TMPDIR=str(tmp),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
    )
    out = work / "out"
    journeytape("transcribe", "call.wav", "--out", out, "--model", "tiny.en", env=env, cwd=work)
    journeytape("guide", "example", "--out", "guide.yaml", env=env, cwd=work)
    journeytape("annotate", out, "--guide", "guide.yaml", env=env, cwd=work)
    journeytape(
        "export", out, *("-f", "csv", "-f", "xlsx", "-f", "qdpx", "-f", "md"), env=env, cwd=work
    )

    review_once(out, env, work)

    outside = [
        p for p in listing(home) if p not in (".cache",) and not p.startswith(".cache/journeytape")
    ]
    assert outside == [], outside
    assert listing(tmp) == []
    assert sorted(listing(work)) == sorted(
        ["call.wav", "guide.yaml", "out", *(f"out/{p}" for p in listing(out))]
    )
    assert (out / "call.rttm").exists()  # speaker separation ran (pyannote, onnxruntime)
    for p in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), f"{p}: {oct(mode)}"
    # SQLite's -wal and -shm (they exist while a connection is open) are private too
    from journeytape.review.store import Workspace

    with Workspace(out, "tester") as ws:
        ws.rename_speaker(ws.interviews()[0].id, "SPEAKER_00", "Interviewer")
        db = ws.db_path
        for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_telemetry_is_off_after_import_in_a_clean_environment():
    """pyannote.audio's OpenTelemetry metrics and onnxruntime's telemetry are off once
    journeytape is imported, without the user setting anything."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    code = (
        "import os, journeytape\n"
        "from pyannote.audio.telemetry.metrics import is_metrics_enabled\n"
        "print(is_metrics_enabled(), os.environ['ORT_DISABLE_TELEMETRY'])\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "1"]


def test_benches_keep_the_privacy_defaults_for_their_plain_library_baselines(tmp_path):
    """A bench's baseline calls faster-whisper directly; its Silero VAD (onnxruntime) would
    write a device id under ~/.cache/Microsoft unless journeytape's defaults are set first."""
    home = tmp_path / "home"
    home.mkdir()
    code = (
        "import bench, numpy as np\n"
        "from faster_whisper.vad import get_speech_timestamps\n"
        "get_speech_timestamps(np.zeros(16000, dtype=np.float32))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["HOME"] = str(home)
    repo = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], env=env, cwd=repo, check=True, timeout=120)
    assert [p for p in home.rglob("*")] == []
