"""Sessions whose recorder died (crash, kill -9, power cut): found under ``--out`` at every
start (and by ``--recover``), repaired and closed so that `journeytape transcribe` can read
them. ``--resume`` (:mod:`.resume`) continues one instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape

from journeytape.recorder.messages import fail, length, next_step


def recover_all(out: Path, console: Any, ask: bool, say_none: bool = False) -> None:
    """Repair and close sessions under ``out`` (or ``out`` itself) whose recorder died;
    ``ask``: one question per session first (interactive starts)."""
    from journeytape.recorder.session import SessionError, find_unfinished, recover

    if (out / "session.json").exists():
        targets = [u for u in find_unfinished(out.parent) if u.folder.resolve() == out.resolve()]
    else:
        targets = find_unfinished(out)
    if not targets and say_none:
        console.print(f"No unfinished sessions in {escape(str(out))}.")
    for u in targets:
        if ask and not _may_repair(u):
            continue
        try:
            info = recover(u.folder)
        except SessionError as exc:
            console.print(f"[yellow]{escape(str(exc))}[/]")
            continue
        console.print(
            f"Recovered [bold]{escape(str(u.folder))}[/]: {info['seconds']:.1f} s of audio kept"
            + (
                f", cut {info['torn_bytes']} bytes of a half-written frame"
                if info["torn_bytes"]
                else ""
            )
            + ". "
            + next_step(u.folder)
        )


def _may_repair(u: Any) -> bool:
    """Ask before repairing (Ctrl-C or end of input cancels the whole run, exit 130)."""
    from rich.prompt import Confirm

    try:
        return Confirm.ask(
            f"Unfinished session [bold]{escape(u.folder.name)}[/] (started "
            f"{u.started}, {length(u.part_seconds)} of audio). Repair and close it "
            f"now? (To record more into it: journeytape record --resume {u.folder})",
            default=True,
        )
    except (KeyboardInterrupt, EOFError):
        raise fail("cancelled: nothing was repaired, asked or recorded", 130) from None
