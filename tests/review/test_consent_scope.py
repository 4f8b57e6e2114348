"""`quotes_in_reports: false` in consent.json reaches the reports and every export: that
interviewee's quotes are left out and the output says so; other interviews keep theirs."""

from __future__ import annotations

import zipfile
from pathlib import Path

from journeytape.annotate.annotations import load_annotations, save_annotations
from journeytape.annotate.report import write_reports
from journeytape.consent import ConsentRecord, purpose_text
from journeytape.erasure import QUOTES_NOTE, QUOTES_WITHHELD
from journeytape.files import sha256_file
from journeytape.review import formats
from journeytape.review.store import Workspace
from journeytape.transcribe.transcript import load_transcript, save_transcript

#: words only onboarding_en's tags quote (tag text and score/expectation attributes)
QUOTED = ("really frustrating", "six out of ten", "three weeks", "two days")


def _no_quotes_session(folder: Path, name: str, root: Path) -> None:
    """Move ``name``'s recording into a session whose consent excludes quotes."""
    session = root / "2026-11-30_P01"
    session.mkdir(parents=True)
    ConsentRecord("P01", purpose_text(), quotes_in_reports=False).save(session)
    (folder / f"{name}.wav").rename(session / "recording.wav")
    tpath = folder / f"{name}.transcript.json"
    t = load_transcript(tpath)
    t.recording.path = str(session / "recording.wav")
    save_transcript(t, tpath)
    apath = folder / f"{name}.annotations.json"
    a = load_annotations(apath)
    a.transcript["sha256"] = sha256_file(tpath)
    save_annotations(a, apath)


def _text(p: Path) -> str:
    data = p.read_bytes()
    if data[:2] == b"PK":
        with zipfile.ZipFile(p) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return data.decode("utf-8", "replace")


def test_no_quotes_consent_is_honoured_by_reports_and_exports(folder, tmp_path):
    _no_quotes_session(folder, "onboarding_en", tmp_path / "sessions")
    for name in ("onboarding_en", "laptop_nl"):
        write_reports(load_annotations(folder / f"{name}.annotations.json"), name, folder)
    for suffix in (".report.md", ".report.html"):
        withheld = (folder / f"onboarding_en{suffix}").read_text()
        assert not any(q in withheld for q in QUOTED), withheld
        assert "did not consent to quotes" in withheld
        assert "frustrerend" in (folder / f"laptop_nl{suffix}").read_text()

    out = tmp_path / "exports"
    with Workspace(folder, "alice") as ws:
        ws.scan()
        for fmt in ("csv", "xlsx", "md", "timeline", "qdpx"):
            formats.export(ws, fmt, out / formats.default_name(fmt))
    written = sorted(p for p in out.iterdir())
    assert len(written) == 6
    for p in written:
        text = _text(p)
        assert not any(q in text for q in QUOTED), (p, [q for q in QUOTED if q in text])
        assert "portaal" in text, p  # the other interviewee consented
    csv_text = (out / "excerpts.csv").read_text()
    assert QUOTES_WITHHELD in csv_text and "onboarding_en" in csv_text
    assert QUOTES_NOTE in (out / "report.md").read_text()
    assert "did not consent to quotes: onboarding_en" in _text(out / "journeytape.qdpx")
