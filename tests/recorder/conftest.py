"""A virtual microphone for the recorder tests (see ../shared/VIRTUAL-MIC.md).

A private PulseAudio server (own HOME and XDG_RUNTIME_DIR) with a null sink ``vsink`` whose
monitor is the default source; PortAudio reaches it through ALSA's ``pulse``/``default`` device
(libasound2-plugins). A silent ``pacat`` stream keeps the monitor delivering frames; known audio
is played into the sink with ``paplay``. Everything started here is stopped by pid at the end.

The recorder always runs as a subprocess with :attr:`VirtualMic.env`, as a user would run it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RATE = 16000
PA_SCRIPT = f"""\
load-module module-native-protocol-unix
load-module module-null-sink sink_name=vsink rate={RATE} channels=1
set-default-sink vsink
set-default-source vsink.monitor
"""


class PtyOutput:
    """What a program in a pseudo-terminal (``pty.fork``) printed, read as it comes."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.data = bytearray()

    def pump(self, seconds: float) -> None:
        import select

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if select.select([self.fd], [], [], 0.05)[0]:
                try:
                    self.data.extend(os.read(self.fd, 65536))
                except OSError:
                    return

    def wait_child(self, pid: int, seconds: float = 30.0) -> int:
        """Wait for the child while still reading its output, so a full terminal buffer can
        never block it; a child still alive after ``seconds`` gets SIGABRT (with
        ``PYTHONFAULTHANDLER=1`` it prints where it hung), then SIGKILL, so a hang fails one
        test instead of holding the microphone lock for every test after it."""
        import signal

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            self.pump(0.1)
        os.kill(pid, signal.SIGABRT)
        self.pump(2.0)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        raise AssertionError(
            f"the child did not exit within {seconds:.0f} s; its output:\n"
            + self.data.decode("utf-8", "replace")[-3000:]
        )


def journeytape_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("journeytape")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "journeytape"]


@dataclass
class Recording:
    """A running ``journeytape record`` subprocess with its stderr collected live."""

    proc: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)
    started_at: float = 0.0

    def _pump(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line)
            if line.startswith("recording to") and not self.started.is_set():
                self.started_at = time.monotonic()
                self.started.set()

    def wait_started(self, timeout: float = 20) -> float:
        if not self.started.wait(timeout):
            self.proc.kill()
            raise AssertionError("recorder did not start:\n" + self.text)
        return self.started_at

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float = 30) -> int:
        rc = self.proc.wait(timeout)
        self._thread.join(5)
        return rc

    @property
    def text(self) -> str:
        return "".join(self.lines)


