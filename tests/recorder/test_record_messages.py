"""Messages that say what they mean (issue #15, item 5): one recorder per microphone, no
"Next: transcribe" when transcription was refused, Ctrl-C at a consent question, the length
(not the size) of an unfinished session, and plain mode free of the audio system's noise."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from .conftest import PtyOutput

pytestmark = [pytest.mark.mic, pytest.mark.timeout(120)]

BASE = ["--consent", "yes", "--rate", "16000"]


def test_one_recorder_per_microphone(virtual_mic, audio_tools, tmp_path):
    root = tmp_path / "s"
    first = virtual_mic.record("--out", str(root), "--pseudonym", "P30", *BASE)
    first.wait_started()
    try:
        second = virtual_mic.record("--out", str(root), "--pseudonym", "P30", *BASE)
        assert second.finish() == 2, second.text
    finally:
        first.send("s")
        assert first.finish() == 0, first.text
    text = " ".join(second.text.split())
    assert "is already being recorded by another journeytape record" in text, text
    assert f"pid {first.proc.pid}" in text and "P30" in text
    assert "Read this to the interviewee" not in text  # refused before consent was asked
    assert [p.name for p in root.iterdir()] == [audio_tools.folder(root).name]  # no P30-2
    # the lock no longer names the session once released (the folder name holds the pseudonym)
    locks = list((virtual_mic.home / ".cache" / "journeytape" / "locks").iterdir())
    assert locks and all("P30" not in p.read_text() for p in locks)
    # once the first recorder stopped, the microphone is free again
    third = virtual_mic.record("--out", str(root), "--pseudonym", "P31", *BASE, "--duration", "0.3")
    assert third.finish() == 0, third.text


def test_no_transcribe_hint_when_transcription_was_refused(virtual_mic, audio_tools, tmp_path):
    root = tmp_path / "s"
    rec = virtual_mic.record(
        "--out", str(root), "--pseudonym", "P32", *BASE, "--duration", "0.3", "--no-transcription"
    )
    assert rec.finish() == 0, rec.text
    text = " ".join(rec.text.split())
    assert "journeytape transcribe" not in text.replace("do not run journeytape transcribe", "")
    assert "did not agree to transcription" in text
    consent = json.loads((audio_tools.folder(root) / "consent.json").read_text())
    assert consent["scope"]["transcription"] is False


def test_ctrl_c_at_a_consent_question(virtual_mic, audio_tools, tmp_path):
    import pty

    root = tmp_path / "s"
    pid, fd = pty.fork()
    if pid == 0:  # child: the interactive recorder in a terminal
        cmd = [*audio_tools.cmd(), "record", "--out", str(root), "--rate", "16000"]
        env = {**virtual_mic.env, "COLUMNS": "100", "LINES": "40", "PYTHONFAULTHANDLER": "1"}
        # the worst case, as under nohup or a background CI job: SIGINT inherited as ignored,
        # so Python would never raise KeyboardInterrupt; Ctrl-C must cancel all the same
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.execve(cmd[0], cmd, env)
    tty = PtyOutput(fd)
    out, pump = tty.data, tty.pump

    def until(text: bytes) -> None:
        end = time.monotonic() + 30
        while text not in out and time.monotonic() < end:
            pump(0.2)

    try:
        until(b"pseudonym")
        os.write(fd, b"P33\r")
        until(b"Agrees to transcription")
        os.write(fd, b"\x03")  # Ctrl-C at "Agrees to transcription?"
    finally:
        status = tty.wait_child(pid)
        os.close(fd)
    screen = " ".join(out.decode("utf-8", "replace").split())
    print(screen[-600:])
    assert os.waitstatus_to_exitcode(status) == 130, screen[-1000:]
    assert "cancelled at the consent questions" in screen and "nothing was saved" in screen
    assert "Traceback" not in screen
    assert not root.exists() or not any(root.iterdir())


def test_unfinished_session_reports_its_length(virtual_mic, audio_tools, tmp_path):
    from journeytape.recorder.session import find_unfinished

    root = tmp_path / "s"
    rec = virtual_mic.record("--out", str(root), "--pseudonym", "P34", *BASE)
    rec.wait_started()
    time.sleep(2.0)
    rec.proc.kill()
    rec.finish()
    [u] = find_unfinished(root)
    print(f"unfinished: {u.part_bytes} bytes = {u.part_seconds:.2f} s")
    assert 1.0 < u.part_seconds < 3.0  # about 2 s, minus the last second not yet synced
    r = virtual_mic.cli("record", "--recover", "--out", str(root))
    assert r.returncode == 0 and "Next: journeytape transcribe" in r.stderr + r.stdout
