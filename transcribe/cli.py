"""Subcommands of this stage (registered into the main `journeytape` app).

Nothing heavy is imported at module level: `journeytape --help` must stay instant.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from journeytape.transcribe.settings import DEFAULT_LANGUAGES, OUTPUT_FORMATS


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (value or "").split(",") if x.strip())


_RAY = "Ray cluster"


def transcribe(
    paths: list[Path] = typer.Argument(
        ..., help="Recordings and/or folders (searched recursively).", show_default=False
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write outputs here, mirroring the folder structure below each given folder. "
        "Default: beside each recording.",
    ),
    model: str = typer.Option(
        "base",
        "--model",
        "-m",
        help="Embedded model (base, tiny.en), a local CTranslate2 Whisper folder, or a hub id "
        "already in the local cache. `journeytape models` lists what is installed.",
    ),
    language: str | None = typer.Option(
        None, "--language", "-l", help="Fix the language (e.g. nl) instead of detecting it."
    ),
    languages: str = typer.Option(
        ",".join(DEFAULT_LANGUAGES),
        "--languages",
        help="Detect the language only among these (comma-separated ISO codes).",
    ),
    compute_type: str = typer.Option(
        "int8", "--compute-type", help="CTranslate2 compute type: int8 (fast on CPU), float32, …"
    ),
    beam_size: int = typer.Option(5, "--beam-size", min=1, help="Beam search width."),
    batch_size: int = typer.Option(
        8, "--batch-size", min=1, help="Speech chunks decoded together; 1 = sequential decoder."
    ),
    no_vad: bool = typer.Option(
        False,
        "--no-vad",
        help="Do not skip non-speech with Silero VAD (slower; more risk of "
        "hallucinated text in silence).",
    ),
    formats: str = typer.Option(
        ",".join(OUTPUT_FORMATS),
        "--formats",
        help="Output formats (comma-separated): json,txt,md,srt,vtt,rttm. The JSON is always "
        "written; rttm only when speakers are known.",
    ),
    threads: int = typer.Option(0, "--threads", min=0, help="CPU threads (0 = all cores)."),
    force: bool = typer.Option(
        False, "--force", "-f", help="Redo recordings that already have an up-to-date transcript."
    ),
    diarize: bool = typer.Option(
        True, "--diarize/--no-diarize", help="Separate speakers (who spoke when)."
    ),
    num_speakers: int | None = typer.Option(
        None, "--num-speakers", min=1, help="Exact number of speakers, when known."
    ),
    min_speakers: int | None = typer.Option(None, "--min-speakers", min=1),
    max_speakers: int | None = typer.Option(None, "--max-speakers", min=1),
    interviewer_voice: Path | None = typer.Option(
        None,
        "--interviewer-voice",
        help="A short recording of the interviewer alone, to label their turns 'Interviewer'.",
    ),
    hotwords_guide: Path | None = typer.Option(
        None,
        "--hotwords-guide",
        help="An interview guide: its checklist words (per language) are passed to Whisper as "
        "hotwords, so product and channel names are heard right.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    ray: bool = typer.Option(
        False,
        "--ray",
        help="Transcribe on a Ray cluster, files in parallel (docs/ray.md); outputs are the "
        "same. Needs pip install 'journeytape\\[ray]'.",
        rich_help_panel=_RAY,
    ),
    ray_address: str = typer.Option(
        "auto",
        "--ray-address",
        envvar="RAY_ADDRESS",
        help="The cluster's head, host:port; auto = the one `ray start` runs on this machine.",
        rich_help_panel=_RAY,
    ),
    ray_cpus: int = typer.Option(
        2, "--ray-cpus", min=1, help="CPUs each worker takes (and uses).", rich_help_panel=_RAY
    ),
    ray_memory: float | None = typer.Option(
        None,
        "--ray-memory",
        min=0.1,
        help="GB of memory each worker takes (default: 3 with speaker separation, else 1.5).",
        show_default=False,
        rich_help_panel=_RAY,
    ),
    ray_workers: int | None = typer.Option(
        None,
        "--ray-workers",
        min=1,
        help="Number of workers (default: as many as the nodes' CPUs and memory hold).",
        show_default=False,
        rich_help_panel=_RAY,
    ),
    ray_upload_mb: int = typer.Option(
        256,
        "--ray-upload-mb",
        min=0,
        help="Largest recording (MB) sent through Ray's object store.",
        rich_help_panel=_RAY,
    ),
    ray_audio: str = typer.Option(
        "auto",
        "--ray-audio",
        help="How recordings reach the workers: auto (by path on a shared filesystem, else "
        "through Ray's object store), path (shared filesystem only), upload (object store).",
        rich_help_panel=_RAY,
    ),
) -> None:
    """Transcribe recordings into JSON, txt, md, srt, vtt and rttm (see HELP)."""
    from rich.console import Console
    from rich.markup import escape

    from journeytape.models.registry import ModelError
    from journeytape.transcribe import batch
    from journeytape.transcribe.asr import AsrError
    from journeytape.transcribe.settings import TranscribeSettings

    err = Console(stderr=True)
    fmts = _csv(formats)
    bad = [f for f in fmts if f not in OUTPUT_FORMATS]
    if bad:
        raise typer.BadParameter(
            f"unknown format(s) {', '.join(bad)}; choose from {','.join(OUTPUT_FORMATS)}",
            param_hint="--formats",
        )
    langs = _csv(languages)
    if not langs and not language:
        raise typer.BadParameter("give at least one language", param_hint="--languages")
    if interviewer_voice is not None and not interviewer_voice.is_file():
        raise typer.BadParameter(
            f"{interviewer_voice} is not a file", param_hint="--interviewer-voice"
        )
    hotwords = None
    if hotwords_guide is not None:
        from journeytape.guide import GuideError, load_guide

        try:
            hotwords = load_guide(hotwords_guide).hotwords()
        except (OSError, GuideError) as exc:
            raise typer.BadParameter(str(exc), param_hint="--hotwords-guide") from None
    settings = TranscribeSettings(
        hotwords=hotwords,
        model=model,
        language=language,
        languages=langs,
        compute_type=compute_type,
        beam_size=beam_size,
        batch_size=batch_size,
        vad=not no_vad,
        diarize=diarize,
        num_speakers=num_speakers,
        min_speakers=min_speakers,
        max_speakers=max_speakers,
        interviewer_voice=str(interviewer_voice.resolve()) if interviewer_voice else None,
        threads=threads,
        formats=fmts,
    )
    executor, errors = None, (ModelError, AsrError)
    if ray:  # Ray is optional and heavy: imported only here (transcribe/cluster.py)
        from journeytape.transcribe.cluster import ClusterError, RayExecutor

        errors = (*errors, ClusterError)
        try:
            executor = RayExecutor(
                address=ray_address,
                cpus=ray_cpus,
                memory_gb=ray_memory,
                workers=ray_workers,
                upload_mb=ray_upload_mb,
                audio=ray_audio,
            )
        except ClusterError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}")
            raise typer.Exit(2) from None
    try:
        outcomes = batch.run(
            paths,
            settings,
            out=out,
            force=force,
            console=err,
            show_progress=not quiet,
            executor=executor,
        )
    except errors as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("[yellow]stopped by Ctrl-C before any recording was transcribed[/]")
        raise typer.Exit(130) from None

    # in logs (not a terminal) keep one line per file instead of wrapping at 80 columns
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    console = Console(width=160 if wide else None)
    if outcomes:
        console.print(batch.summary_table(outcomes))
    console.print(batch.counts_line(outcomes))
    code = batch.exit_code(outcomes)
    if code == 130:
        console.print(
            "[yellow]Stopped by Ctrl-C.[/] Finished recordings are complete; run the same "
            "command again to continue with the rest."
        )
    raise typer.Exit(code)


HELP = (
    "Transcribe recordings (any phone or video format) into JSON, txt, md, srt, vtt and rttm."
    "\n\n"
    "Runs entirely on this machine. Every recording NAME.ext gets [bold]NAME.transcript.json"
    "[/bold] (word timestamps, language, models and settings; described in the README) plus "
    "readable (txt, md) and subtitle (srt, vtt) files. Recordings already transcribed with "
    "the same settings are skipped, so running the same command again only processes new "
    "files. Bad files get one line in the final summary and never stop the batch; the exit "
    "status is 1 if any file failed (130 after Ctrl-C, which stops cleanly: finished files "
    "are complete, nothing is half-written)."
    "\n\n"
    "[bold]Examples[/bold]\n\n"
    "[dim]# a folder of phone recordings, outputs in another folder (same sub-folders)[/dim]\n"
    "journeytape transcribe interviews/ --out transcripts/\n\n"
    "[dim]# one Dutch voice memo, no speaker separation[/dim]\n"
    "journeytape transcribe memo.m4a --language nl --no-diarize\n\n"
    "[dim]# English only, fastest model, only subtitles and text[/dim]\n"
    "journeytape transcribe interviews/ --model tiny.en --formats txt,srt\n\n"
    "[dim]# two speakers; label the interviewer from a sample of their voice[/dim]\n"
    "journeytape transcribe interviews/ --num-speakers 2 --interviewer-voice me.wav\n\n"
    "[dim]# redo everything (e.g. after changing settings that are not in the key)[/dim]\n"
    "journeytape transcribe interviews/ --force\n\n"
    "[dim]# many interviews on a Ray cluster (shared folders; see docs/ray.md)[/dim]\n"
    "journeytape transcribe /shared/interviews --out /shared/transcripts --ray"
)


def register(app: typer.Typer) -> None:
    """Add this stage's subcommands to ``app``. Import nothing heavy at module level."""
    app.command("transcribe", help=HELP, no_args_is_help=True)(transcribe)
