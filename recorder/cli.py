"""`journeytape record` and `journeytape withdraw` (registered into the main app): the options
and their help, and nothing else; the work is in :mod:`.session_flow` (a new interview),
:mod:`.resume` (``--resume``), :mod:`.recovery` (``--recover``) and journeytape.consent
(withdrawal).

Nothing heavy is imported at module level: sounddevice/numpy load when recording starts.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from journeytape.recorder.messages import fail

RECORD_HELP = (
    "Record a consented interview from the microphone into a session folder "
    "<out>/<date>_<pseudonym>/ that `journeytape transcribe` reads.\n\n"
    "Consent comes first: the purpose text (from the guide's consent block, or a built-in one "
    "in EN/NL/DE) is shown to read out; the pseudonym and the interviewee's typed answer are "
    "stored in consent.json before any audio is captured. Then press SPACE to record. Keys: "
    "space pause/resume, m marker (type a label, Enter), 1-9, 0, a… tick checklist items, "
    "s twice to stop.\n\n"
    "The audio is on disk within a second and valid at every moment; after a crash or kill "
    "-9 the next `journeytape record` (or --recover) repairs and closes the session; "
    "`journeytape record --resume SESSION` continues it instead (consent kept, the new audio "
    "joined on, the gap recorded).\n\n"
    "Scripts: --no-tui --pseudonym P07 --consent yes (--duration 3600); stop with Ctrl-C, "
    "SIGTERM or a line `s` on stdin (other commands: `m label`, `p`, `r`, `t ITEM`)."
)

# the options of `record`, declared once here so that `record` itself reads as what it does
Out = Annotated[Path, typer.Option("--out", "-o", help="Folder that holds the session folders.")]
GuideOpt = Annotated[
    Path | None,
    typer.Option("--guide", "-g", help="Interview guide YAML: consent text and the checklist."),
]
Pseudonym = Annotated[
    str | None,
    typer.Option(
        "--pseudonym", "-p", help="Interviewee pseudonym (names the folder; never a name)."
    ),
]
Lang = Annotated[
    str | None,
    typer.Option(
        "--lang", help="Language of the purpose text: en, nl or de (default: guide's first)."
    ),
]
ConsentOpt = Annotated[
    str | None,
    typer.Option(
        "--consent",
        help="The interviewee's typed answer, e.g. 'yes', when not asked interactively.",
    ),
]
SpokenConsent = Annotated[
    bool,
    typer.Option("--spoken-consent", help="Also record the spoken 'yes' as the first seconds."),
]
WithoutConsent = Annotated[
    str | None,
    typer.Option(
        "--without-consent",
        metavar="REASON",
        help="Capture without consent first (e.g. consent recorded on paper); the reason is kept.",
    ),
]
NoTranscription = Annotated[
    bool, typer.Option("--no-transcription", help="Interviewee did not agree to transcription.")
]
NoQuotes = Annotated[
    bool, typer.Option("--no-quotes", help="Interviewee did not agree to quotes in reports.")
]
Retention = Annotated[
    str | None,
    typer.Option(
        "--retention",
        help="How long the audio is kept, when the guide has no consent block "
        "(default: 12 months).",
    ),
]
Interviewer = Annotated[str | None, typer.Option("--interviewer", help="Who took consent.")]
DeviceOpt = Annotated[
    str | None, typer.Option("--device", "-d", help="Input device index or (part of its) name.")
]
ListDevices = Annotated[bool, typer.Option("--list-devices", help="List input devices.")]
Rate = Annotated[int | None, typer.Option("--rate", help="Sample rate (default: the device's).")]
Channels = Annotated[int, typer.Option("--channels", help="Channels (mono is enough for speech).")]
NoTui = Annotated[
    bool, typer.Option("--no-tui", help="Plain mode for scripts: no screen, commands on stdin.")
]
Duration = Annotated[
    float | None, typer.Option("--duration", help="Stop after this many seconds of audio.")
]
RecoverOnly = Annotated[
    bool,
    typer.Option(
        "--recover",
        help="Repair and close unfinished sessions under --out (or the session folder it "
        "names), then exit.",
    ),
]
LiveCoverageOpt = Annotated[
    bool,
    typer.Option(
        "--live-coverage/--no-live-coverage",
        help="With --guide: transcribe the newest audio in a low-priority background process "
        "and show which checklist items and interview steps have come up (and which not yet).",
    ),
]
LiveModel = Annotated[
    str | None,
    typer.Option(
        "--live-model",
        help="Model for live coverage (default: tiny.en for English, base otherwise).",
    ),
]
Resume = Annotated[
    Path | None,
    typer.Option(
        "--resume",
        metavar="SESSION",
        help="Continue recording into this session folder after a crash or a stop: consent "
        "is kept (not asked again), the new audio is joined onto the old losslessly and the "
        "gap is recorded.",
    ),
]
MinFree = Annotated[
    str, typer.Option("--min-free", help="Stop cleanly when free disk space falls below this.")
]
WarnMinutes = Annotated[
    float,
    typer.Option("--warn-minutes", help="Warn when disk space for fewer minutes of audio is left."),
]


def _size(text: str) -> int:
    """Bytes from a size like 50M, 200k or 1G (binary units)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)i?[bB]?\s*", text)
    if not m:
        raise typer.BadParameter(f"{text!r} is not a size like 50M, 200k or 1G")
    mult = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


