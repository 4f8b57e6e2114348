"""The live screen (rich Live + single-key input) and the plain ``--no-tui`` mode for scripts.

rich rather than Textual: the screen is one refreshing panel with a handful of keys, and the
recorder must start instantly; rich is already a dependency.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from journeytape.presentation import clock
from journeytape.recorder.capture import Recorder, Status
from journeytape.recorder.diskspace import fmt_left
from journeytape.recorder.screen import ScreenState, build

#: keys for ticking checklist items, in order (m, p, s, q, c and space are taken)
TICK_KEYS = "1234567890abdefghijklnortuvwxyz"


def status_line(st: Status) -> str:
    """One line for plain mode and logs."""
    warn = []
    if st.clipping:
        warn.append("CLIPPING")
    if st.no_signal:
        warn.append("NO SIGNAL")
    # while the device is lost the last level would read like a live microphone
    level = "no input" if st.state == "device-lost" else f"{st.peak_db:6.1f} dBFS"
    return (
        f"{st.state:<11} {clock(st.seconds, hours=True)}  level {level}  "
        f"disk {fmt_left(st.seconds_left)} left  overflows {st.input_overflows}  "
        f"dropped {st.dropped_frames} frames" + (f"  [{' '.join(warn)}]" if warn else "")
    )


class _Keys:
    """Single keys from the terminal without Enter (cbreak mode, restored on exit)."""

    def __init__(self) -> None:
        self.fd = sys.stdin.fileno()
        self._old = None
        #: the terminal went away (window closed): reads give EOF or EIO
        self.closed = False

    def __enter__(self) -> _Keys:
        import termios
        import tty

        self._old = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc: Any) -> None:
        import termios

        if self._old is not None:
            with contextlib.suppress(termios.error, OSError):  # a closed terminal: nothing to do
                termios.tcsetattr(self.fd, termios.TCSADRAIN, self._old)

    def read(self, timeout: float) -> str | None:
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return None
        try:
            data = os.read(self.fd, 32)
        except OSError:
            data = b""
        if not data:
            self.closed = True
            return None
        return data.decode("utf-8", "replace")


#: where the audio system's own error output goes while recording (in the session folder)
AUDIO_ERRORS = ".audio-errors.log"


@contextlib.contextmanager
def quiet_c_stderr(log_path):
    """ALSA/PortAudio print C-level errors straight to fd 2 (e.g. 31 lines while a microphone
    is pulled out), which would tear the live screen and bury plain mode's own messages: send
    them to a hidden log in the session folder while recording. Yields a text stream on the
    real stderr for the recorder's own messages."""
    sys.stderr.flush()
    saved = os.dup(2)
    real = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="replace")
    try:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        os.close(saved)
        try:
            yield real
        finally:
            real.close()
        return
    os.dup2(fd, 2)
    os.close(fd)
    try:
        yield real
    finally:
        real.flush()
        real.close()
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        with contextlib.suppress(OSError):
            if log_path.stat().st_size == 0:
                log_path.unlink()


def split_keys(data: str) -> list[str]:
    """Keys from one terminal read: escape sequences (arrows, PgUp/PgDn) stay whole, so the
    ESC that starts them is not mistaken for the Esc key."""
    keys: list[str] = []
    i = 0
    while i < len(data):
        if data[i] == "\x1b" and i + 1 < len(data) and data[i + 1] in "[O":
            j = i + 2
            while j < len(data) and not (data[j].isalpha() or data[j] == "~"):
                j += 1
            keys.append(data[i : j + 1])
            i = j + 1
        else:
            keys.append(data[i])
            i += 1
    return keys


SCROLL = {"\x1b[A": -1, "\x1bOA": -1, "\x1b[B": 1, "\x1bOB": 1, "\x1b[5~": -10, "\x1b[6~": 10}


