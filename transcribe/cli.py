"""Subcommands of this stage (registered into the main `journeytape` app).

`transcribe` reads its options (declared in transcribe/cli_options.py) into one
:class:`TranscribeSettings` (:func:`build_settings`), picks where the work runs (this machine
or a Ray cluster), runs the batch (transcribe/batch.py) and prints the summary.
Nothing heavy is imported at module level: `journeytape --help` must stay instant.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from journeytape.transcribe import cli_options as o
from journeytape.transcribe.settings import ASR_BATCH_SIZE, DEFAULT_LANGUAGES, OUTPUT_FORMATS

if TYPE_CHECKING:
    from journeytape.transcribe.jobs import Outcome
    from journeytape.transcribe.settings import TranscribeSettings


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (value or "").split(",") if x.strip())


def transcribe(
    paths: o.Paths,
    out: o.Out = None,
    model: o.Model = "base",
    language: o.Language = None,
    languages: o.Languages = ",".join(DEFAULT_LANGUAGES),
    compute_type: o.ComputeType = "int8",
    beam_size: o.BeamSize = 5,
    batch_size: o.BatchSize = ASR_BATCH_SIZE,
    no_vad: o.NoVad = False,
    formats: o.Formats = ",".join(OUTPUT_FORMATS),
    threads: o.Threads = 0,
    force: o.Force = False,
    diarize: o.Diarize = True,
    num_speakers: o.NumSpeakers = None,
    min_speakers: o.MinSpeakers = None,
    max_speakers: o.MaxSpeakers = None,
    interviewer_voice: o.InterviewerVoice = None,
    hotwords_guide: o.HotwordsGuide = None,
    quiet: o.Quiet = False,
    ray: o.Ray = False,
    ray_address: o.RayAddress = "auto",
    ray_cpus: o.RayCpus = 2,
    ray_memory: o.RayMemory = None,
    ray_workers: o.RayWorkers = None,
    ray_upload_mb: o.RayUploadMb = 256,
    ray_audio: o.RayAudio = "auto",
) -> None:
    """Transcribe recordings into JSON, txt, md, srt, vtt and rttm (see HELP)."""
    from rich.console import Console

    err = Console(stderr=True)
    settings = build_settings(
        model=model,
        language=language,
        languages=languages,
        compute_type=compute_type,
        beam_size=beam_size,
        batch_size=batch_size,
        no_vad=no_vad,
        formats=formats,
        threads=threads,
        diarize=diarize,
        num_speakers=num_speakers,
        min_speakers=min_speakers,
        max_speakers=max_speakers,
        interviewer_voice=interviewer_voice,
        hotwords_guide=hotwords_guide,
    )
    executor = None
    if ray:  # Ray is optional and heavy: imported only here (transcribe/cluster.py)
        executor = _ray_executor(
            err,
            address=ray_address,
            cpus=ray_cpus,
            memory_gb=ray_memory,
            workers=ray_workers,
            upload_mb=ray_upload_mb,
            audio=ray_audio,
        )
    outcomes = _run(err, paths, settings, out=out, force=force, quiet=quiet, executor=executor)
    raise typer.Exit(_print_summary(outcomes))


def build_settings(
    *,
    formats: str,
    languages: str,
    language: str | None,
    no_vad: bool,
    interviewer_voice: Path | None,
    hotwords_guide: Path | None,
    **flags: Any,
) -> TranscribeSettings:
    """The settings the command line asks for; ``typer.BadParameter`` names a wrong option.
    ``flags``: the options that are settings fields as they are (model, beam_size, …)."""
    from journeytape.transcribe.settings import TranscribeSettings

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
    return TranscribeSettings(
        hotwords=_guide_hotwords(hotwords_guide),
        language=language,
        languages=langs,
        vad=not no_vad,
        interviewer_voice=str(interviewer_voice.resolve()) if interviewer_voice else None,
        formats=fmts,
        **flags,
    )


def _guide_hotwords(guide: Path | None) -> dict[str, str] | None:
    """The interview guide's checklist words per language, for Whisper (``--hotwords-guide``)."""
    if guide is None:
        return None
    from journeytape.guide import GuideError, load_guide

    try:
        return load_guide(guide).hotwords()
    except (OSError, GuideError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--hotwords-guide") from None


def _ray_executor(err: Any, **options: Any) -> Any:
    """A :class:`RayExecutor` with the ``--ray-*`` options; exit 2 when Ray cannot be used."""
    from rich.markup import escape

    from journeytape.transcribe.cluster import ClusterError, RayExecutor

    try:
        return RayExecutor(**options)
    except ClusterError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None


def _run(
    err: Any, paths: list[Path], settings: TranscribeSettings, *, quiet: bool, **kw: Any
) -> list[Outcome]:
    """The batch; settings or models that cannot work exit 2, Ctrl-C before any file 130."""
    from rich.markup import escape

    from journeytape.models.registry import ModelError
    from journeytape.transcribe import batch
    from journeytape.transcribe.asr import AsrError

    errors: tuple[type[Exception], ...] = (ModelError, AsrError)
    if kw.get("executor") is not None:
        from journeytape.transcribe.cluster import ClusterError

        errors = (*errors, ClusterError)
    try:
        return batch.run(paths, settings, console=err, show_progress=not quiet, **kw)
    except errors as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("[yellow]stopped by Ctrl-C before any recording was transcribed[/]")
        raise typer.Exit(130) from None


def _print_summary(outcomes: list[Outcome]) -> int:
    """One line per file and the counts on stdout; returns the exit status."""
    from rich.console import Console

    from journeytape.transcribe.terminal import counts_line, exit_code, summary_table

    # in logs (not a terminal) keep one line per file instead of wrapping at 80 columns
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    console = Console(width=160 if wide else None)
    if outcomes:
        console.print(summary_table(outcomes))
    console.print(counts_line(outcomes))
    code = exit_code(outcomes)
    if code == 130:
        console.print(
            "[yellow]Stopped by Ctrl-C.[/] Finished recordings are complete; run the same "
            "command again to continue with the rest."
        )
    return code


HELP = (
    "Transcribe recordings (any phone or video format) into JSON, txt, md, srt, vtt and rttm."
    "\n\n"
    "Runs entirely on this machine. Every recording NAME.ext gets [bold]NAME.transcript.json"
    "[/bold] (word timestamps, language, models and settings; described in docs/formats.md) plus "
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
