"""The map and the quality checks on the three committed sample interviews (real audio through
the default models: transcribe → annotate → map)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from journeytape.cli import app
from journeytape.transcribe.transcript import load_transcript

from .conftest import GUIDE
from .test_journey import evidences


def run(*args):
    res = CliRunner(env={"COLUMNS": "200"}).invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, res.output


@pytest.mark.slow
def test_map_of_the_sample_interviews(tmp_path, repo_dir):
    work = tmp_path / "samples"
    work.mkdir()
    for name in ("interview_en.m4a", "interview_nl.mp3", "interview_de.opus"):
        shutil.copy(repo_dir / "sample_audio" / name, work)
    run("transcribe", work)
    run("annotate", work, "--guide", GUIDE)
    run("map", work, "--guide", GUIDE)
    m = json.loads((work / "journey-map.json").read_text("utf-8"))
    assert {i["name"] for i in m["interviews"]} == {"interview_en", "interview_nl", "interview_de"}
    evs = list(evidences(m))
    assert len(evs) >= 10
    for ev in evs:
        t = load_transcript(work / f"{ev['interview']}.transcript.json")
        seg = next(s for s in t.segments if s.id == ev["segment"])
        assert seg.start - 0.01 <= ev["start"] <= ev["end"] <= seg.end + 0.01
    # "Three weeks for a laptop was too long. I expected two days."
    exps = [x for p in m["pain_points"] for x in p["expectations"]]
    assert any(x["expected"] == "two days" and x["actual"] == "Three weeks" for x in exps)
    assert any(mo["kind"] == "high" for mo in m["moments_of_truth"])
    q = json.loads((work / "interview-quality.json").read_text("utf-8"))
    en = next(p for p in q["interviews"] if p["interview"] == "interview_en")
    done = {s["id"] for s in en["steps"] if s["done"]}
    assert {"purpose", "use", "goal", "peak", "overall_score", "feelings"} - done == {"feelings"}
    assert en["questions"]["counts"]["open"] >= 5
    # "I was merely relieved." and the next question moves on to the grade
    assert any(d["downplay"] == "merely" for d in en["downplayed"])
    page = (work / "journey-map.html").read_text("utf-8")
    assert "interview_en · " in page