class _LiveScreen:
    """What the keys do on the live screen, and what it shows; one key at a time.

    Three modes: typing a marker label (after ``m``), ready (before SPACE: scroll the purpose
    text, start, or leave) and recording (pause, marker, spoken consent, ticks, ``s s``)."""

    def __init__(
        self,
        rec: Recorder,
        stop_evt: threading.Event,
        scr: ScreenState,
        *,
        spoken_consent: bool,
        on_spoken_consent: Callable[[float], None] | None,
        coverage: Any,
    ) -> None:
        self.rec, self.stop_evt, self.scr = rec, stop_evt, scr
        self.spoken_consent = spoken_consent
        self.on_spoken_consent = on_spoken_consent
        self.coverage = coverage
        self.label_for: dict[str, Any] | None = None
        self.confirm_stop_until = 0.0
        self.reason = "user"

    def render(self, live: Any) -> Any:
        st = self.rec.status()
        scr = self.scr
        scr.confirm_stop = time.monotonic() < self.confirm_stop_until
        scr.label_buf = None if self.label_for is None else scr.label_buf or ""
        scr.disk_low = st.seconds_left < self.rec.warn_seconds_left
        if self.coverage is not None:  # live checklist coverage from speech
            self._show_coverage()
        width, height = live.console.size
        return build(st, scr, width, height)

    def _show_coverage(self) -> None:
        cov, scr = self.coverage, self.scr
        ticked = {c["id"] for c in scr.checklist if c.get("ticked_at") is not None}
        scr.heard = cov.heard
        scr.not_yet = cov.not_yet(ticked)
        scr.live_note = (
            f"live coverage off: {cov.error}"
            if cov.error
            else None
            if cov.ready
            else "live coverage: loading the model…"
        )

    def ended(self, duration: float | None) -> str | None:
        """Why the screen must close now (the recorder stopped itself, or ``--duration``)."""
        if self.rec.finished.is_set():
            return self.rec.stop_reason or "error"
        if duration and self.scr.started and self.rec.part_seconds >= duration:
            return "duration"
        return None

    def key(self, ch: str) -> None:
        if self.label_for is not None:
            self._label_key(ch)
        elif not self.scr.started:
            self._ready_key(ch)
        else:
            self._recording_key(ch)

    def _label_key(self, ch: str) -> None:
        """Typing a marker's label: Enter keeps it, Esc takes the marker back."""
        scr = self.scr
        if ch in "\r\n":
            self.rec.label_marker(self.label_for, (scr.label_buf or "").strip())
            self.label_for, scr.label_buf = None, None
        elif ch == "\x1b":  # cancel: the marker goes again
            self.rec.drop_marker(self.label_for)
            self.label_for, scr.label_buf = None, None
        elif ch in "\x7f\b":
            scr.label_buf = (scr.label_buf or "")[:-1]
        elif len(ch) == 1 and ch.isprintable():
            scr.label_buf = (scr.label_buf or "") + ch

    def _ready_key(self, ch: str) -> None:
        """Before recording: scroll the purpose text, SPACE starts, q/s leave."""
        scr = self.scr
        if ch in SCROLL:
            scr.purpose_scroll = max(0, scr.purpose_scroll + SCROLL[ch])
        elif ch == " ":
            self.rec.start()
            scr.started = True
            if self.spoken_consent:
                self.rec.marker("spoken consent")
        elif ch in "qs":
            self.reason = "cancelled"
            self.stop_evt.set()

    def _recording_key(self, ch: str) -> None:
        rec, scr = self.rec, self.scr
        if ch == " ":
            rec.resume() if rec.status().state == "paused" else rec.pause()
        elif ch == "m":
            self.label_for, scr.label_buf = rec.marker(""), ""
        elif ch == "c" and scr.consent_open:
            scr.consent_open = False
            if self.on_spoken_consent:
                self.on_spoken_consent(rec.seconds)
        elif ch in ("s", "q"):  # twice within 3 s: a stray key never ends an interview
            if time.monotonic() < self.confirm_stop_until:
                self.stop_evt.set()
            else:
                self.confirm_stop_until = time.monotonic() + 3
        elif ch in scr.keymap:
            rec.tick(scr.keymap[ch])


