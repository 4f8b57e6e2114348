"""What the person running a batch sees and does: progress bars, log lines, Ctrl-C, the summary.

On a terminal a batch shows live bars; in a log (not a terminal) one plain line per finished
file. Ctrl-C stops cleanly (:class:`CtrlC`), and the summary is one table line per file plus
the counts and the exit status. Local runs (transcribe/batch.py) and cluster runs
(transcribe/cluster.py) show the same.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

from journeytape.presentation import clock
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
        bits += [_length(o.duration), o.language or "", f"{o.speed:.1f}x" if o.speed else ""]
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

    folder = _common_folder([o.source for o in outcomes])
    title = "journeytape transcribe" + (f" · {folder}/" if folder else "")
    table = Table(title=title, show_lines=False, expand=False)
    names = [str(o.source.relative_to(folder)) if folder else str(o.source) for o in outcomes]
    # names up to 30 characters stay whole; the note column folds first
    table.add_column("file", overflow="fold", min_width=min(30, max(map(len, names), default=4)))
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
    for o, name in zip(outcomes, names, strict=True):
        if fold and o.status == DONE and not o.warnings:
            continue
        note = o.note or ("; ".join(o.warnings[:2]) + (" …" if len(o.warnings) > 2 else ""))
        table.add_row(
            name,
            f"[{style.get(o.status, '')}]{o.status}[/]",
            _length(o.duration),
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


def _length(seconds: float | None) -> str:
    """How long a recording is, or nothing when unknown (a file that failed to decode)."""
    return clock(seconds) if seconds is not None else ""


def _common_folder(sources: list[Path]) -> Path | None:
    """The folder every file is in (shown once in the title, so the file column holds
    names that fit 80 columns); None when there is no such folder below ``.``."""
    try:
        folder = Path(os.path.commonpath([p.parent for p in sources])) if sources else None
    except ValueError:  # absolute and relative paths mixed
        return None
    return folder if folder and str(folder) not in (".", "/") else None
