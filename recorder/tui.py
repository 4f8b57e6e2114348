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
from typing import Any

from journeytape.recorder.capture import Recorder, Status

#: keys for ticking checklist items, in order (m, p, s, q, c and space are taken)
TICK_KEYS = "1234567890abdefghijklnortuvwxyz"


def fmt_time(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:d}:{s // 60 % 60:02d}:{s % 60:02d}"


def level_bar(db: float, width: int = 30) -> str:
    frac = min(1.0, max(0.0, (db + 60) / 60))
    n = int(frac * width)
    colour = "red" if db > -1 else "yellow" if db > -12 else "green"
    return f"[{colour}]{'█' * n}[/{colour}]{'·' * (width - n)} {db:6.1f} dBFS"


def status_line(st: Status) -> str:
    """One line for plain mode and logs."""
    warn = []
    if st.clipping:
        warn.append("CLIPPING")
    if st.no_signal:
        warn.append("NO SIGNAL")
    return (
        f"{st.state:<11} {fmt_time(st.seconds)}  level {st.peak_db:6.1f} dBFS  "
        f"disk {st.seconds_left / 60:.0f} min left  overflows {st.input_overflows}  "
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


@contextlib.contextmanager
def _quiet_c_stderr(log_path):
    """ALSA/PortAudio print C-level errors straight to fd 2 (e.g. when a microphone is pulled
    out), which would tear the live screen: send them to a hidden log in the session folder
    while the screen runs."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        os.close(saved)
        yield
        return
    os.dup2(fd, 2)
    os.close(fd)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        with contextlib.suppress(OSError):
            if log_path.stat().st_size == 0:
                log_path.unlink()


def run_tui(
    rec: Recorder,
    stop_evt: threading.Event,
    *,
    duration: float | None = None,
    spoken_consent: bool = False,
    on_spoken_consent=None,
    lang: str = "en",
) -> str:
    """Show the live screen until the user stops (or a signal/fault does); returns the reason."""
    from rich.console import Group
    from rich.live import Live
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    checklist = rec.log.data.get("checklist", [])
    keymap = {TICK_KEYS[i]: it["id"] for i, it in enumerate(checklist[: len(TICK_KEYS)])}
    label_for: dict[str, Any] | None = None
    label_buf = ""
    confirm_stop_until = 0.0
    started = False
    consent_open = spoken_consent
    reason = "user"

    def render():
        st = rec.status()
        head = Table.grid(padding=(0, 2))
        head.add_column()
        head.add_column()
        state_style = {
            "recording": "bold white on red",
            "paused": "bold black on yellow",
            "device-lost": "bold white on magenta",
        }.get(st.state, "bold")
        state = " ● REC " if st.state == "recording" else f" {st.state.upper()} "
        if not started:
            state = " READY (not recording) "
        head.add_row(Text(state, style=state_style), Text(fmt_time(st.seconds), style="bold"))
        head.add_row("input", Text.from_markup(level_bar(st.peak_db)))
        warn = []
        if st.clipping:
            warn.append("[bold red]CLIPPING – move the microphone away or speak softer[/]")
        if st.no_signal and st.state == "recording":
            warn.append("[bold yellow]NO SIGNAL – is the microphone on and unmuted?[/]")
        head.add_row("", Text.from_markup("  ".join(warn) or "[dim]level ok[/]"))
        disk_style = "red" if st.seconds_left < rec.warn_seconds_left else "default"
        head.add_row(
            "disk",
            Text(
                f"{st.seconds_left / 60:.0f} min of audio left ({st.free_bytes / 2**30:.1f} GiB)",
                style=disk_style,
            ),
        )
        lost = st.input_overflows + st.dropped_frames
        head.add_row(
            "lost",
            Text(
                f"{st.input_overflows} overflows, {st.dropped_frames} dropped frames, "
                f"{st.gaps} device gaps",
                style="bold red" if lost or st.gaps else "dim",
            ),
        )
        cells = []
        for key, item_id in keymap.items():
            it = next(x for x in checklist if x["id"] == item_id)
            done = it.get("ticked_at") is not None
            mark = "[green]✔[/]" if done else "☐"
            kind = "[dim]ch[/]" if it.get("kind") == "channel" else "[dim]tp[/]"
            label = escape(it.get("label") or item_id)
            cells.append(f"[bold]{key}[/] {mark} {label} {kind}")
        ncol = 1 if len(cells) <= 8 else 2 if len(cells) <= 24 else 3
        rows = -(-len(cells) // ncol)
        cl = Table(show_header=False, box=None, padding=(0, 2))
        for _ in range(ncol):
            cl.add_column()
        for r in range(rows):
            cl.add_row(
                *[cells[c * rows + r] if c * rows + r < len(cells) else "" for c in range(ncol)]
            )
        marks = rec.log.data.get("markers", [])[-5:]
        mk = "\n".join(f"{fmt_time(m['t'])}  {m.get('label') or '(marker)'}" for m in marks)
        parts: list[Any] = [head]
        if checklist:
            parts += [Text("\nChecklist", style="bold"), cl]
        parts += [Text("\nMarkers", style="bold"), Text(mk or "—", style="dim" if not mk else "")]
        for m in st.messages[-3:]:
            parts.append(Text(m, style="bold yellow"))
        if label_for is not None:
            parts.append(Text(f"\nMarker label: {label_buf}▏ (Enter = save, Esc = none)"))
        elif not started:
            parts.append(Text("\nRead the purpose text, then press SPACE to start recording."))
        elif consent_open:
            parts.append(
                Text("\nAsk for spoken consent now; press c when the interviewee said yes.")
            )
        keys = "space pause/resume · m marker · s stop"
        if keymap:
            keys += " · " + f"{next(iter(keymap))}…{list(keymap)[-1]} tick"
        return Panel(Group(*parts), title="journeytape record", subtitle=keys)

    rec.open()  # consent is on record: warm the device up so SPACE starts at once
    with (
        _quiet_c_stderr(rec.folder / ".audio-errors.log"),
        _Keys() as keys,
        Live(render(), refresh_per_second=8, screen=False) as live,
    ):
        while not stop_evt.is_set():
            if rec.finished.is_set():
                reason = rec.stop_reason or "error"
                break
            if duration and started and rec.seconds >= duration:
                reason = "duration"
                break
            k = keys.read(0.12)
            if keys.closed:  # the terminal window was closed: stop as if `s s` was pressed
                reason = "SIGHUP"
                break
            if k:
                for ch in k:
                    if label_for is not None:
                        if ch in "\r\n":
                            rec.label_marker(label_for, label_buf.strip())
                            label_for, label_buf = None, ""
                        elif ch == "\x1b":
                            label_for, label_buf = None, ""
                        elif ch in "\x7f\b":
                            label_buf = label_buf[:-1]
                        elif ch.isprintable():
                            label_buf += ch
                        continue
                    if not started:
                        if ch == " ":
                            rec.start()
                            started = True
                            if spoken_consent:
                                rec.marker("spoken consent")
                        elif ch in "qs":
                            reason = "cancelled"
                            stop_evt.set()
                        continue
                    if ch == " ":
                        rec.resume() if rec.status().state == "paused" else rec.pause()
                    elif ch == "m":
                        label_for, label_buf = rec.marker(""), ""
                    elif ch == "c" and consent_open:
                        consent_open = False
                        if on_spoken_consent:
                            on_spoken_consent(rec.seconds)
                    elif ch in "sq":
                        if time.monotonic() < confirm_stop_until:
                            stop_evt.set()
                        else:
                            confirm_stop_until = time.monotonic() + 3
                            rec.say("Press s again within 3 s to stop recording.")
                    elif ch in keymap:
                        rec.tick(keymap[ch])
            live.update(render())
    return reason if started else "cancelled"


def run_plain(
    rec: Recorder,
    stop_evt: threading.Event,
    *,
    duration: float | None = None,
    out=sys.stderr,
    status_every: float = 10.0,
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

    def reader() -> None:
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

    if sys.stdin is not None and not sys.stdin.closed:
        threading.Thread(target=reader, daemon=True, name="journeytape-stdin").start()
    reason = "user"
    last_status = time.monotonic()
    seen = 0.0
    while not stop_evt.wait(0.1):
        if rec.finished.is_set():
            reason = rec.stop_reason or "error"
            break
        if duration and rec.seconds >= duration:
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