def run_tui(
    rec: Recorder,
    stop_evt: threading.Event,
    *,
    duration: float | None = None,
    spoken_consent: bool = False,
    on_spoken_consent: Callable[[float], None] | None = None,
    lang: str = "en",
    purpose: str = "",
    resumed_at: float | None = None,
    coverage: Any = None,
) -> str:
    """Show the live screen until the user stops (or a signal/fault does); returns the reason.

    The screen is the whole terminal (alternate screen) and laid out by
    :func:`journeytape.recorder.screen.build` for its current size."""
    from rich.live import Live

    checklist = rec.log.data.get("checklist", [])
    screen = _LiveScreen(
        rec,
        stop_evt,
        ScreenState(
            path=str(rec.audio_path),
            consent_open=spoken_consent,
            purpose=purpose,
            checklist=checklist,
            keymap={TICK_KEYS[i]: it["id"] for i, it in enumerate(checklist[: len(TICK_KEYS)])},
            markers=rec.log.data.setdefault("markers", []),
            resumed_at=resumed_at,
        ),
        spoken_consent=spoken_consent,
        on_spoken_consent=on_spoken_consent,
        coverage=coverage,
    )
    rec.open()  # consent is on record: warm the device up so SPACE starts at once
    with (
        quiet_c_stderr(rec.folder / AUDIO_ERRORS),
        _Keys() as keys,
        Live(auto_refresh=False, screen=True, transient=True) as live,
    ):
        live.update(screen.render(live), refresh=True)
        while not stop_evt.is_set():
            ended = screen.ended(duration)
            if ended is not None:
                screen.reason = ended
                break
            k = keys.read(0.12)
            if keys.closed:  # the terminal window was closed: stop as if `s s` was pressed
                screen.reason = "SIGHUP"
                break
            for ch in split_keys(k or ""):
                screen.key(ch)
            live.update(screen.render(live), refresh=True)
    return screen.reason if screen.scr.started else "cancelled"


def run_plain(
    rec: Recorder,
    stop_evt: threading.Event,
    *,
    duration: float | None = None,
    out=sys.stderr,
    status_every: float = 10.0,
    live=None,
) -> str:
    """Record at once; read simple commands from stdin (if any) until stopped.

    Commands, one per line: ``m [label]`` marker, ``p`` pause, ``r`` resume, ``t ID`` tick,
    ``s`` stop. End of input is ignored (scripts may close stdin): stop with SIGINT/SIGTERM,
    ``--duration`` or ``s``.
    """
    rec.start()
    print(
        f"recording to {rec.folder} ({rec.fmt.samplerate} Hz, {rec.fmt.channels} ch, "
        f"device {rec.device.name!r})",
        file=out,
        flush=True,
    )

    if sys.stdin is not None and not sys.stdin.closed:
        threading.Thread(
            target=_read_commands, args=(rec, stop_evt, out), daemon=True, name="journeytape-stdin"
        ).start()
    reason = "user"
    last_status = time.monotonic()
    seen = 0.0
    while not stop_evt.wait(0.1):
        if rec.finished.is_set():
            reason = rec.stop_reason or "error"
            break
        if duration and rec.part_seconds >= duration:
            reason = "duration"
            break
        now = time.monotonic()
        for t, msg in rec.messages_since(seen):
            print(msg, file=out, flush=True)
            seen = t
        if now - last_status >= status_every:
            print(status_line(rec.status()), file=out, flush=True)
            last_status = now
    for _, msg in rec.messages_since(seen):
        print(msg, file=out, flush=True)
    return reason


def _read_commands(rec: Recorder, stop_evt: threading.Event, out: TextIO) -> None:
    """Plain mode's stdin commands, one per line, until ``s`` or the end of input."""
    with contextlib.suppress(Exception):
        for line in sys.stdin:
            cmd, _, arg = line.strip().partition(" ")
            if cmd in ("m", "marker"):
                m = rec.marker(arg.strip())
                print(f"marker at {m['t']:.1f} s {arg.strip()}", file=out, flush=True)
            elif cmd in ("p", "pause"):
                rec.pause()
            elif cmd in ("r", "resume"):
                rec.resume()
            elif cmd in ("t", "tick"):
                try:
                    rec.tick(arg.strip())
                except KeyError:
                    print(f"no checklist item {arg.strip()!r}", file=out, flush=True)
            elif cmd in ("s", "stop", "q", "quit"):
                stop_evt.set()
                return
