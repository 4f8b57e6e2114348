"""`journeytape models`: what weights are here, and how to get the missing ones."""

from __future__ import annotations

import typer


def models(
    prepare: bool = typer.Option(
        False,
        "--prepare",
        help="Assemble split models into the cache and verify every checksum now, instead of "
        "on first use (useful before going somewhere without power or disk to spare).",
    ),
) -> None:
    """List the embedded models: installed or not, size, licence and location.

    Every default model comes from an installed Python package; nothing is downloaded. A
    missing one shows the exact pip command that installs it.
    """
    from rich.console import Console
    from rich.table import Table

    from journeytape.models import registry

    console = Console()
    failed = False
    if prepare:
        for spec in registry.REGISTRY.values():
            try:
                path = registry.model_path(spec.name)
                console.print(f"[green]ready[/green] {spec.name}: {path}")
            except registry.ModelError as exc:
                failed = True
                console.print(f"[red]missing[/red] {spec.name}: {exc}")
    table = Table(title=f"journeytape models (cache: {registry.cache_dir()})")
    for col in ("name", "kind", "status", "size", "licence", "location / fix"):
        table.add_column(col, overflow="fold")
    for st in registry.statuses():
        if not st.installed:
            state, where = "[red]missing[/red]", st.problem
            failed = True
        else:
            state = "[green]ready[/green]" if st.ready else "[yellow]installed[/yellow]"
            where = st.location
        name = st.spec.name + (f" ({', '.join(st.spec.aliases)})" if st.spec.aliases else "")
        table.add_row(
            name, st.spec.kind, state, f"{st.size_bytes / 1e6:.0f} MB", st.spec.licence, where
        )
    console.print(table)
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("models")(models)
