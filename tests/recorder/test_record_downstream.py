"""Issue #15's "done when" for markers and ticks: an interview recorded on the virtual
microphone with a tick and a marker; both reach the transcript JSON, the annotations (coverage
"ticked live", a PEAK candidate) and the review page."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

pytestmark = [pytest.mark.mic, pytest.mark.slow, pytest.mark.timeout(400)]


def _run(audio_tools, *args: str, env=None) -> subprocess.CompletedProcess:
    r = subprocess.run(
        [*audio_tools.cmd(), *args], capture_output=True, text=True, timeout=300, env=env
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def test_tick_and_marker_reach_transcript_annotations_and_review(
    virtual_mic, audio_tools, guided_recording
):
    g = guided_recording(
        "I phoned the service desk. After two weeks a colleague helped me, finally.", "P06"
    )
    rec, speech, root, guide = g.rec, g.speech, g.root, g.guide
    rec.wait_started()
    virtual_mic.play(speech)
    rec.send("m peak moment")  # just after the colleague sentence
    rec.send("t intranet")  # ticked live, never said
    time.sleep(0.5)
    rec.send("s")
    assert rec.finish() == 0, rec.text
    folder = audio_tools.folder(root)
    sess = json.loads((folder / "session.json").read_text())
    t_mark = sess["markers"][0]["t"]

    _run(audio_tools, "transcribe", "--no-diarize", "--model", "tiny.en", "--quiet", str(folder))
    tj = folder / f"{folder.name}.transcript.json"
    tr = json.loads(tj.read_text())
    assert tr["markers"] == [{"t": t_mark, "label": "peak moment"}]
    assert [t["item"] for t in tr["ticks"]] == ["intranet"]

    _run(audio_tools, "annotate", str(tj), "--guide", str(guide))
    ann = json.loads((folder / f"{folder.name}.annotations.json").read_text())
    cov = {c["item"]: c for c in ann["coverage"]}
    assert cov["intranet"]["covered"] and cov["intranet"]["ticked_live"] is not None
    assert cov["intranet"]["mentions"] == 0
    peaks = [t for t in ann["tags"] if t["label"] == "PEAK" and t["attrs"].get("marked_live")]
    assert len(peaks) == 1 and peaks[0]["start"] <= t_mark, ann["tags"]
    report = (folder / f"{folder.name}.report.md").read_text()
    assert "ticked live" in report

    from journeytape.review.app import create_app
    from journeytape.review.store import Workspace

    with Workspace(folder) as ws:
        ws.scan()
        [iid] = [s.id for s in ws.interviews()]
    client = create_app(folder, token="t" * 24, reviewer="carol").test_client()
    client.get("/?token=" + "t" * 24)
    page = client.get(f"/i/{iid}").get_data(as_text=True)
    assert "peak moment" in page and 'class="seek marker"' in page
    row = page[page.index('data-item="intranet"') :].split("</tr>")[0]
    assert "ticked live" in row
