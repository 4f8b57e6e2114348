"""The `journeytape` command: a thin face that parses arguments and calls the stages.

Each stage registers its own subcommands from its ``cli`` module (``register(app)``), so the
stages stay independent and this file only lists them. Stage CLI modules import nothing heavy
at module level: `journeytape --help` and `journeytape record` must start instantly.
"""

from __future__ import annotations

import importlib
import inspect
import re

import typer

from journeytape import __version__

app = typer.Typer(
    name="journeytape",
    help=(
        "Record, transcribe, speaker-separate and auto-tag customer-journey interviews, "
        "entirely on this machine.\n\n"
        "Typical flow: [bold]record[/bold] (or copy phone recordings into a folder) → "
        "[bold]transcribe[/bold] → [bold]annotate[/bold] --guide guide.yaml → "
        "[bold]review[/bold]. Nothing is sent over the network; models come from installed "
        "packages or paths you give ([bold]journeytape models[/bold] lists them)."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: stage modules that contribute subcommands, in the order `--help` lists them
STAGES = (
    "journeytape.recorder.cli",
    "journeytape.transcribe.cli",
    "journeytape.transcribe.speakers",
    "journeytape.annotate.cli",
    "journeytape.review.cli",
    "journeytape.map.cli",
    "journeytape.models.cli",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"journeytape {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """journeytape: offline interview pipeline."""


def reflow(text: str) -> str:
    """Join the hard line breaks of a docstring's paragraphs, so the terminal wraps them.

    Typer's rich help keeps every newline of a docstring: a paragraph written at 92 columns
    came out as ragged 80-column lines with one word on every other line. Paragraphs that
    hold examples or lists (an indented line, or one starting with ``-``, ``*``, ``1.``) keep
    their lines."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    keep = re.compile(r"^(\s|[-*] |\d+\. )")
    return "\n\n".join(
        p if any(keep.match(line) for line in p.splitlines()) else " ".join(p.split())
        for p in paragraphs
    )


def _reflow_commands(typer_app: typer.Typer) -> None:
    """Apply :func:`reflow` to every command's help, in sub-apps too."""
    for info in typer_app.registered_commands:
        doc = info.help or (info.callback and info.callback.__doc__)
        if doc:
            info.help = reflow(doc)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _reflow_commands(group.typer_instance)


for _name in STAGES:
    importlib.import_module(_name).register(app)
_reflow_commands(app)


if __name__ == "__main__":
    app()
