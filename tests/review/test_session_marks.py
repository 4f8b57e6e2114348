"""Markers set while recording show on the review page (a list and lines on the emotion
curve), and a checklist item ticked live shows as "ticked live", not "never discussed"."""

from __future__ import annotations

from journeytape.annotate.annotations import Annotations, CoverageItem, save_annotations
from journeytape.files import sha256_file
from journeytape.review.app import create_app
from journeytape.review.store import Workspace
from journeytape.transcribe.transcript import (
    Recording,
    Segment,
    Transcript,
    Word,
    save_transcript,
)

TOKEN = "test-token-0123456789"


def _interview(folder):
    text = " I waited three weeks for the loan laptop."
    words = [Word(1.0 + i * 0.3, 1.3 + i * 0.3, " " + w, 0.9) for i, w in enumerate(text.split())]
    t = Transcript(
        recording=Recording(str(folder / "P06.wav"), "0" * 64, 60.0, 16000, 1, 0, "wav"),
        language="en",
        language_probability=1.0,
        segments=[Segment(0, 1.0, 4.0, text, None, words)],
        models={"asr": {"name": "fixture"}, "diarization": None},
        settings={},
        settings_key="fixture",
        timings={"total": 0.0},
        markers=[{"t": 42.5, "label": "peak moment"}, {"t": 50.0, "label": ""}],
        ticks=[{"t": 12.0, "item": "loan_laptop", "label": "Loan laptop", "kind": "touchpoint"}],
    )
    tpath = save_transcript(t, folder / "P06.transcript.json")
    cov = [
        CoverageItem("loan_laptop", "touchpoint", "Loan laptop", True, 0, None, [], 12.0),
        CoverageItem("intranet", "channel", "Intranet", False, 0, None, []),
    ]
    ann = Annotations(
        transcript={"path": str(tpath), "sha256": sha256_file(tpath), "recording_sha256": "0" * 64},
        guide={"path": "", "sha256": "0" * 64, "journey": "test"},
        language="en",
        pipeline={"name": "fixture", "version": "0", "kind": "blank+lookups", "components": []},
        tags=[],
        coverage=cov,
    )
    save_annotations(ann, folder / "P06.annotations.json")


def test_markers_and_ticks_on_the_review_page(tmp_path):
    _interview(tmp_path)
    with Workspace(tmp_path) as ws:
        ws.scan()
        [iid] = [s.id for s in ws.interviews()]
    client = create_app(tmp_path, token=TOKEN, reviewer="carol").test_client()
    assert client.get(f"/?token={TOKEN}").status_code == 303
    page = client.get(f"/i/{iid}").get_data(as_text=True)
    assert "Markers set while recording" in page
    assert "0:42" in page and "peak moment" in page and "(no label)" in page
    assert page.count('class="seek marker"') == 2  # one line per marker on the curve
    row = page[page.index('data-item="loan_laptop"') :].split("</tr>")[0]
    assert "ticked live" in row and "never discussed" not in row
    row = page[page.index('data-item="intranet"') :].split("</tr>")[0]
    assert "never discussed" in row
