"""Markers and ticks from the recorder reach annotation (issue #15): a tick is coverage
evidence ("ticked live"), a marker labelled like a peak becomes a PEAK candidate."""

from __future__ import annotations

import json

from journeytape.annotate.annotations import load_annotations, save_annotations
from journeytape.annotate.devtext import transcript_from_text
from journeytape.annotate.report import interview_markdown
from journeytape.transcribe.transcript import Transcript, load_transcript, save_transcript

TEXT = """I: How did it go when your laptop broke?
R: I phoned the service desk and waited two weeks for a repair.
I: And then?
R: Then a colleague set up a new account for me and it worked in a minute.
I: Anything else?
R: No, that was it."""


def _transcript(markers, ticks) -> Transcript:
    transcript, _ = transcript_from_text(TEXT, "en")
    transcript.markers, transcript.ticks = markers, ticks
    return transcript


def test_ticks_cover_and_peak_markers_become_candidates(annotator, tmp_path):
    plain = annotator.annotate(_transcript([], []), "t", "0" * 64)
    cov = {c.item: c for c in plain.coverage}
    assert not cov["loan_laptop"].covered  # never said: the "Loan laptop" case
    seg = _transcript([], []).segments[3]
    assert seg.text.strip().startswith("Then a colleague")
    t_mark = round(seg.start + 0.5, 3)
    tr = _transcript(
        [{"t": t_mark, "label": "peak moment"}, {"t": 1.0, "label": "check audio"}],
        [{"t": 4.2, "item": "loan_laptop", "label": "Loan laptop", "kind": "touchpoint"}],
    )
    ann = annotator.annotate(tr, "t", "0" * 64)
    cov = {c.item: c for c in ann.coverage}
    assert cov["loan_laptop"].covered and cov["loan_laptop"].ticked_live == 4.2
    assert cov["loan_laptop"].mentions == 0
    assert cov["service_desk"].ticked_live is None and cov["service_desk"].covered
    live = [t for t in ann.tags if t.label == "PEAK" and t.attrs.get("marked_live")]
    assert len(live) == 1 and live[0].segment_id == seg.id, ann.tags
    assert live[0].attrs["marked_live"]["label"] == "peak moment"
    assert not any(t.attrs.get("marked_live", {}).get("label") == "check audio" for t in ann.tags)
    # the files keep it (schema-valid), and the report says "ticked live", not "never discussed"
    path = save_annotations(ann, tmp_path / "x.annotations.json")
    again = load_annotations(path)
    assert {c.item: c.ticked_live for c in again.coverage}["loan_laptop"] == 4.2
    md = interview_markdown(again, "P06")
    row = next(x for x in md.splitlines() if x.startswith("| Loan laptop"))
    assert "ticked live" in row and "never discussed" not in row
    assert "(marked live)" in md


def test_transcript_carries_markers_and_ticks(tmp_path):
    tr = _transcript([{"t": 3.5, "label": "peak moment"}], [{"t": 1.0, "item": "email"}])
    path = save_transcript(tr, tmp_path / "x.transcript.json")
    d = json.loads(path.read_text())
    assert d["schema_version"] == "1.1"
    assert d["markers"] == [{"t": 3.5, "label": "peak moment"}]
    back = load_transcript(path)
    assert back.markers == d["markers"] and back.ticks[0]["item"] == "email"
    # a 1.0 transcript (no markers) still loads
    d.pop("markers"), d.pop("ticks")
    d["schema_version"] = "1.0"
    path.write_text(json.dumps(d))
    assert load_transcript(path).markers == []
