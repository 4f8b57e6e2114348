"""`journeytape map` on a 12-interview, 3-language study built by the real annotator."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from journeytape.cli import app
from journeytape.guide import load_guide
from journeytape.map import journey
from journeytape.review.store import Workspace
from journeytape.transcribe.transcript import load_transcript

from .conftest import GUIDE


def run_map(folder: Path, out: Path) -> dict:
    res = CliRunner().invoke(app, ["map", str(folder), "--guide", str(GUIDE), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return json.loads((out / "journey-map.json").read_text("utf-8"))


def evidences(node):
    """Every evidence object anywhere in the map (anything with interview+segment+start+end)."""
    if isinstance(node, dict):
        if {"interview", "segment", "start", "end"} <= node.keys():
            yield node
        for v in node.values():
            yield from evidences(v)
    elif isinstance(node, list):
        for v in node:
            yield from evidences(v)


def test_map_validates_and_every_point_resolves_to_a_transcript_moment(study, tmp_path):
    m = run_map(study, tmp_path / "out")
    schema = json.loads((Path(journey.__file__).parent / "journey-map.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(m)

    assert len(m["interviews"]) == 12
    assert {i["language"] for i in m["interviews"]} == {"en", "nl", "de"}
    transcripts = {
        p.name.removesuffix(".transcript.json"): load_transcript(p)
        for p in study.glob("*.transcript.json")
    }
    evs = list(evidences(m))
    # touchpoints, emotion points, scores, pain points, moments: hundreds of points
    assert len(evs) > 150
    for ev in evs:
        segs = {s.id: s for s in transcripts[ev["interview"]].segments}
        seg = segs[ev["segment"]]
        assert seg.start - 0.01 <= ev["start"] <= ev["end"] <= seg.end + 0.01, ev
        if "quote" in ev:
            assert ev["quote"].strip("…") in seg.text, ev
    for section in ("touchpoints", "emotion_points", "pain_points", "moments_of_truth"):
        assert m[section], f"{section} is empty on the study"


def test_touchpoints_in_lived_order_with_channels_and_respondents(study, tmp_path):
    m = run_map(study, tmp_path / "out")
    order = [tp["id"] for tp in m["touchpoints"]]
    # every story goes: ticket, (silence), loan laptop, repair, ticket closed
    assert order.index("ticket_logged") < order.index("loan_laptop") < order.index("repair")
    assert order.index("repair") < order.index("ticket_closed")
    tp = {t["id"]: t for t in m["touchpoints"]}
    assert tp["ticket_logged"]["respondents"] >= 10
    channels = {c["id"] for c in tp["ticket_logged"]["channels"]}
    assert {"phone", "service_desk", "email"} <= channels
    # the waiting after the ticket is the study's pain: below neutral, several respondents
    pains = {p["touchpoint"]: p for p in m["pain_points"]}
    assert pains["status_update"]["emotion"]["median"] < 4
    assert pains["status_update"]["respondents"] >= 5
    # unmet expectations carry both sides, durations parsed
    exps = [x for p in m["pain_points"] for x in p["expectations"]]
    assert any(x["expected_seconds"] and x["actual_seconds"] > x["expected_seconds"] for x in exps)
    # overall scores: one per respondent who gave one, German school grades normalised
    by = {o["interview"]: o["value"] for o in m["scores"]["overall"]}
    assert by["de_03"] == 10.0 and by["en_03"] == 9.0
    assert len(m["emotion_curve"]["respondents"]) >= 10
    assert m["coverage"]["never_discussed"]  # e.g. the password reset was never asked about


def test_review_decisions_shape_the_map(study, tmp_path):
    """Rejected tags leave the map, accepted ones are marked so, added ones count."""
    m0 = run_map(study, tmp_path / "before")
    assert m0["review"]["unreviewed"] > 0 and m0["review"]["accepted"] == 0
    with Workspace(study, "tester") as ws:
        ws.scan()
        iid = ws.interview_id("en_04")
        view = ws.interview(iid)
        closed = [t for t in view.tags if t.value == "ticket_closed"]
        assert closed
        for t in closed:
            ws.set_status(iid, t.id, "rejected")
        first = next(t for t in view.tags if t.label == "TOUCHPOINT")
        ws.set_status(iid, first.id, "accepted")
        # a reviewer tags "the supplier replaced the disk" as the repair touchpoint
        seg = next(s for s in view.segments if "supplier replaced" in s.text)
        a = seg.text.index("replaced the disk")
        ws.add_tag(iid, seg.id, a, a + len("replaced the disk"), "TOUCHPOINT", value="repair")
    m1 = run_map(study, tmp_path / "after")
    tp0 = {t["id"]: t for t in m0["touchpoints"]}
    tp1 = {t["id"]: t for t in m1["touchpoints"]}
    assert "en_04" in tp0["ticket_closed"]["interviews"]
    assert "en_04" not in tp1["ticket_closed"]["interviews"]
    assert m1["review"]["rejected"] == len(closed)
    states = {ev["review"] for ev in evidences(m1) if ev["interview"] == "en_04"}
    assert {"accepted", "added", "unreviewed"} <= states
    rows = {r["interview"]: r["mentions"] for r in m1["coverage"]["rows"]}
    assert rows["en_04"]["ticket_closed"] == 0
    # on the chart, a touchpoint nobody confirmed is drawn dashed; the accepted one and the
    # one with an added tag no longer
    page0 = (tmp_path / "before" / "journey-map.html").read_text("utf-8")
    page1 = (tmp_path / "after" / "journey-map.html").read_text("utf-8")
    assert page0.count("no mention reviewed yet") == len(m0["touchpoints"])
    assert page1.count("no mention reviewed yet") == len(m1["touchpoints"]) - 2


def test_html_is_self_contained_cites_every_quote_and_is_private(study, tmp_path):
    out = tmp_path / "out"
    m = run_map(study, out)
    page = (out / "journey-map.html").read_text("utf-8")
    assert "<svg" in page and "<script" not in page
    # nothing fetched at view time: no src/href to anything but an anchor
    assert not re.findall(r'(?:src|href)="(?!#)', page)
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")
    for p in m["pain_points"]:
        assert p["label"] in page
        for q in p["quotes"]:
            mins, secs = divmod(int(q["start"]), 60)  # shown rounded down (presentation.clock)
            assert f"{q['interview']} · {mins}:{secs:02d}" in page
    for tp in m["touchpoints"]:
        assert tp["label"].split()[0] in page
    for f in ("journey-map.html", "journey-map.json"):
        assert stat.S_IMODE((out / f).stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def test_map_refuses_a_folder_without_annotations(tmp_path):
    (tmp_path / "empty").mkdir()
    res = CliRunner().invoke(app, ["map", str(tmp_path / "empty"), "--guide", str(GUIDE)])
    assert res.exit_code == 1
    assert "no annotated interviews" in " ".join(res.output.split())


def test_load_map_checks_kind_and_version(study, tmp_path):
    import pytest

    m = run_map(study, tmp_path / "out")
    p = tmp_path / "m.json"
    p.write_text(json.dumps({**m, "schema_version": "2.0"}))
    with pytest.raises(journey.JourneyMapError, match="not supported"):
        journey.load_map(p)
    bad = {**m, "touchpoints": [{**m["touchpoints"][0], "evidence": []}]}
    p.write_text(json.dumps(bad))
    with pytest.raises(journey.JourneyMapError, match="touchpoints/0/evidence"):
        journey.load_map(p)
    assert load_guide(GUIDE).journey == m["journey"]


def test_map_warns_when_the_interviews_were_tagged_with_another_guide(study, tmp_path):
    assert run_map(study, tmp_path / "same")["warnings"] == []
    edited = tmp_path / "guide.yaml"
    edited.write_text(GUIDE.read_text("utf-8") + "\n# edited after annotating\n", "utf-8")
    res = CliRunner().invoke(
        app, ["map", str(study), "--guide", str(edited), "--out", str(tmp_path / "other")]
    )
    assert res.exit_code == 0, res.output
    m = json.loads((tmp_path / "other" / "journey-map.json").read_text("utf-8"))
    assert len(m["warnings"]) == 1 and "12 interview(s)" in m["warnings"][0]
    assert "another version of the guide" in " ".join(res.output.split())
    page = (tmp_path / "other" / "journey-map.html").read_text("utf-8")
    assert "jm-warning" in page


def _move_into_session(study: Path, tpath: Path, root: Path, *, quotes: bool):
    """Make ``tpath``'s recording a recorder session's (consent.json beside it), keeping its
    annotations current; return the session folder and the transcript."""
    from journeytape.annotate.annotations import load_annotations, save_annotations
    from journeytape.consent import ConsentRecord, purpose_text
    from journeytape.files import sha256_file
    from journeytape.transcribe.transcript import save_transcript

    session = root / "2026-11-30_P01"
    session.mkdir(parents=True)
    ConsentRecord("P01", purpose_text(), quotes_in_reports=quotes).save(session)
    t = load_transcript(tpath)
    t.recording.path = str(session / "recording.wav")
    save_transcript(t, tpath)
    apath = study / tpath.name.replace(".transcript.json", ".annotations.json")
    a = load_annotations(apath)
    a.transcript["sha256"] = sha256_file(tpath)
    save_annotations(a, apath)
    return session, t


def test_quotes_of_an_interviewee_who_excluded_them_stay_out_of_the_map(study, tmp_path):
    """consent.json `quotes_in_reports: false` reaches the map and the quality report too: no
    sentence of that interview in any output, a note where its quotes would be."""
    from journeytape.erasure import QUOTES_WITHHELD

    tpath, other = sorted(study.glob("*.transcript.json"))[:2]
    _, t = _move_into_session(study, tpath, tmp_path / "sessions", quotes=False)

    out = tmp_path / "out"
    run_map(study, out)
    written = "\n".join(p.read_text("utf-8") for p in sorted(out.iterdir()))
    sentences = [s.text for s in t.segments if len(s.text) > 30]
    assert sentences and not [s for s in sentences if s in written]
    assert QUOTES_WITHHELD in written
    kept = [s.text for s in load_transcript(other).segments if len(s.text) > 30]
    assert any(s in written for s in kept)  # the others consented


def test_withdrawal_removes_a_map_that_quotes_the_interview(study, tmp_path):
    tpath = sorted(study.glob("*.transcript.json"))[0]
    session, t = _move_into_session(study, tpath, tmp_path / "sessions", quotes=True)
    out = study / "map"
    run_map(study, out)
    sentence = next(
        s.text
        for s in t.segments
        if len(s.text) > 40 and s.text in (out / "journey-map.json").read_text("utf-8")
    )

    res = CliRunner().invoke(app, ["withdraw", str(session), "--derived", str(study), "--yes"])
    assert res.exit_code == 0, res.output
    assert "journey map" in res.output
    assert not any(
        (out / n).exists()
        for n in (
            "journey-map.json",
            "journey-map.html",
            "interview-quality.json",
            "interview-quality.md",
        )
    )
    left = [p for p in study.rglob("*") if p.is_file() and sentence.encode() in p.read_bytes()]
    assert not left, left
