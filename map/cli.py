"""`journeytape map` (registered into the main `journeytape` app)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add this stage's subcommand to ``app``. Import nothing heavy at module level."""

    @app.command("map")
    def map_cmd(
        folder: Path = typer.Argument(
            ..., help="Folder of transcripts and annotations (reviewed with `journeytape review`)."
        ),
        guide: Path = typer.Option(..., "--guide", "-g", help="The interview guide (YAML)."),
        out: Path = typer.Option(None, "--out", "-o", help="Output folder (default: FOLDER)."),
        interview: list[str] = typer.Option(
            None, "--interview", "-i", help="Only these interviews (names as listed by review)."
        ),
    ) -> None:
        """Map one customer journey across all interviews of a study.

        Writes journey-map.html (self-contained; open it or print it to PDF), journey-map.json
        (the data, with evidence for every point) and interview-quality.md/.json. Built from
        the reviewed tags: rejected tags are left out, edits and added tags used, tags nobody
        reviewed yet are used and marked as such.
        """
        from rich.console import Console

        from journeytape.guide import GuideError, load_guide
        from journeytape.review.store import Workspace, WorkspaceError

        from .run import warnings_of, write_study

        console = Console(stderr=True)
        if not folder.is_dir():
            raise typer.BadParameter(f"{folder} is not a folder", param_hint="FOLDER")
        try:
            g = load_guide(guide)
        except GuideError as exc:
            raise typer.BadParameter(str(exc), param_hint="--guide") from None
        try:
            with Workspace(folder) as ws:
                report = ws.scan()
                for err in report.errors:
                    console.print(f"[red]skipped[/red] {err}")
                written = write_study(ws, g, out or folder, names=interview or None)
        except (WorkspaceError, ValueError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
        for p in written:
            console.print(f"wrote {p}")
        for w in warnings_of(written[0]):
            console.print(f"[yellow]warning:[/yellow] {w}")
