"""What `journeytape record` tells the interviewer: one-line failures (no traceback), audio
lengths in words, and the command to run next (or why not to)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``journeytape record: <message>`` on stderr; raise the returned exit."""
    from rich.console import Console

    Console(stderr=True).print(
        f"[bold red]journeytape record:[/] {escape(message)}", highlight=False
    )
    return typer.Exit(code)


def length(seconds: float) -> str:
    """An audio length for messages: '12 min 05 s', '48 s'."""
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s // 60 % 60:02d} min"


def next_step(folder: Path) -> str:
    """What to run next, unless the interviewee did not agree to transcription."""
    from journeytape.consent import allowed

    if allowed(folder, "transcription") is False:
        return (
            "The interviewee did not agree to transcription: keep it as audio only "
            "(do not run journeytape transcribe on it)."
        )
    return f"Next: journeytape transcribe {folder}"


def say_audio_errors(folder: Path, console: Any) -> None:
    """Plain mode keeps the audio system's C-level noise out of the output; say where it is."""
    from journeytape.recorder.tui import AUDIO_ERRORS

    log = folder / AUDIO_ERRORS
    if log.exists():
        n = len(log.read_text("utf-8", "replace").splitlines())
        console.print(f"The audio system printed {n} lines of errors; they are in {log}.")