def record(
    out: Out = Path("sessions"),
    guide: GuideOpt = None,
    pseudonym: Pseudonym = None,
    lang: Lang = None,
    consent: ConsentOpt = None,
    spoken_consent: SpokenConsent = False,
    without_consent: WithoutConsent = None,
    no_transcription: NoTranscription = False,
    no_quotes: NoQuotes = False,
    retention: Retention = None,
    interviewer: Interviewer = None,
    device: DeviceOpt = None,
    list_devices: ListDevices = False,
    rate: Rate = None,
    channels: Channels = 1,
    no_tui: NoTui = False,
    duration: Duration = None,
    recover_only: RecoverOnly = False,
    live_coverage: LiveCoverageOpt = True,
    live_model: LiveModel = None,
    resume: Resume = None,
    min_free: MinFree = "50M",
    warn_minutes: WarnMinutes = 10.0,
) -> None:
    from rich.console import Console

    from journeytape.recorder.settings import RecordSettings

    console = Console(stderr=no_tui)
    interactive = not no_tui and sys.stdin.isatty() and sys.stdout.isatty()
    if list_devices:
        _list_devices()
        return
    if recover_only:
        from journeytape.recorder.recovery import recover_all

        recover_all(out, console, ask=False, say_none=True)
        return
    settings = RecordSettings(
        out=out,
        guide=guide,
        pseudonym=pseudonym,
        lang=lang,
        consent=consent,
        spoken_consent=spoken_consent,
        without_consent=without_consent,
        no_transcription=no_transcription,
        no_quotes=no_quotes,
        retention=retention,
        interviewer=interviewer,
        device=device,
        rate=rate,
        channels=channels,
        interactive=interactive,
        plain=no_tui or not interactive,
        duration=duration,
        live_coverage=live_coverage,
        live_model=live_model,
        min_free=_size(min_free),
        warn_minutes=warn_minutes,
    )
    if resume is not None:
        from journeytape.recorder.resume import resume_session

        resume_session(resume, settings, console)
        return
    from journeytape.recorder.session_flow import record_session

    record_session(settings, console)


def _list_devices() -> None:
    """``--list-devices``: a table of the input devices, the default marked."""
    from rich.console import Console
    from rich.table import Table

    from journeytape.recorder.devices import NO_DEVICE_HELP, RecorderError, list_input_devices

    try:
        devices = list_input_devices()
    except RecorderError as exc:
        raise fail(str(exc)) from None
    if not devices:
        raise fail(NO_DEVICE_HELP)
    t = Table(title="Input devices (use --device INDEX or --device NAME)")
    for col in ("index", "name", "host API", "max channels", "default rate", "default"):
        t.add_column(col)
    for d in devices:
        t.add_row(
            str(d.index),
            d.name,
            d.hostapi,
            str(d.max_input_channels),
            f"{d.default_samplerate:.0f}",
            "*" if d.is_default else "",
        )
    Console().print(t)


def withdraw(
    session: Path = typer.Argument(..., help="The session folder to withdraw."),
    reason: str | None = typer.Option(None, "--reason", help="Why (kept in the record)."),
    derived: list[Path] = typer.Option(
        [],
        "--derived",
        metavar="DIR",
        help="Also erase what was made from this session in this folder: transcripts, "
        "annotations, reports, summaries (rebuilt without it), the review workspace and "
        "exports (repeatable).",
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Withdraw consent: delete a session's audio and everything derived from it.

    Erases the session folder and, in every --derived folder, the transcripts, annotations,
    reports, summaries (rebuilt without it), review workspace rows and decisions (vacuumed)
    and exports made from it; prints per folder what went. Keeps consent.json (marked
    withdrawn) and appends to withdrawal.json (names, sizes, hashes — no audio, no text).
    Exits 5 when files that still mention the interview remain (listed: delete them by
    hand)."""
    from rich.console import Console

    from journeytape.consent import withdraw as do_withdraw
    from journeytape.recorder.session import SessionLock

    console = Console()
    if not session.is_dir():
        raise fail(f"{session} is not a folder")
    lock = SessionLock(session)
    if (session / "session.json").exists() and not lock.acquire():
        raise fail(f"{session} is being recorded right now; stop the recorder first")
    lock.release()
    if not yes:
        if not sys.stdin.isatty():
            raise fail("withdrawal deletes audio for good; pass --yes to confirm")
        from rich.prompt import Confirm

        if not Confirm.ask(f"Delete the audio and all derived files of {session}?"):
            raise typer.Exit(1)
    try:
        w = do_withdraw(session, reason=reason, derived_dirs=list(derived))
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    for folder, lines in w.erasure.actions.items():
        console.print(f"[bold]{escape(folder)}[/]", highlight=False)
        for line in lines:
            console.print(f"  {escape(line)}", highlight=False)
    console.print(
        f"Withdrawn: deleted {len(w.deleted)} files; record kept in {w.record}.", highlight=False
    )
    if w.erasure.residue:
        console.print(
            "[bold yellow]These files still mention the interview; journeytape did not make "
            "them (or cannot prove it), so check and delete them by hand:[/]"
        )
        for p in w.erasure.residue:
            console.print(f"  {escape(p)}", highlight=False)
        raise typer.Exit(5)


def register(app: typer.Typer) -> None:
    """Add this stage's subcommands to ``app``. Import nothing heavy at module level."""
    app.command("record", help=RECORD_HELP, no_args_is_help=False)(record)
    app.command("withdraw")(withdraw)
