"""The whole flow a study uses, on the committed English sample interview, with the default
models: transcribe (whisper base + diarization) → annotate → export. Each stage reads only
the previous stage's files, so this also checks the file contracts fit together."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile

from typer.testing import CliRunner

from journeytape.annotate.annotations import load_annotations
from journeytape.cli import app
from journeytape.transcribe.transcript import load_transcript


def run(*args):
    result = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"}).invoke(
        app, [str(a) for a in args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_sample_interview_end_to_end(tmp_path, repo_dir):
    sample = repo_dir / "sample_audio" / "interview_en.m4a"
    work = tmp_path / "study"
    work.mkdir()
    shutil.copy(sample, work)
    guide = repo_dir / "journeytape" / "data" / "guides" / "service-desk.yaml"

    run("transcribe", work)
    t = load_transcript(work / "interview_en.transcript.json")
    assert t.language == "en"
    roles = {s.id: s.role for s in t.speakers}
    assert sorted(roles.values()) == ["interviewer", "respondent"]
    # the reference turns (sample_audio/interview_en.ref.rttm) alternate, interviewer first
    turns = [seg.speaker for seg in t.segments]
    collapsed = [s for i, s in enumerate(turns) if i == 0 or s != turns[i - 1]]
    assert [roles[s] for s in collapsed[:4]] == [
        "interviewer",
        "respondent",
        "interviewer",
        "respondent",
    ]
    assert len(collapsed) >= 12  # 14 turns in the script; a merged pair is tolerated
    assert "Interviewer [00:00:00]:" in (work / "interview_en.txt").read_text()

    run("annotate", work, "--guide", guide)
    a = load_annotations(work / "interview_en.annotations.json")
    found = {(tag.label, tag.value) for tag in a.tags}
    for expected in [
        ("CHANNEL", "email"),
        ("CHANNEL", "service_desk"),
        ("CHANNEL", "colleague"),  # "walked over to the guy who knows everything"
        ("EMOTION", "frustrated"),
        ("PEAK", "high"),
    ]:
        assert expected in found, sorted(found)
    assert {"GOAL", "EXPECTATION", "SCORE"} <= {tag.label for tag in a.tags}
    goal = next(tag for tag in a.tags if tag.label == "GOAL")
    assert goal.role == "respondent" and goal.start > 10
    covered = {c.item for c in a.coverage if c.covered}
    assert {"email", "service_desk", "self_service_portal"} <= covered
    assert "intranet" not in covered

    run("export", work, "-f", "csv", "-f", "qdpx")
    rows = list(csv.DictReader((work / "exports" / "excerpts.csv").open(encoding="utf-8")))
    assert any(r["label"] == "CHANNEL" and "service desk" in r["quote"] for r in rows)
    with zipfile.ZipFile(work / "exports" / "journeytape.qdpx") as z:
        assert "project.qde" in z.namelist()
        assert b"interview_en" in z.read("project.qde")
    json.loads((work / "interview_en.transcript.json").read_text())  # still plain JSON
