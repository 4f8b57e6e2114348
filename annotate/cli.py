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
    from journeytape.guide import GuideError, load_guide

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
    from journeytape.files import atomic_write_text
    from journeytape.guide import example_guide_text

    text = example_guide_text()
    if out is None:
        typer.echo(text, nl=False)
    else:
        if out.exists():
            typer.secho(f"error: {out} exists; not overwriting", fg="red", err=True)
            raise typer.Exit(2)
        atomic_write_text(out, text)
        typer.echo(f"wrote {out}; check it with `journeytape guide check {out}`")


_PATHS = typer.Argument(
    ..., help="Transcript files (*.transcript.json) or folders searched recursively for them."
)
_GUIDE = typer.Option(
    ..., "--guide", "-g", help="Interview guide YAML (`journeytape guide example`)."
)
_OUT = typer.Option(
    None,
    "--out",
    "-o",
    help="Write annotations and reports here (mirroring sub-folders) instead of beside "
    "each transcript.",
)
_FORCE = typer.Option(
    False, "--force", help="Re-annotate even when transcript, guide and rules are unchanged."
)
_EMOLEX = typer.Option(
    None,
    "--emolex",
    help="Optional NRC EmoLex JSON as LANG=FILE (repeatable; a bare FILE counts for every "
    "language), e.g. nl=.../emoatlas/langs/dutch.json. Research/non-commercial licence: it "
    "only adds to journeytape's own lexicon.",
)
_REPORTS = typer.Option(
    True, "--reports/--no-reports", help="Write <name>.report.md/.html per interview."
)
_LANGUAGE = typer.Option(
    None,
    "--language",
    "-l",
    help="Annotate as this language (en, nl, de) instead of the transcript's detected one, "
    "e.g. when speech recognition mistook Dutch for English.",
)


def annotate(
    paths: list[Path] = _PATHS,
    guide: Path = _GUIDE,
    out: Path | None = _OUT,
    force: bool = _FORCE,
    emolex: list[str] | None = _EMOLEX,
    reports: bool = _REPORTS,
    language: str | None = _LANGUAGE,
) -> None:
    """Tag transcripts: channels, touchpoints, goals, emotions, scores, expectations, peaks.

    Writes <name>.annotations.json (+ .report.md and .report.html) per transcript, and
    annotations-summary.md/.csv across all of them. Transcripts whose annotations are current
    (same transcript, guide and rules) are skipped; --force redoes them.

    Example: journeytape annotate transcripts/ --guide guide.yaml
    """
    from rich.console import Console

    console = Console(stderr=True, soft_wrap=True)  # errors name paths: never wrap them
    g, count, lexicons = _inputs(console, paths, guide, emolex or [])
    options = {"out": out, "force": force, "emolex": lexicons, "reports": reports}
    results = _annotate_all(console, paths, g, count, language=language, **options)
    done = [(r.name, r.annotations) for r in results if r.annotations is not None]
    if done:
        from journeytape.annotate.report import write_summary

        folder = out or (paths[0] if paths[0].is_dir() else paths[0].parent)
        labels = {it.id: it.label(g.languages[0]) for it in g.checklist}
        written = write_summary(done, folder, labels)
        n = len(done)
        console.print(f"summary of {n} interview{'s' * (n != 1)}: {written[0]}", highlight=False)
    errors = [r for r in results if r.status == "error"]
    if errors:
        console.print(f"[red]{len(errors)} of {len(results)} transcripts failed[/red]")
        raise typer.Exit(1)


def _inputs(console, paths: list[Path], guide: Path, emolex: list[str]):
    """The guide, how many transcripts there are and the EmoLex files; exit 2 naming the
    problem when one is missing or broken."""
    from journeytape.annotate.run import find_transcripts
    from journeytape.guide import GuideError, load_guide

    try:
        g = load_guide(guide)
        files = find_transcripts(paths)
        lexicons = _emolex_option(emolex)
    except (GuideError, FileNotFoundError) as exc:
        console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    if not files:
        console.print(
            f"[red]error:[/red] no *.transcript.json found in {', '.join(map(str, paths))}"
        )
        raise typer.Exit(2)
    for w in g.warnings:
        console.print(f"[yellow]guide warning:[/yellow] {w}", highlight=False)
    return g, len(files), lexicons


def _annotate_all(console, paths: list[Path], g, count: int, **options) -> list:
    """Annotate every transcript with a progress bar (on a terminal, for two or more)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from journeytape.annotate.run import annotate_paths
    from journeytape.guide import GuideError

    results = []
    with Progress(
        TextColumn("[bold]annotate[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=count < 2 or not console.is_terminal,
    ) as progress:
        task = progress.add_task("", total=count)

        def started(path: Path) -> None:
            progress.update(task, description=path.name)

        try:
            for r in annotate_paths(paths, g, on_start=started, **options):
                results.append(r)
                progress.advance(task)
                _print_result(console, r)
        except GuideError as exc:
            console.print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(2) from None
    return results


def _emolex_option(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        lang, sep, path = v.partition("=")
        if not sep or "/" in lang or len(lang) > 3:
            lang, path = "*", v
        if not Path(path).is_file():
            raise FileNotFoundError(f"--emolex {v}: no such file")
        out[lang] = path
    return out


def _print_result(console, r) -> None:
    if r.status == "error":
        console.print(f"[red]error[/red] {r.transcript}: {r.error}", highlight=False)
        return
    a = r.annotations
    covered = [c for c in a.coverage if c.covered]
    missing = [c.label for c in a.coverage if not c.covered]
    counts = {}
    for t in a.tags:
        counts[t.label] = counts.get(t.label, 0) + 1
    state = "annotated" if r.status == "annotated" else "up to date"
    console.print(
        f"[green]{state}[/green] {r.name} ({a.language}, {a.pipeline.get('name')}): "
        f"{len(covered)}/{len(a.coverage)} checklist items; "
        + ", ".join(f"{k.lower()} {v}" for k, v in counts.items()),
        highlight=False,
    )
    if missing:
        console.print("    never discussed: " + ", ".join(missing), highlight=False)


def register(app: typer.Typer) -> None:
    """Add this stage's subcommands to ``app``. Import nothing heavy at module level."""
    app.command("annotate")(annotate)
    app.add_typer(guide_app, name="guide")
