"""What the person running a batch sees and does: progress bars, log lines, Ctrl-C, the summary.

On a terminal a batch shows live bars; in a log (not a terminal) one plain line per finished
file. Ctrl-C stops cleanly (:class:`CtrlC`), and the summary is one table line per file plus
the counts and the exit status. Local runs (transcribe/batch.py) and cluster runs
(transcribe/cluster.py) show the same.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

from journeytape.transcribe.jobs import (
    DONE,
    FAILED,
    IGNORED,
    INTERRUPTED,
    PENDING,
    SKIPPED,
    Outcome,
)


class CtrlC:
    """Ctrl-C that cannot get lost.

    Python raises KeyboardInterrupt wherever the main thread happens to be; inside a
    finaliser run by the garbage collector (PyAV's resampler, onnxruntime) it is printed and
    swallowed, and inside FFmpeg it can surface as a decoding error. So the handler also
    records the request, and :meth:`check` (called from progress callbacks and before
    outputs are written) raises it again.
    """

    def __enter__(self) -> CtrlC:
        self.requested = False
        self._old = None
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum, frame) -> None:
        self.requested = True
        raise KeyboardInterrupt

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt

    def __exit__(self, *exc) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def log_line(o: Outcome) -> str:
    bits = [o.status]
    if o.status == DONE:
        bits += [_dur(o.duration), o.language or "", f"{o.speed:.1f}x" if o.speed else ""]
    text = f"{o.source}: " + " ".join(b for b in bits if b)
    note = o.note or "; ".join(o.warnings)
    return f"{text} ({note})" if note else text


def speed(audio: float, seconds: float) -> str:
    return f"{audio / seconds:4.1f}x real time" if seconds > 0 and audio else ""


def short(p: Path, width: int = 28) -> str:
    s = p.name
    return s if len(s) <= width else "…" + s[-(width - 1) :]


def make_progress(console: Any, enabled: bool) -> Any:
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<28}"),
        BarColumn(bar_width=16),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=not enabled,
    )


# -- summary -------------------------------------------------------------------------------


def exit_code(outcomes: list[Outcome]) -> int:
    if any(o.status in (INTERRUPTED, PENDING) for o in outcomes):
        return 130
    return 1 if any(o.status == FAILED for o in outcomes) else 0


def summary_table(outcomes: list[Outcome], max_done_rows: int = 50):
    """A rich Table: one line per file (done files folded into a count when there are many)."""
    from rich.table import Table

    table = Table(title="journeytape transcribe", show_lines=False, expand=False)
    table.add_column("file", overflow="fold")
    table.add_column("status")
    table.add_column("audio", justify="right")
    table.add_column("lang")
    table.add_column("speed", justify="right")
    table.add_column("note", overflow="fold")
    style = {
        DONE: "green",
        SKIPPED: "cyan",
        FAILED: "bold red",
        IGNORED: "dim",
        INTERRUPTED: "yellow",
        PENDING: "yellow",
    }
    done = [o for o in outcomes if o.status == DONE]
    fold = len(done) > max_done_rows
    for o in outcomes:
        if fold and o.status == DONE and not o.warnings:
            continue
        note = o.note or ("; ".join(o.warnings[:2]) + (" …" if len(o.warnings) > 2 else ""))
        table.add_row(
            str(o.source),
            f"[{style.get(o.status, '')}]{o.status}[/]",
            _dur(o.duration),
            o.language or "",
            f"{o.speed:.1f}x" if o.speed else "",
            note,
        )
    if fold:
        table.caption = f"{sum(1 for o in done if not o.warnings)} more done without warnings"
    return table


def counts_line(outcomes: list[Outcome]) -> str:
    order = [DONE, SKIPPED, FAILED, IGNORED, INTERRUPTED, PENDING]
    n = {s: sum(1 for o in outcomes if o.status == s) for s in order}
    return ", ".join(f"{n[s]} {s}" for s in order if n[s]) or "nothing to do"


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(round(seconds))
    return (
        f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )
