"""`journeytape annotate` and `journeytape guide`: tag transcripts against an interview guide.

Only typer is imported here; spaCy loads inside the command (``journeytape --help`` stays
instant).
"""

from __future__ import annotations

from pathlib import Path

import typer

guide_app = typer.Typer(
    help="Interview guides: check one, or print the shipped service-desk example (EN/NL/DE).",
    no_args_is_help=True,
)


@guide_app.command("check")
def guide_check(
    path: Path = typer.Argument(..., help="The guide YAML file to validate."),
) -> None:
    """Validate a guide; errors name the line. Prints what the annotator will look for."""
    from journeytape.annotate.guide import GuideError, load_guide

    try:
        g = load_guide(path)
    except GuideError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{path}: OK — journey {g.journey!r}, languages {', '.join(g.languages)}")
    typer.echo(
        f"  {len(g.channels)} channels: {', '.join(it.id for it in g.channels)}\n"
        f"  {len(g.touchpoints)} touchpoints: {', '.join(it.id for it in g.touchpoints)}\n"
        f"  {len(g.questions)} questions, {len(g.scenarios)} scenarios, "
        f"consent text: {'yes' if g.consent else 'no'}"
    )
    for w in g.warnings:
        typer.secho(f"  warning: {w}", fg="yellow")


@guide_app.command("example")
def guide_example(
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write to this file instead of printing."
    ),
) -> None:
    """Print the shipped example guide (service desk: onboarding, broken laptop, Outlook)."""
    from journeytape.annotate.guide import example_guide_text
    from journeytape.files import atomic_write_text

    text = example_guide_text()
    if out is None:
        typer.echo(text, nl=False)
    else:
        if out.exists():
            typer.secho(f"error: {out} exists; not overwriting", fg="red", err=True)
            raise typer.Exit(2)
        atomic_write_text(out, text)
        typer.echo(f"wrote {out}; check it with `journeytape guide check {out}`")


def register(app: typer.Typer) -> None:
    """Add this stage's subcommands to ``app``. Import nothing heavy at module level."""
    app.add_typer(guide_app, name="guide")
