"""`journeytape review` and `journeytape export` (registered into the main `journeytape` app)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def format_help() -> str:
    """Every export format with its help, from the one registry (formats.REGISTRY)."""
    from . import formats

    return "; ".join(f"{f.name}: {f.help}" for f in formats.REGISTRY.values()) + "."


def register(app: typer.Typer) -> None:
    """Add this stage's subcommands to ``app``. Import nothing heavy at module level."""
    app.command("review")(review)
    app.command("export")(export)


def review(
    folder: Path = typer.Argument(
        ..., help="Folder with <name>.transcript.json (+ <name>.annotations.json) files."
    ),
    host: str = typer.Option(
        None,
        help="Address to listen on (default: a random 127.x.y.z loopback address, so the "
        "session cookie reaches no other local server). Keep it on loopback: interviews "
        "are personal data.",
    ),
    port: int = typer.Option(0, help="Port (0 = any free port)."),
    reviewer: str = typer.Option(
        None, help="Your name, stored with every decision (default: your login name)."
    ),
    browser: bool = typer.Option(True, "--browser/--no-browser", help="Open the browser."),
) -> None:
    """Review auto-tagged transcripts in your browser.

    Listen from any sentence, accept, reject, edit or add tags, correct misheard words,
    rename speakers, search across interviews and export. Decisions are saved at once
    in FOLDER/.journeytape/workspace.sqlite (the JSON files are never changed) and
    survive re-annotation. The app listens on 127.0.0.1 only and needs the secret link
    it prints.
    """
    from rich.console import Console

    from .app import LOOPBACK, serve

    console = Console(stderr=True)
    if not folder.is_dir():
        raise typer.BadParameter(f"{folder} is not a folder", param_hint="FOLDER")
    if host is not None and host not in LOOPBACK:
        console.print(
            f"[yellow]Listening on {host}: anyone who can reach this machine and has the "
            "link can read the interviews.[/yellow]"
        )
    _index(console, folder, reviewer)

    def ready(url: str) -> None:
        console.print(f"Review app: [bold]{url}[/bold]\nPress Ctrl-C to stop.")

    try:
        serve(folder, host=host, port=port, reviewer=reviewer, open_browser=browser, ready=ready)
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot listen on {host or 'loopback'}:{port}: {exc.strerror}",
            param_hint="--port",
        ) from None
    except KeyboardInterrupt:
        console.print("Stopped. Every decision is saved.")


def _index(console: Any, folder: Path, reviewer: str | None) -> None:
    """Bring the workspace up to date before serving it, and say what was found."""
    from .store import Workspace, WorkspaceError

    try:
        with Workspace(folder, reviewer) as ws:
            report = ws.scan()
    except WorkspaceError as exc:
        raise typer.BadParameter(str(exc), param_hint="FOLDER") from None
    console.print(
        f"Indexed {len(report.added) + len(report.updated) + len(report.unchanged)} "
        f"interview(s) in {folder} ({len(report.added)} new, {len(report.updated)} changed)."
    )
    for err in report.errors:
        console.print(f"[red]skipped[/red] {err}")
    if report.orphans:
        console.print(
            f"[yellow]{len(report.orphans)} earlier decision(s) no longer match a tag or "
            "word (kept; listed on the start page).[/yellow]"
        )


def export(
    folder: Path = typer.Argument(..., help="Folder reviewed with `journeytape review`."),
    fmt: list[str] = typer.Option(
        ["csv"], "--format", "-f", help=format_help() + " Repeat for several."
    ),
    out: Path = typer.Option(
        None,
        "--out",
        "-o",
        help="Output file (one format) or folder (default: FOLDER/exports/).",
    ),
    interview: list[str] = typer.Option(
        None, "--interview", "-i", help="Only these interviews (names as listed by review)."
    ),
    accepted_only: bool = typer.Option(
        False, "--accepted-only", help="Leave out tags nobody has reviewed yet."
    ),
    audio: bool = typer.Option(
        True, "--audio/--no-audio", help="qdpx: put the recordings in the project."
    ),
) -> None:
    """Export reviewed tags (excerpts, QDA project, timeline, report), corrected transcripts.

    Rejected tags are left out; edits, added tags, corrected words and renamed speakers
    are applied. Examples:

      journeytape export transcripts/ -f qdpx -o study.qdpx

      journeytape export transcripts/ -f csv -f xlsx -f timeline -f md

      journeytape export transcripts/ -f corrected -o corrected/
    """
    from rich.console import Console

    from . import formats
    from .qdpx import QdpxError
    from .store import Workspace, WorkspaceError

    console = Console(stderr=True)
    bad = [f for f in fmt if f not in formats.REGISTRY]
    if bad:
        raise typer.BadParameter(
            f"unknown format {', '.join(bad)}; choose from {', '.join(formats.REGISTRY)}",
            param_hint="--format",
        )
    if not folder.is_dir():
        raise typer.BadParameter(f"{folder} is not a folder", param_hint="FOLDER")
    try:
        with Workspace(folder) as ws:
            for err in ws.scan().errors:
                console.print(f"[red]skipped[/red] {err}")
            for f in dict.fromkeys(fmt):
                target = formats.output_path(f, out, folder, len(fmt))
                written = formats.export(
                    ws,
                    f,
                    target,
                    names=interview or None,
                    include_pending=not accepted_only,
                    include_audio=audio,
                )
                for p in written:
                    console.print(f"{f}: wrote {p}")
    except (WorkspaceError, ValueError, QdpxError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
