"""`journeytape record` for a new interview, as a short sequence of named steps:
repair what an earlier recorder left → the microphone → the output folder → consent →
the session folder (consent.json before any audio) → capture → close.

Every check that can fail without the interviewee's time comes before the purpose text is
read out; nothing is recorded before consent is on disk.
"""

from __future__ import annotations

from typing import Any

from journeytape.recorder.consent_flow import Consent, take_consent
from journeytape.recorder.messages import fail
from journeytape.recorder.preflight import check_out, find_device, lock_device
from journeytape.recorder.recovery import recover_all
from journeytape.recorder.run import CaptureJob, capture
from journeytape.recorder.settings import RecordSettings


def record_session(s: RecordSettings, console: Any) -> None:
    """Record one consented interview into ``<out>/<date>_<pseudonym>/``."""
    recover_all(s.out, console, ask=s.interactive)
    dev, samplerate, nch = find_device(s.device, s.rate, s.channels)  # queried, not opened
    dev_lock = lock_device(dev)
    check_out(s.out, s.min_free, samplerate * nch * 2)  # before anyone reads anything out
    consent = take_consent(s, console)
    job = _open_session(s, consent, console, dev, dev_lock, (samplerate, nch))
    capture(job)


def _open_session(
    s: RecordSettings,
    c: Consent,
    console: Any,
    dev: Any,
    dev_lock: Any,
    fmt: tuple[int, int],
) -> CaptureJob:
    """Create the session folder with consent.json first, lock it, start session.json."""
    from journeytape.consent import ConsentRecord
    from journeytape.recorder.live_coverage import live_items
    from journeytape.recorder.session import (
        SessionError,
        SessionLock,
        SessionLog,
        new_session_folder,
    )

    try:
        folder = new_session_folder(s.out, c.pseudonym)
    except SessionError as exc:
        raise fail(str(exc)) from None
    record = ConsentRecord(
        pseudonym=c.pseudonym,
        purpose=c.purpose,
        transcription=c.transcription,
        quotes_in_reports=c.quotes_in_reports,
        retention=c.retention,
        how=["typed"] if s.without_consent is None else [],
        typed_confirmation=c.typed,
        recorded_by=s.interviewer,
        without_consent_reason=s.without_consent,
    )
    try:
        record.save(folder)
    except PermissionError:
        raise fail(f"cannot write in {folder}: permission denied") from None
    lock = SessionLock(folder)
    lock.acquire()
    dev_lock.note(str(folder))
    log = SessionLog.create(
        folder, **_session_fields(s, c), device=dev.to_json(), samplerate=fmt[0], channels=fmt[1]
    )
    return CaptureJob(
        s,
        console,
        log,
        dev,
        lock,
        dev_lock,
        consent_record=record,
        spoken_consent=s.spoken_consent,
        lang=c.lang,
        purpose=c.purpose.text,
        live_items=live_items(c.guide, c.lang) if s.live_coverage else None,
    )


def _session_fields(s: RecordSettings, c: Consent) -> dict[str, Any]:
    """What session.json says about the interview from the start (guide, checklist, consent)."""
    g = c.guide
    checklist = []
    if g is not None:
        for it in g.checklist:
            checklist.append(
                {"id": it.id, "kind": it.kind, "label": it.label(c.lang), "ticked_at": None}
            )
    return {
        "pseudonym": c.pseudonym,
        "journey": g.journey if g is not None else None,
        "guide": {"path": g.path, "sha256": g.sha256} if g is not None else None,
        "language": c.lang,
        "checklist": checklist,
        "consent": {"file": "consent.json", "purpose_sha256": c.purpose.sha256},
        "without_consent_reason": s.without_consent,
    }
