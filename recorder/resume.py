"""``journeytape record --resume SESSION``: record a new part into a session that stopped (or
whose recorder died), with the consent already on record; the part is joined on at the end
and the gap between the parts is recorded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.markup import escape

from journeytape.recorder.messages import fail, length
from journeytape.recorder.preflight import check_out, lock_device
from journeytape.recorder.run import CaptureJob, capture
from journeytape.recorder.settings import RecordSettings


def resume_session(folder: Path, s: RecordSettings, console: Any) -> None:
    """Check the consent, repair the session if its recorder died, then record into it."""
    from journeytape.recorder.session import SessionLock, audio_frames, begin_resume

    consent = _consent_on_record(folder)
    lock = SessionLock(folder)
    if not lock.acquire():
        raise fail(f"{folder} is being recorded right now; stop that recorder first")
    lock.release()
    log = _repaired_log(folder, console)
    rate, nch = int(log.data["samplerate"]), int(log.data["channels"])
    dev = _same_format_device(log, s.device, rate, nch)
    dev_lock = lock_device(dev)
    check_out(folder.parent, s.min_free, rate * nch * 2)
    if not lock.acquire():
        raise fail(f"{folder} is being recorded right now; stop that recorder first")
    dev_lock.note(str(folder))
    base = audio_frames(folder)
    entry = begin_resume(log, base)
    console.print(
        f"Resuming [bold]{escape(str(folder))}[/] at {length(entry['t'])} "
        f"(consent of {consent.get('recorded_at')} kept; stopped before by "
        f"{entry['previous_stop']})."
    )
    lang = log.data.get("language") or "en"
    purpose = (consent.get("purpose") or {}).get("text", "")  # shown again on the ready screen
    live = _live_items(log) if s.live_coverage else None
    job = CaptureJob(s, console, log, dev, lock, dev_lock, lang=lang, purpose=purpose)
    capture(replace(job, offset_frames=base, live_items=live))


def _consent_on_record(folder: Path) -> dict[str, Any]:
    """The session's consent.json, unless it is missing or withdrawn (then nothing is
    recorded)."""
    from journeytape.consent import load_consent

    if not (folder / "session.json").is_file():
        raise fail(f"{folder} is not a session folder (no session.json)")
    try:
        consent = load_consent(folder)
    except FileNotFoundError:
        raise fail(f"{folder} has no consent.json: cannot continue without its consent") from None
    if consent.get("withdrawn"):
        raise fail(f"consent for {folder} was withdrawn: nothing may be recorded into it")
    return consent


def _repaired_log(folder: Path, console: Any) -> Any:
    """session.json, after repairing and closing what a dead recorder left (kill -9, power
    cut)."""
    from journeytape.recorder.session import PART_NAME, SessionError, SessionLog, recover

    log = SessionLog.load(folder)
    if log.data.get("status") not in ("closed", "empty") or (folder / PART_NAME).exists():
        try:
            info = recover(folder)
        except SessionError as exc:
            raise fail(str(exc)) from None
        console.print(f"Repaired the interrupted recording: {info['seconds']:.1f} s kept.")
        log = SessionLog.load(folder)
    return log


def _same_format_device(log: Any, device: str | None, rate: int, nch: int) -> Any:
    """The session's microphone (or --device, or the default one when it is gone), which
    must record in the session's format for the parts to be joined."""
    from journeytape.recorder.devices import RecorderError, choose_format, resolve_device

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
        raise fail(str(exc)) from None
    if got != (rate, nch):
        raise fail(
            f"device {dev.name!r} records {got[0]} Hz/{got[1]} ch, the session {rate} Hz/"
            f"{nch} ch; the parts could not be joined. Choose another --device."
        )
    return dev


def _live_items(log: Any) -> list | None:
    """Live coverage for a resumed session: its guide, if the file is still there."""
    path = (log.data.get("guide") or {}).get("path")
    if not path or not Path(path).is_file():
        return None
    try:
        from journeytape.guide import load_guide
        from journeytape.recorder.live_coverage import live_items

        return live_items(load_guide(Path(path)), log.data.get("language") or "en")
    except Exception:  # a guide that no longer loads only costs the live coverage
        return None
