"""The recorder fails before anyone is asked for consent when the audio cannot be stored, and
a closed terminal (SIGHUP from the pty) closes the session like `s s`."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from .conftest import PtyOutput

pytestmark = [pytest.mark.mic, pytest.mark.timeout(120)]

BASE = ["--pseudonym", "P01", "--consent", "yes", "--rate", "16000"]
PURPOSE = "Read this to the interviewee"


def _record(virtual_mic, audio_tools, *args: str):
    return subprocess.run(
        [*audio_tools.cmd(), "record", "--no-tui", *args, *BASE],
        env=virtual_mic.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unusable_out_fails_before_the_purpose_text(virtual_mic, audio_tools, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    r = _record(virtual_mic, audio_tools, "--out", str(not_a_folder / "s"))
    text = " ".join(r.stderr.split())
    assert r.returncode == 2 and "cannot write in" in text, text
    assert PURPOSE not in r.stderr and "Traceback" not in r.stderr
    # too little room: refused before consent, nothing created
    out = tmp_path / "sessions"
    r = _record(virtual_mic, audio_tools, "--out", str(out), "--min-free", "100000G")
    text = " ".join(r.stderr.split())
    assert r.returncode == 2 and "free in" in text and "--min-free" in text, text
    assert PURPOSE not in r.stderr and list(out.iterdir()) == []


def test_closed_terminal_closes_the_session(virtual_mic, audio_tools, tmp_path):
    import pty

    root = tmp_path / "s"
    pid, fd = pty.fork()
    if pid == 0:  # child: the live screen in a terminal
        cmd = [*audio_tools.cmd(), "record", "--out", str(root), *BASE]
        errfd = os.open(str(tmp_path / "stderr.log"), os.O_WRONLY | os.O_CREAT, 0o600)
        os.dup2(errfd, 2)
        os.execve(cmd[0], cmd, {**virtual_mic.env, "COLUMNS": "100", "LINES": "40"})
    tty = PtyOutput(fd)
    out, pump = tty.data, tty.pump

    try:
        pump(2.0)
        for answer in ("y\r", "y\r"):
            os.write(fd, answer.encode())
            pump(0.6)
        os.write(fd, b" ")  # start recording
        # the screen says REC once audio flows and session.json is synced; a fixed 2.5 s wait
        # failed under other jobs' disk load, so wait for it (up to 20 s)
        pressed = time.monotonic()
        while b"REC" not in out and time.monotonic() < pressed + 20:
            pump(0.2)
        assert b"REC" in out, out.decode("utf-8", "replace")[-2000:]
        print(f"REC shown {time.monotonic() - pressed:.1f} s after SPACE")
        pump(1.0)  # a second of audio
    finally:
        os.close(fd)  # the terminal window is closed: the kernel sends SIGHUP
        deadline = time.monotonic() + 30
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if not done:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    folder = audio_tools.folder(root)
    sess = json.loads((folder / "session.json").read_text())
    assert sess["status"] == "closed" and sess["stopped_by"] == "SIGHUP", sess
    assert (folder / "recording.wav").exists() and not (folder / "recording.wav.part").exists()
    assert sess["audio"]["seconds"] > 0  # about 1 s
