"""The options of `journeytape transcribe`, each declared once as an annotated type.

The flags, help texts and limits live here so that the command itself (transcribe/cli.py) reads
as what it does. Nothing heavy is imported: `journeytape --help` must stay instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RAY = "Ray cluster"

Paths = Annotated[
    list[Path],
    typer.Argument(help="Recordings and/or folders (searched recursively).", show_default=False),
]
Out = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Write outputs here, mirroring the folder structure below each given folder. "
        "Default: beside each recording.",
    ),
]
Model = Annotated[
    str,
    typer.Option(
        "--model",
        "-m",
        help="Embedded model (base, tiny.en), a local CTranslate2 Whisper folder, or a hub id "
        "already in the local cache. `journeytape models` lists what is installed.",
    ),
]
Language = Annotated[
    str | None,
    typer.Option("--language", "-l", help="Fix the language (e.g. nl) instead of detecting it."),
]
Languages = Annotated[
    str,
    typer.Option(
        "--languages", help="Detect the language only among these (comma-separated ISO codes)."
    ),
]
ComputeType = Annotated[
    str,
    typer.Option("--compute-type", help="CTranslate2 compute type: int8 (fast on CPU), float32, …"),
]
BeamSize = Annotated[int, typer.Option("--beam-size", min=1, help="Beam search width.")]
BatchSize = Annotated[
    int,
    typer.Option(
        "--batch-size", min=1, help="Speech chunks decoded together; 1 = sequential decoder."
    ),
]
NoVad = Annotated[
    bool,
    typer.Option(
        "--no-vad",
        help="Do not skip non-speech with Silero VAD (slower; more risk of "
        "hallucinated text in silence).",
    ),
]
Formats = Annotated[
    str,
    typer.Option(
        "--formats",
        help="Output formats (comma-separated): json,txt,md,srt,vtt,rttm. The JSON is always "
        "written; rttm only when speakers are known.",
    ),
]
Threads = Annotated[int, typer.Option("--threads", min=0, help="CPU threads (0 = all cores).")]
Force = Annotated[
    bool,
    typer.Option(
        "--force", "-f", help="Redo recordings that already have an up-to-date transcript."
    ),
]
Diarize = Annotated[
    bool, typer.Option("--diarize/--no-diarize", help="Separate speakers (who spoke when).")
]
NumSpeakers = Annotated[
    int | None,
    typer.Option("--num-speakers", min=1, help="Exact number of speakers, when known."),
]
MinSpeakers = Annotated[int | None, typer.Option("--min-speakers", min=1)]
MaxSpeakers = Annotated[int | None, typer.Option("--max-speakers", min=1)]
InterviewerVoice = Annotated[
    Path | None,
    typer.Option(
        "--interviewer-voice",
        help="A short recording of the interviewer alone, to label their turns 'Interviewer'.",
    ),
]
HotwordsGuide = Annotated[
    Path | None,
    typer.Option(
        "--hotwords-guide",
        help="An interview guide: its checklist words (per language) are passed to Whisper as "
        "hotwords, so product and channel names are heard right.",
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]

# -- Ray ------------------------------------------------------------------------------------
Ray = Annotated[
    bool,
    typer.Option(
        "--ray",
        help="Transcribe on a Ray cluster, files in parallel (docs/ray.md); outputs are the "
        "same. Needs pip install 'journeytape\\[ray]'.",
        rich_help_panel=RAY,
    ),
]
RayAddress = Annotated[
    str,
    typer.Option(
        "--ray-address",
        envvar="RAY_ADDRESS",
        help="The cluster's head, host:port; auto = the one `ray start` runs on this machine.",
        rich_help_panel=RAY,
    ),
]
RayCpus = Annotated[
    int,
    typer.Option(
        "--ray-cpus", min=1, help="CPUs each worker takes (and uses).", rich_help_panel=RAY
    ),
]
RayMemory = Annotated[
    float | None,
    typer.Option(
        "--ray-memory",
        min=0.1,
        help="GB of memory each worker takes (default: 3 with speaker separation, else 1.5).",
        show_default=False,
        rich_help_panel=RAY,
    ),
]
RayWorkers = Annotated[
    int | None,
    typer.Option(
        "--ray-workers",
        min=1,
        help="Number of workers (default: as many as the nodes' CPUs and memory hold).",
        show_default=False,
        rich_help_panel=RAY,
    ),
]
RayUploadMb = Annotated[
    int,
    typer.Option(
        "--ray-upload-mb",
        min=0,
        help="Largest recording (MB) sent through Ray's object store.",
        rich_help_panel=RAY,
    ),
]
RayAudio = Annotated[
    str,
    typer.Option(
        "--ray-audio",
        help="How recordings reach the workers: auto (by path on a shared filesystem, else "
        "through Ray's object store), path (shared filesystem only), upload (object store).",
        rich_help_panel=RAY,
    ),
]
