"""One capture into an open session, new or resumed: the recorder runs under the live screen
(or plain mode) until stopped, the session is closed and the result said.

Signals (Ctrl-C, SIGTERM, a closed terminal's SIGHUP) stop the capture like ``s s`` and stay
caught until the file is closed, so a second Ctrl-C cannot tear it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import typer
from rich.markup import escape

from journeytape.recorder.messages import fail, length, next_step, say_audio_errors
from journeytape.recorder.settings import RecordSettings

_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class CaptureJob:
    """What `record` (and `record --resume`) hand to :func:`capture`: a session folder that
    is open and locked, the microphone (locked too) and how to record.

    Attributes:
      settings: How to record (plain mode, --duration, disk limits, live model).
      console: Where messages go (stderr in plain mode).
      log: The session's session.json.
      device: The microphone; device_lock holds it, lock holds the session folder.
      consent_record: The consent record, to note a spoken consent in (new sessions only).
      spoken_consent: The interviewee's spoken "yes" is recorded first (new sessions only).
      lang, purpose: The purpose text's language and text (shown on the ready screen).
      offset_frames: Audio already in the session (``--resume``).
      live_items: Checklist patterns for live coverage (None: off).
    """

    settings: RecordSettings
    console: Any
    log: Any
    device: Any
    lock: Any
    device_lock: Any
    consent_record: Any = None
    spoken_consent: bool = False
    lang: str = "en"
    purpose: str = ""
    offset_frames: int = 0
    live_items: list | None = None


def capture(job: CaptureJob) -> None:
    """Record into the session until stopped, close it, say what was saved (exit 4 when the
    disk filled up or an error stopped it)."""
    from journeytape.recorder.session import SessionError, close_session

    folder, log = job.log.folder, job.log
    rec = _recorder(job)
    resumed_at = job.offset_frames / rec.fmt.samplerate if log.data.get("resumes") else None
    live = _start_live_coverage(job, rec)
    stop_evt = threading.Event()
    caught = _catch_signals(stop_evt)
    try:
        reason, failure = _record(job, rec, stop_evt, live, resumed_at, caught)
        # signals stay caught until the file is closed: a second Ctrl-C must not tear it
        rec.stop(reason)
        if live is not None:
            live.stop()
            log.update(live_coverage=live.to_json())
        try:
            final = close_session(folder, log, stopped_by=rec.stop_reason or reason)
        except (SessionError, OSError) as exc:
            raise fail(
                f"could not close the session ({exc}); the audio is safe in {folder}. "
                f"Run: journeytape record --recover --out {folder}",
                code=4,
            ) from None
    finally:
        job.lock.release()
        job.device_lock.release()
        _restore_signals()
    if failure is not None:
        raise fail(f"{failure} (session folder: {folder})", code=4)
    if reason == "SIGHUP" and not job.settings.plain:
        return  # closed like `s s`; the terminal is gone, so there is nobody to tell
    _say_saved(job, rec, final, resumed_at)


def _recorder(job: CaptureJob) -> Any:
    from journeytape.recorder.capture import Recorder

    return Recorder(
        job.log,
        job.device,
        int(job.log.data["samplerate"]),
        int(job.log.data["channels"]),
        min_free_bytes=job.settings.min_free,
        warn_seconds_left=job.settings.warn_minutes * 60,
        max_seconds=job.settings.duration,
        offset_frames=job.offset_frames,
    )


def _start_live_coverage(job: CaptureJob, rec: Any) -> Any:
    """The background transcription that shows checklist coverage (None when off)."""
    if not job.live_items:
        return None
    from journeytape.recorder.live_coverage import LiveCoverage

    live = LiveCoverage({it["id"]: it["label"] for it in job.live_items}, on_event=rec.say)
    live.start(
        {
            "part": str(rec.audio_path),
            "rate": rec.fmt.samplerate,
            "channels": rec.fmt.channels,
            "offset": job.offset_frames / rec.fmt.samplerate,
            "model": job.settings.live_model or ("tiny.en" if job.lang == "en" else "base"),
            "language": job.lang,
            "items": job.live_items,
        }
    )
    return live


def _catch_signals(stop_evt: threading.Event) -> list[str]:
    """Make SIGINT/SIGTERM/SIGHUP stop the capture; returns the names caught, in order."""
    caught: list[str] = []

    def _on_signal(signum: int, frame: Any) -> None:
        caught.append(signal.Signals(signum).name)
        stop_evt.set()

    for s in _SIGNALS:
        signal.signal(s, _on_signal)
    return caught


def _restore_signals() -> None:
    for s in _SIGNALS:
        signal.signal(s, signal.SIG_DFL if s != signal.SIGINT else signal.default_int_handler)


def _record(
    job: CaptureJob,
    rec: Any,
    stop_evt: threading.Event,
    live: Any,
    resumed_at: float | None,
    caught: list[str],
) -> tuple[str, str | None]:
    """Run the screen (or plain mode) until stopped: (why it stopped, a fault to report)."""
    from journeytape.recorder.devices import RecorderError
    from journeytape.recorder.tui import run_tui

    reason, failure = "error", None
    try:
        if job.settings.plain:
            reason = _record_plain(job, rec, stop_evt, live)
        else:
            reason = run_tui(
                rec,
                stop_evt,
                duration=job.settings.duration,
                spoken_consent=job.spoken_consent,
                on_spoken_consent=_spoken_consent_saver(job),
                lang=job.lang,
                purpose=job.purpose,
                resumed_at=resumed_at,
                coverage=live,
            )
    except (RecorderError, OSError) as exc:
        if _terminal_gone(exc, caught):
            reason = "SIGHUP"  # the screen could not be restored: nobody is watching it
        else:
            failure = str(exc)
            reason = "error"
    if caught:
        reason = caught[0]
    return reason, failure


def _record_plain(job: CaptureJob, rec: Any, stop_evt: threading.Event, live: Any) -> str:
    from journeytape.recorder.tui import AUDIO_ERRORS, quiet_c_stderr, run_plain

    folder, record = job.log.folder, job.consent_record
    if job.spoken_consent and record is not None:
        record.how.append("spoken-in-recording")
        record.spoken = {"start": 0.0, "end": None}
        record.save(folder)
    with quiet_c_stderr(folder / AUDIO_ERRORS) as err:
        reason = run_plain(rec, stop_evt, duration=job.settings.duration, out=err, live=live)
    say_audio_errors(folder, job.console)
    return reason


def _spoken_consent_saver(job: CaptureJob) -> Callable[[float], None]:
    """What ``c`` on the live screen does: the spoken consent ends ``t`` s into the audio."""

    def _spoken(t: float) -> None:
        record = job.consent_record
        record.how.append("spoken-in-recording")
        record.spoken = {"start": 0.0, "end": round(t, 3)}
        record.save(job.log.folder)

    return _spoken


def _terminal_gone(exc: Exception, signals: list[str]) -> bool:
    """An I/O error on the terminal after SIGHUP (or an EIO, which a hung-up tty gives)."""
    import errno

    return isinstance(exc, OSError) and (exc.errno == errno.EIO or "SIGHUP" in signals)


def _say_saved(job: CaptureJob, rec: Any, final: Any, resumed_at: float | None) -> None:
    """The closing summary; exit 4 when the disk filled up or an error stopped it."""
    console, folder, st = job.console, job.log.folder, job.log.data
    ov = st["overflows"]
    lost = sum(g.get("reason") == "device-lost" for g in st["gaps"])
    if not job.settings.plain:  # plain mode printed them as they came
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
        + (f"; resumed at {length(resumed_at)}" if resumed_at is not None else "")
        + ").\n"
        + next_step(folder)
    )
    if st["stopped_by"] in ("disk-full", "error"):
        raise typer.Exit(4)
