"""`journeytape speakers list|rename|merge` on a real transcript and its sibling files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeytape.cli import app
from journeytape.transcribe.transcript import load_transcript
from journeytape.transcribe.writers import FORMATS, write_outputs

runner = CliRunner()


@pytest.fixture
def outputs(dialogue_transcript, tmp_path):
    base = tmp_path / "interview"
    write_outputs(dialogue_transcript, base, FORMATS)
    return base


def run(*args: str):
    return runner.invoke(app, ["speakers", *map(str, args)])


def test_list_shows_roles(outputs):
    r = run("list", f"{outputs}.transcript.json")
    assert r.exit_code == 0, r.output
    assert "Interviewer" in r.output and "Respondent" in r.output and "SPEAKER_01" in r.output


def test_rename_rewrites_json_and_siblings(outputs):
    js = f"{outputs}.transcript.json"
    before = load_transcript(js)
    r = run("rename", js, "Respondent=Anna", "SPEAKER_00=Researcher")
    assert r.exit_code == 0, r.output
    t = load_transcript(js)
    labels = {s.id: s.label for s in t.speakers}
    assert labels == {"SPEAKER_00": "Researcher", "SPEAKER_01": "Anna"}
    assert all(s.role_source == "user" for s in t.speakers)
    assert [s.role for s in t.speakers] == [s.role for s in before.speakers]  # roles kept
    assert t.segments == before.segments  # nothing re-run
    txt = outputs.with_name("interview.txt").read_text()
    assert "Anna [" in txt and "Researcher [" in txt and "Respondent" not in txt
    assert "Anna" in outputs.with_name("interview.srt").read_text()
    assert outputs.with_name("interview.rttm").read_text().count("SPEAKER_01") >= 1


def test_renaming_to_a_role_moves_the_role(outputs):
    js = f"{outputs}.transcript.json"
    assert run("rename", js, "SPEAKER_01=Interviewer", "SPEAKER_00=Respondent").exit_code == 0
    roles = {s.id: (s.role, s.label) for s in load_transcript(js).speakers}
    assert roles == {"SPEAKER_00": ("respondent", "Respondent"),
                     "SPEAKER_01": ("interviewer", "Interviewer")}  # fmt: skip


def test_merge_makes_one_speaker(outputs):
    js = f"{outputs}.transcript.json"
    before = load_transcript(js)
    r = run("merge", js, "SPEAKER_01", "SPEAKER_00")
    assert r.exit_code == 0, r.output
    t = load_transcript(js)
    assert [s.id for s in t.speakers] == ["SPEAKER_00"]
    assert t.speakers[0].talk_time == pytest.approx(sum(s.talk_time for s in before.speakers))
    assert {s.speaker for s in t.segments} == {"SPEAKER_00"}
    assert {w.speaker for s in t.segments for w in s.words} == {"SPEAKER_00"}
    assert [s.id for s in t.segments] == [s.id for s in before.segments]
    assert t.models["diarization"]["merged_by_user"] == {"SPEAKER_01": "SPEAKER_00"}
    rttm = outputs.with_name("interview.rttm").read_text()
    assert "SPEAKER_01" not in rttm and {ln.split()[7] for ln in rttm.splitlines()} == {
        "SPEAKER_00"
    }
    # the merged speaker's turns are joined where they touched or overlapped
    assert [(u.start, u.speaker) for u in t.turns] == sorted((u.start, u.speaker) for u in t.turns)
    assert len(t.turns) <= len(before.turns)


@pytest.mark.parametrize(
    "args, message",
    [
        (("rename", "{js}", "SPEAKER_07=Anna"), "no speaker 'SPEAKER_07'"),
        (("rename", "{js}", "Anna"), "write OLD=NEW"),
        (("rename", "{js}", "SPEAKER_00=Respondent", "SPEAKER_01=Respondent"), "both be called"),
        (("merge", "{js}", "SPEAKER_00"), "at least two"),
        (("merge", "{js}", "SPEAKER_00", "SPEAKER_00"), "into itself"),
        (("rename", "{txt}", "SPEAKER_00=Anna"), "not valid JSON"),
    ],
)
def test_bad_requests_fail_clearly_and_change_nothing(outputs, args, message):
    js = f"{outputs}.transcript.json"
    before = json.loads(Path(js).read_text())
    r = run(*(a.format(js=js, txt=f"{outputs}.txt") for a in args))
    assert r.exit_code == 2
    assert message in r.output
    assert json.loads(Path(js).read_text()) == before
