"""`journeytape record` and `journeytape withdraw` (registered into the main app).

Nothing heavy is imported at module level: sounddevice/numpy load when recording starts.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
from pathlib import Path

import typer
from rich.markup import escape

AFFIRMATIVE = {"yes", "y", "ja", "j", "jawohl", "oui", "si", "sí", "ok", "akkoord", "einverstanden"}

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


def _size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)i?[bB]?\s*", text)
    if not m:
        raise typer.BadParameter(f"{text!r} is not a size like 50M, 200k or 1G")
    mult = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


def _fail(message: str, code: int = 2) -> typer.Exit:
    from rich.console import Console

    Console(stderr=True).print(
        f"[bold red]journeytape record:[/] {escape(message)}", highlight=False
    )
    return typer.Exit(code)


def _list_devices() -> None:
    from rich.console import Console
    from rich.table import Table

    from journeytape.recorder.capture import NO_DEVICE_HELP, RecorderError, list_input_devices

    try:
        devices = list_input_devices()
    except RecorderError as exc:
        raise _fail(str(exc)) from None
    if not devices:
        raise _fail(NO_DEVICE_HELP)
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


def _load_guide(path: Path | None):
    if path is None:
        return None
    try:
        from journeytape.guide import load_guide
    except ImportError:
        raise _fail("reading --guide needs journeytape.guide, which is missing") from None
    try:
        return load_guide(path)
    except Exception as exc:  # GuideError names file:line
        raise _fail(str(exc)) from None


def _recover_all(out: Path, console, ask: bool, say_none: bool = False) -> None:
    """Repair and close sessions under ``out`` (or ``out`` itself) whose recorder died."""
    from journeytape.recorder.session import SessionError, find_unfinished, recover

    if (out / "session.json").exists():
        targets = [u for u in find_unfinished(out.parent) if u.folder.resolve() == out.resolve()]
    else:
        targets = find_unfinished(out)
    if not targets and say_none:
        console.print(f"No unfinished sessions in {escape(str(out))}.")
    for u in targets:
        if ask:
            from rich.prompt import Confirm

            try:
                yes = Confirm.ask(
                    f"Unfinished session [bold]{escape(u.folder.name)}[/] (started "
                    f"{u.started}, {_length(u.part_seconds)} of audio). Repair and close it "
                    f"now? (To record more into it: journeytape record --resume {u.folder})",
                    default=True,
                )
            except (KeyboardInterrupt, EOFError):
                raise _fail("cancelled: nothing was repaired, asked or recorded", 130) from None
            if not yes:
                continue
        try:
            info = recover(u.folder)
        except SessionError as exc:
            console.print(f"[yellow]{escape(str(exc))}[/]")
            continue
        console.print(
            f"Recovered [bold]{escape(str(u.folder))}[/]: {info['seconds']:.1f} s of audio kept"
            + (
                f", cut {info['torn_bytes']} bytes of a half-written frame"
                if info["torn_bytes"]
                else ""
            )
            + ". "
            + _next_step(u.folder)
        )


def _length(seconds: float) -> str:
    """An audio length for messages: '12 min 05 s', '48 s'."""
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s // 60 % 60:02d} min"


def _next_step(folder: Path) -> str:
    """What to run next, unless the interviewee did not agree to transcription."""
    from journeytape.consent import allowed

    if allowed(folder, "transcription") is False:
        return (
            "The interviewee did not agree to transcription: keep it as audio only "
            "(do not run journeytape transcribe on it)."
        )
    return f"Next: journeytape transcribe {folder}"


def _check_out(out: Path, min_free: int, bytes_per_second: int) -> None:
    """Fail with one clear line (no traceback, nothing asked yet) when ``--out`` cannot take
    a recording: not creatable or writable, or less free space than ``--min-free`` plus one
    second of audio (the recorder itself stops cleanly when the disk fills later)."""
    import os
    import shutil
    import tempfile

    from journeytape.files import private_mkdir

    try:
        private_mkdir(out)
        fd, probe = tempfile.mkstemp(prefix=".journeytape-probe-", dir=out)
        os.close(fd)
        os.unlink(probe)
        free = shutil.disk_usage(out).free
    except OSError as exc:
        why = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or exc
        raise _fail(
            f"cannot write in {out}: {why}. Nothing was asked or recorded; choose a folder "
            "you can write to with --out."
        ) from None
    need = min_free + bytes_per_second
    if free < need:
        raise _fail(
            f"only {free / 2**20:.1f} MiB free in {out} (--min-free {min_free / 2**20:.0f} MiB "
            "plus a second of audio is needed). Nothing was asked or recorded; "
            "free some space or choose another --out."
        )


def record(
    out: Path = typer.Option(
        Path("sessions"), "--out", "-o", help="Folder that holds the session folders."
    ),
    guide: Path | None = typer.Option(
        None, "--guide", "-g", help="Interview guide YAML: consent text and the checklist."
    ),
    pseudonym: str | None = typer.Option(
        None, "--pseudonym", "-p", help="Interviewee pseudonym (names the folder; never a name)."
    ),
    lang: str | None = typer.Option(
        None, "--lang", help="Language of the purpose text: en, nl or de (default: guide's first)."
    ),
    consent: str | None = typer.Option(
        None,
        "--consent",
        help="The interviewee's typed answer, e.g. 'yes', when not asked interactively.",
    ),
    spoken_consent: bool = typer.Option(
        False, "--spoken-consent", help="Also record the spoken 'yes' as the first seconds."
    ),
    without_consent: str | None = typer.Option(
        None,
        "--without-consent",
        metavar="REASON",
        help="Capture without consent first (e.g. consent recorded on paper); the reason is kept.",
    ),
    no_transcription: bool = typer.Option(
        False, "--no-transcription", help="Interviewee did not agree to transcription."
    ),
    no_quotes: bool = typer.Option(
        False, "--no-quotes", help="Interviewee did not agree to quotes in reports."
    ),
    retention: str | None = typer.Option(
        None,
        "--retention",
        help="How long the audio is kept, when the guide has no consent block "
        "(default: 12 months).",
    ),
    interviewer: str | None = typer.Option(None, "--interviewer", help="Who took consent."),
    device: str | None = typer.Option(
        None, "--device", "-d", help="Input device index or (part of its) name."
    ),
    list_devices: bool = typer.Option(False, "--list-devices", help="List input devices."),
    rate: int | None = typer.Option(None, "--rate", help="Sample rate (default: the device's)."),
    channels: int = typer.Option(1, "--channels", help="Channels (mono is enough for speech)."),
    no_tui: bool = typer.Option(
        False, "--no-tui", help="Plain mode for scripts: no screen, commands on stdin."
    ),
    duration: float | None = typer.Option(
        None, "--duration", help="Stop after this many seconds of audio."
    ),
    recover_only: bool = typer.Option(
        False,
        "--recover",
        help="Repair and close unfinished sessions under --out (or the session folder it "
        "names), then exit.",
    ),
    live_coverage: bool = typer.Option(
        True,
        "--live-coverage/--no-live-coverage",
        help="With --guide: transcribe the newest audio in a low-priority background process "
        "and show which checklist items and interview steps have come up (and which not yet).",
    ),
    live_model: str | None = typer.Option(
        None,
        "--live-model",
        help="Model for live coverage (default: tiny.en for English, base otherwise).",
    ),
    resume: Path | None = typer.Option(
        None,
        "--resume",
        metavar="SESSION",
        help="Continue recording into this session folder after a crash or a stop: consent "
        "is kept (not asked again), the new audio is joined onto the old losslessly and the "
        "gap is recorded.",
    ),
    min_free: str = typer.Option(
        "50M", "--min-free", help="Stop cleanly when free disk space falls below this."
    ),
    warn_minutes: float = typer.Option(
        10.0, "--warn-minutes", help="Warn when disk space for fewer minutes of audio is left."
    ),
) -> None:
    from rich.console import Console
    from rich.panel import Panel

    from journeytape.consent import ConsentRecord, purpose_text
    from journeytape.recorder.capture import RecorderError, choose_format, resolve_device
    from journeytape.recorder.session import (
        SessionError,
        SessionLock,
        SessionLog,
        check_pseudonym,
        new_session_folder,
    )

    console = Console(stderr=no_tui)
    interactive = not no_tui and sys.stdin.isatty() and sys.stdout.isatty()
    if list_devices:
        _list_devices()
        return
    if recover_only:
        _recover_all(out, console, ask=False, say_none=True)
        return
    if resume is not None:
        _resume(
            resume,
            console,
            live=(live_coverage, live_model),
            device=device,
            plain=no_tui or not interactive,
            duration=duration,
            min_free=_size(min_free),
            warn_minutes=warn_minutes,
        )
        return
    _recover_all(out, console, ask=interactive)

    # 1. the microphone must exist (queried only, nothing captured yet), and be free
    try:
        dev = resolve_device(device)
        samplerate, nch = choose_format(dev, rate, channels)
    except RecorderError as exc:
        raise _fail(str(exc)) from None
    dev_lock = _lock_device(dev)

    # 2. where the audio goes must work *before* anyone reads out the purpose text
    _check_out(out, _size(min_free), samplerate * nch * 2)

    # 3. consent
    g = _load_guide(guide)
    lang = (lang or (g.languages[0] if g is not None else "en")).lower()
    if g is not None and g.consent is not None and retention:
        raise _fail(
            "the guide's consent block already states the retention period that is read out; "
            "change it in the guide instead of passing --retention"
        )
    ret = retention or (g.consent.retention.get(lang) if g is not None and g.consent else None)
    purpose = purpose_text(g, lang, retention)
    console.print(Panel(purpose.text, title="Read this to the interviewee", expand=False))
    if interactive:
        try:
            pseudonym, consent, no_transcription, no_quotes = _ask_consent(
                console, pseudonym, consent, no_transcription, no_quotes, without_consent
            )
        except (KeyboardInterrupt, EOFError):
            console.print()
            raise _fail(
                "cancelled at the consent questions: no consent was recorded and nothing was "
                "saved or recorded.",
                130,
            ) from None
    if pseudonym is None:
        raise _fail("--pseudonym is required (the interviewee's pseudonym, e.g. P07)")
    try:
        pseudonym = check_pseudonym(pseudonym)
    except SessionError as exc:
        raise _fail(str(exc)) from None
    if without_consent is not None:
        if not without_consent.strip():
            raise _fail("--without-consent needs a reason, e.g. 'consent form signed on paper'")
    elif consent is None:
        raise _fail(
            "consent not recorded, so nothing was captured. Read the purpose text above to the "
            "interviewee; when they agree pass --consent yes (or run without --no-tui to be "
            "asked), or state why you record without it: --without-consent REASON.",
            code=3,
        )
    elif consent.strip().lower().rstrip(".!") not in AFFIRMATIVE:
        raise _fail(
            f"the interviewee's answer was {consent!r}, not yes: nothing was recorded.", code=3
        )

    # 4. session folder: consent.json before any audio
    try:
        folder = new_session_folder(out, pseudonym)
    except SessionError as exc:
        raise _fail(str(exc)) from None
    record_ = ConsentRecord(
        pseudonym=pseudonym,
        purpose=purpose,
        transcription=not no_transcription,
        quotes_in_reports=not no_quotes,
        retention=ret or purpose_default_retention(lang),
        how=["typed"] if without_consent is None else [],
        typed_confirmation=consent if without_consent is None else None,
        recorded_by=interviewer,
        without_consent_reason=without_consent,
    )
    try:
        record_.save(folder)
    except PermissionError:
        raise _fail(f"cannot write in {folder}: permission denied") from None
    lock = SessionLock(folder)
    lock.acquire()
    dev_lock.note(str(folder))
    checklist = []
    if g is not None:
        for it in g.checklist:
            checklist.append(
                {"id": it.id, "kind": it.kind, "label": it.label(lang), "ticked_at": None}
            )
    log = SessionLog.create(
        folder,
        pseudonym=pseudonym,
        journey=g.journey if g is not None else None,
        guide={"path": g.path, "sha256": g.sha256} if g is not None else None,
        language=lang,
        checklist=checklist,
        consent={"file": "consent.json", "purpose_sha256": purpose.sha256},
        without_consent_reason=without_consent,
        device=dev.to_json(),
        samplerate=samplerate,
        channels=nch,
    )

    plain = no_tui or not interactive
    _capture(
        console,
        log,
        dev,
        lock,
        dev_lock,
        plain=plain,
        min_free=_size(min_free),
        warn_minutes=warn_minutes,
        duration=duration,
        consent_record=record_,
        spoken_consent=spoken_consent,
        lang=lang,
        purpose=purpose.text,
        live_items=_live_items(g, lang) if live_coverage else None,
        live_model=live_model,
    )


def _live_items(guide, lang: str) -> list | None:
    """The checklist as patterns for live coverage (None without a guide or checklist)."""
    if guide is None or not guide.checklist:
        return None
    from journeytape.recorder.live_coverage import checklist_patterns

    return checklist_patterns(guide, lang)


def _capture(
    console,
    log,
    dev,
    lock,
    dev_lock,
    *,
    plain: bool,
    min_free: int,
    warn_minutes: float,
    duration: float | None,
    consent_record=None,
    spoken_consent: bool = False,
    lang: str = "en",
    purpose: str = "",
    offset_frames: int = 0,
    live_items: list | None = None,
    live_model: str | None = None,
) -> None:
    """Record into the session (new or resumed) until stopped, close it, say what was saved."""
    from journeytape.recorder.capture import Recorder, RecorderError
    from journeytape.recorder.session import SessionError, close_session
    from journeytape.recorder.tui import AUDIO_ERRORS, quiet_c_stderr, run_plain, run_tui

    folder = log.folder
    record_ = consent_record
    rec = Recorder(
        log,
        dev,
        int(log.data["samplerate"]),
        int(log.data["channels"]),
        min_free_bytes=min_free,
        warn_seconds_left=warn_minutes * 60,
        max_seconds=duration,
        offset_frames=offset_frames,
    )
    resumed_at = offset_frames / rec.fmt.samplerate if log.data.get("resumes") else None
    live = None
    if live_items:
        from journeytape.recorder.live_coverage import LiveCoverage

        live = LiveCoverage({it["id"]: it["label"] for it in live_items}, on_event=rec.say)
        live.start(
            {
                "part": str(rec.audio_path),
                "rate": rec.fmt.samplerate,
                "channels": rec.fmt.channels,
                "offset": offset_frames / rec.fmt.samplerate,
                "model": live_model or ("tiny.en" if lang == "en" else "base"),
                "language": lang,
                "items": live_items,
            }
        )

    stop_evt = threading.Event()
    signal_reason: list[str] = []

    def _on_signal(signum, frame) -> None:
        signal_reason.append(signal.Signals(signum).name)
        stop_evt.set()

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _on_signal)

    def _spoken(t: float) -> None:
        record_.how.append("spoken-in-recording")
        record_.spoken = {"start": 0.0, "end": round(t, 3)}
        record_.save(folder)

    reason = "error"
    failure: str | None = None
    try:
        try:
            if plain:
                if spoken_consent and record_ is not None:
                    record_.how.append("spoken-in-recording")
                    record_.spoken = {"start": 0.0, "end": None}
                    record_.save(folder)
                with quiet_c_stderr(folder / AUDIO_ERRORS) as err:
                    reason = run_plain(rec, stop_evt, duration=duration, out=err, live=live)
                _say_audio_errors(folder, console)
            else:
                reason = run_tui(
                    rec,
                    stop_evt,
                    duration=duration,
                    spoken_consent=spoken_consent,
                    on_spoken_consent=_spoken,
                    lang=lang,
                    purpose=purpose,
                    resumed_at=resumed_at,
                    coverage=live,
                )
        except (RecorderError, OSError) as exc:
            if _terminal_gone(exc, signal_reason):
                reason = "SIGHUP"  # the screen could not be restored: nobody is watching it
            else:
                failure = str(exc)
                reason = "error"
        if signal_reason:
            reason = signal_reason[0]
        # signals stay caught until the file is closed: a second Ctrl-C must not tear it
        rec.stop(reason)
        if live is not None:
            live.stop()
            log.update(live_coverage=live.to_json())
        try:
            final = close_session(folder, log, stopped_by=rec.stop_reason or reason)
        except (SessionError, OSError) as exc:
            raise _fail(
                f"could not close the session ({exc}); the audio is safe in {folder}. "
                f"Run: journeytape record --recover --out {folder}",
                code=4,
            ) from None
    finally:
        lock.release()
        dev_lock.release()
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_DFL if s != signal.SIGINT else signal.default_int_handler)
    if failure is not None:
        raise _fail(f"{failure} (session folder: {folder})", code=4)
    if reason == "SIGHUP" and not plain:
        return  # closed like `s s`; the terminal is gone, so there is nobody to tell
    st = log.data
    ov = st["overflows"]
    lost = sum(g.get("reason") == "device-lost" for g in st["gaps"])
    if not plain:  # plain mode printed them as they came
        for _, msg in rec.messages_since(0):
            if "disk" in msg.lower() or "error" in msg.lower():
                console.print(f"[bold yellow]{escape(msg)}[/]")
    if final is None:
        console.print(f"Nothing was recorded; consent is kept in {folder}.")
        return
    console.print(
        f"Saved [bold]{escape(str(final))}[/]: {st['audio']['seconds']:.1f} s "
        f"(stopped by {st['stopped_by']}; {ov['input_overflows']} input overflows, "
        f"{ov['dropped_frames']} dropped frames, {lost} device gaps"
        + (f"; resumed at {_length(resumed_at)}" if resumed_at is not None else "")
        + ").\n"
        + _next_step(folder)
    )
    if st["stopped_by"] in ("disk-full", "error"):
        raise typer.Exit(4)


def _resume(
    folder: Path,
    console,
    *,
    live: tuple[bool, str | None] = (False, None),
    device: str | None,
    plain: bool,
    duration: float | None,
    min_free: int,
    warn_minutes: float,
) -> None:
    """``record --resume SESSION``: repair the session if its recorder died, then record a new
    part into it with the consent already on record; the part is joined on at the end."""
    from journeytape.consent import load_consent
    from journeytape.recorder.capture import RecorderError, choose_format, resolve_device
    from journeytape.recorder.session import (
        PART_NAME,
        SessionError,
        SessionLock,
        SessionLog,
        audio_frames,
        begin_resume,
        recover,
    )

    if not (folder / "session.json").is_file():
        raise _fail(f"{folder} is not a session folder (no session.json)")
    try:
        consent = load_consent(folder)
    except FileNotFoundError:
        raise _fail(f"{folder} has no consent.json: cannot continue without its consent") from None
    if consent.get("withdrawn"):
        raise _fail(f"consent for {folder} was withdrawn: nothing may be recorded into it")
    lock = SessionLock(folder)
    if not lock.acquire():
        raise _fail(f"{folder} is being recorded right now; stop that recorder first")
    lock.release()
    log = SessionLog.load(folder)
    if log.data.get("status") not in ("closed", "empty") or (folder / PART_NAME).exists():
        try:
            info = recover(folder)  # kill -9, power cut: repair and close what is there first
        except SessionError as exc:
            raise _fail(str(exc)) from None
        console.print(f"Repaired the interrupted recording: {info['seconds']:.1f} s kept.")
        log = SessionLog.load(folder)
    rate, nch = int(log.data["samplerate"]), int(log.data["channels"])
    try:
        wanted = device or (log.data.get("device") or {}).get("name")
        try:
            dev = resolve_device(wanted)
        except RecorderError:
            if device:
                raise
            dev = resolve_device(None)  # the session's microphone is gone: the default one
        got = choose_format(dev, rate, nch)
    except RecorderError as exc:
        raise _fail(str(exc)) from None
    if got != (rate, nch):
        raise _fail(
            f"device {dev.name!r} records {got[0]} Hz/{got[1]} ch, the session {rate} Hz/"
            f"{nch} ch; the parts could not be joined. Choose another --device."
        )
    dev_lock = _lock_device(dev)
    _check_out(folder.parent, min_free, rate * nch * 2)
    if not lock.acquire():
        raise _fail(f"{folder} is being recorded right now; stop that recorder first")
    dev_lock.note(str(folder))
    base = audio_frames(folder)
    entry = begin_resume(log, base)
    console.print(
        f"Resuming [bold]{escape(str(folder))}[/] at {_length(entry['t'])} "
        f"(consent of {consent.get('recorded_at')} kept; stopped before by "
        f"{entry['previous_stop']})."
    )
    _capture(
        console,
        log,
        dev,
        lock,
        dev_lock,
        plain=plain,
        min_free=min_free,
        warn_minutes=warn_minutes,
        duration=duration,
        lang=log.data.get("language") or "en",
        purpose=(consent.get("purpose") or {}).get("text", ""),
        offset_frames=base,
        live_items=_resume_live_items(log) if live[0] else None,
        live_model=live[1],
    )


def _resume_live_items(log) -> list | None:
    """Live coverage for a resumed session: its guide, if the file is still there."""
    path = (log.data.get("guide") or {}).get("path")
    if not path or not Path(path).is_file():
        return None
    try:
        from journeytape.guide import load_guide

        return _live_items(load_guide(Path(path)), log.data.get("language") or "en")
    except Exception:  # a guide that no longer loads only costs the live coverage
        return None


def _ask_consent(console, pseudonym, consent, no_transcription, no_quotes, without_consent):
    """The interactive consent questions (Ctrl-C or end of input here cancels cleanly)."""
    from rich.prompt import Confirm, Prompt

    from journeytape.recorder.session import SessionError, check_pseudonym

    while pseudonym is None:
        try:
            pseudonym = check_pseudonym(Prompt.ask("Interviewee pseudonym (e.g. P07)"))
        except SessionError as exc:
            console.print(f"[red]{escape(str(exc))}[/]")
    if without_consent is None:
        no_transcription = no_transcription or not Confirm.ask(
            "Agrees to transcription (on this computer)?", default=True
        )
        no_quotes = no_quotes or not Confirm.ask(
            "Agrees to anonymised quotes in reports?", default=True
        )
        if consent is None:
            consent = Prompt.ask("Type the interviewee's answer: do you agree to be recorded?")
    return pseudonym, consent, no_transcription, no_quotes


def _lock_device(dev):
    """Hold the microphone for this recorder, or fail before anything is asked."""
    import atexit

    from journeytape.recorder.session import DeviceLock

    lock = DeviceLock(f"{dev.hostapi}:{dev.name}")
    if not lock.acquire():
        pid, where = lock.holder()
        raise _fail(
            f"microphone {dev.name!r} is already being recorded by another journeytape record "
            f"(pid {pid}{', into ' + where if where else ''}). Nothing was asked or recorded; "
            "stop that recorder first, or choose another microphone with --device."
        )
    atexit.register(lock.release)
    return lock


def _say_audio_errors(folder: Path, console) -> None:
    """Plain mode keeps the audio system's C-level noise out of the output; say where it is."""
    from journeytape.recorder.tui import AUDIO_ERRORS

    log = folder / AUDIO_ERRORS
    if log.exists():
        n = len(log.read_text("utf-8", "replace").splitlines())
        console.print(f"The audio system printed {n} lines of errors; they are in {log}.")


def _terminal_gone(exc: Exception, signals: list[str]) -> bool:
    """An I/O error on the terminal after SIGHUP (or an EIO, which a hung-up tty gives)."""
    import errno

    return isinstance(exc, OSError) and (exc.errno == errno.EIO or "SIGHUP" in signals)


def purpose_default_retention(lang: str) -> str:
    from journeytape.consent import DEFAULT_RETENTION

    return DEFAULT_RETENTION.get(lang, DEFAULT_RETENTION["en"])


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
        raise _fail(f"{session} is not a folder")
    lock = SessionLock(session)
    if (session / "session.json").exists() and not lock.acquire():
        raise _fail(f"{session} is being recorded right now; stop the recorder first")
    lock.release()
    if not yes:
        if not sys.stdin.isatty():
            raise _fail("withdrawal deletes audio for good; pass --yes to confirm")
        from rich.prompt import Confirm

        if not Confirm.ask(f"Delete the audio and all derived files of {session}?"):
            raise typer.Exit(1)
    try:
        w = do_withdraw(session, reason=reason, derived_dirs=list(derived))
    except FileNotFoundError as exc:
        raise _fail(str(exc)) from None
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