class VirtualMic:
    def __init__(self, base: Path):
        self.base = base
        self.home = base / "home"
        self.run = base / "run"
        self.home.mkdir(parents=True)
        self.run.mkdir(mode=0o700)
        os.chmod(self.run, 0o700)
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PULSE_", "PIPEWIRE_"))
        }
        self.env.update(HOME=str(self.home), XDG_RUNTIME_DIR=str(self.run), COLUMNS="200")
        self.server_pid: int | None = None
        self.keepalive: subprocess.Popen | None = None
        self.sink_module: str | None = None

    def start(self) -> None:
        script = self.base / "vmic.pa"
        script.write_text(PA_SCRIPT)
        subprocess.run(
            ["pulseaudio", "--start", "--exit-idle-time=-1", "-n", "-F", str(script)],
            env=self.env,
            check=True,
            timeout=30,
            capture_output=True,
        )
        pidfile = self.run / "pulse" / "pid"
        for _ in range(100):
            if pidfile.exists() and pidfile.read_text().strip():
                break
            time.sleep(0.05)
        self.server_pid = int(pidfile.read_text().split()[0])
        self.sink_module = self._module_index("module-null-sink")
        self.start_keepalive()

    def _module_index(self, name: str) -> str:
        out = self.pactl("list", "short", "modules")
        for line in out.splitlines():
            if name in line:
                return line.split()[0]
        raise AssertionError(f"{name} not loaded:\n{out}")

    def pactl(self, *args: str) -> str:
        return subprocess.run(
            ["pactl", *args], env=self.env, check=True, capture_output=True, text=True, timeout=20
        ).stdout

    def start_keepalive(self) -> None:
        """A silent stream into the sink: without it the monitor delivers no frames."""
        self.keepalive = subprocess.Popen(
            [
                "pacat",
                "--playback",
                "--device=vsink",
                "--raw",
                "--format=s16le",
                f"--rate={RATE}",
                "--channels=1",
                "/dev/zero",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.3)

    def stop_keepalive(self) -> None:
        if self.keepalive is not None:
            self.keepalive.terminate()
            try:
                self.keepalive.wait(5)
            except subprocess.TimeoutExpired:
                self.keepalive.kill()
                self.keepalive.wait(5)
            self.keepalive = None

    def unplug(self) -> None:
        """The microphone disappears (like a USB headset pulled out)."""
        self.stop_keepalive()
        self.pactl("unload-module", self.sink_module)

    def replug(self) -> None:
        self.pactl(
            "load-module", "module-null-sink", "sink_name=vsink", f"rate={RATE}", "channels=1"
        )
        self.sink_module = self._module_index("module-null-sink")
        self.pactl("set-default-sink", "vsink")
        self.pactl("set-default-source", "vsink.monitor")
        self.start_keepalive()

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        """``journeytape ARGS`` to the end on this microphone, output captured as text."""
        return subprocess.run(
            [*journeytape_cmd(), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def play(self, wav: Path, wait: bool = True) -> subprocess.Popen:
        p = subprocess.Popen(["paplay", "--device=vsink", str(wav)], env=self.env)
        if wait:
            assert p.wait(60) == 0
        return p

    def record(self, *args: str, env: dict | None = None, stdin=subprocess.PIPE) -> Recording:
        proc = subprocess.Popen(
            [*journeytape_cmd(), "record", "--no-tui", *args],
            env=env or self.env,
            stdin=stdin,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        rec = Recording(proc)
        rec._thread = threading.Thread(target=rec._pump, daemon=True)
        rec._thread.start()
        return rec

    def stop(self) -> None:
        self.stop_keepalive()
        if self.server_pid:
            try:
                os.kill(self.server_pid, signal.SIGTERM)
                for _ in range(100):
                    os.kill(self.server_pid, 0)
                    time.sleep(0.05)
                os.kill(self.server_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.server_pid = None


@pytest.fixture(scope="session")
def virtual_mic(tmp_path_factory) -> VirtualMic:
    missing = [t for t in ("pulseaudio", "pacat", "paplay", "pactl") if not shutil.which(t)]
    if missing:
        pytest.skip(
            f"virtual microphone needs {', '.join(missing)} "
            "(Debian: pulseaudio pulseaudio-utils libasound2-plugins)"
        )
    mic = VirtualMic(tmp_path_factory.mktemp("vmic"))
    try:
        mic.start()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        mic.stop()
        pytest.skip(f"could not start the PulseAudio virtual microphone: {exc}")
    yield mic
    mic.stop()


def make_tone(path: Path, freq: float, seconds: float, pad: float = 0.5) -> Path:
    """A 16 kHz mono tone padded with silence (the first ~10 ms of a clip may be lost)."""
    import numpy as np
    import soundfile as sf

    t = np.arange(int(seconds * RATE)) / RATE
    tone = 0.5 * np.sin(2 * np.pi * freq * t)
    padz = np.zeros(int(pad * RATE))
    sf.write(path, np.concatenate([padz, tone, padz]), RATE, subtype="PCM_16")
    return path


def make_speech(path: Path, text: str, pad: float = 0.5) -> Path:
    """espeak-ng speech resampled to 16 kHz (so it passes the sink unchanged)."""
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed")
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "en", "-s", "140", "-w", str(raw), text], check=True)
    import numpy as np
    import soundfile as sf

    x, sr = sf.read(raw, dtype="float32")
    n = int(len(x) * RATE / sr)
    y = np.interp(np.arange(n) * sr / RATE, np.arange(len(x)), x).astype("float32")
    padz = np.zeros(int(pad * RATE), dtype="float32")
    sf.write(path, np.concatenate([padz, y, padz]), RATE, subtype="PCM_16")
    raw.unlink()
    return path


def session_folder(root: Path) -> Path:
    folders = [p for p in root.iterdir() if p.is_dir() and re.match(r"\d{4}-\d\d-\d\d_", p.name)]
    assert len(folders) == 1, folders
    return folders[0]


@pytest.fixture(scope="session")
def audio_tools():
    """Helpers for the tests (conftest modules are not importable with importlib mode)."""

    class Tools:
        tone = staticmethod(make_tone)
        speech = staticmethod(make_speech)
        folder = staticmethod(session_folder)
        cmd = staticmethod(journeytape_cmd)
        rate = RATE

    return Tools


@dataclass
class GuidedRecording:
    """A plain-mode recording with the shipped example guide, and the clip to speak into it."""

    rec: Recording
    speech: Path
    root: Path
    guide: Path


@pytest.fixture
def guided_recording(virtual_mic, tmp_path):
    """Start ``journeytape record --no-tui`` with the example guide (checklist, live coverage)
    on the virtual microphone; ``speech`` is ``text`` as an espeak-ng clip, not yet played."""
    from journeytape import guide as guide_mod

    def start(text: str, pseudonym: str) -> GuidedRecording:
        guide = guide_mod.example_guide_path()
        assert guide.is_file(), f"the example guide is part of the repo: {guide}"
        speech = make_speech(tmp_path / "speech.wav", text)
        root = tmp_path / "s"
        rec = virtual_mic.record(
            "--out",
            str(root),
            "--pseudonym",
            pseudonym,
            "--consent",
            "yes",
            "--rate",
            "16000",
            "--guide",
            str(guide),
        )
        return GuidedRecording(rec, speech, root, guide)

    return start
