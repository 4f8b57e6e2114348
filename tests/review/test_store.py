"""The review workspace: indexing, decisions with who/when, re-annotation, search."""

from __future__ import annotations

import json
import sqlite3

import pytest

from journeytape.review.store import Workspace, WorkspaceError
from journeytape.transcribe.transcript import load_transcript


def test_scan_indexes_every_interview_with_status_and_coverage(ws, folder):
    assert (folder / ".journeytape" / "workspace.sqlite").is_file()
    by_name = {s.name: s for s in ws.interviews()}
    assert set(by_name) == {"onboarding_en", "laptop_nl", "later/only_transcribed"}
    en = by_name["onboarding_en"]
    assert en.status == "annotated" and en.n_tags == 9 and en.n_decided == 0
    assert (en.covered, en.checklist) == (5, 6)
    assert by_name["later/only_transcribed"].status == "transcribed"
    assert en.audio_path.endswith("onboarding_en.wav")
    # a second scan changes nothing
    again = ws.scan()
    assert again.added == [] and again.updated == [] and len(again.unchanged) == 3


def test_database_uses_wal_and_every_decision_is_committed(ws, folder):
    iid = ws.interview_id("onboarding_en")
    tag = ws.interview(iid).tags[0]
    ws.set_status(iid, tag.id, "accepted")
    mode = ws.conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    # another connection (another process, a crash and restart) sees it at once
    other = sqlite3.connect(folder / ".journeytape" / "workspace.sqlite")
    rows = other.execute("SELECT kind, target, who, at FROM decisions").fetchall()
    other.close()
    assert rows and rows[0][:3] == ("tag_status", tag.id, "alice") and rows[0][3].endswith("Z")


def test_accept_reject_edit_add_with_who_and_when(ws):
    iid = ws.interview_id("onboarding_en")
    v = ws.interview(iid)
    portal = next(t for t in v.tags if t.value == "portal")
    desk = next(t for t in v.tags if t.value == "service_desk")
    ws.set_status(iid, desk.id, "accepted", who="bob")
    ws.set_status(iid, portal.id, "rejected")
    colleague = next(t for t in v.tags if t.value == "colleague")
    ws.edit_tag(iid, colleague.id, "CHANNEL", "IT colleague", note="the IT guy")
    seg = v.segment(2)
    start = seg.original_text.index("Honestly")
    added = ws.add_tag(iid, 2, start, start + len("Honestly"), "EMOTION", "candour")
    assert added.startswith("u")
    v = ws.interview(iid)
    by_id = {t.id: t for t in v.tags}
    assert by_id[desk.id].status == "accepted" and by_id[desk.id].who == "bob"
    assert by_id[portal.id].status == "rejected" and not by_id[portal.id].visible
    edited = by_id[colleague.id]
    assert (edited.value, edited.original_value, edited.status) == (
        "IT colleague",
        "colleague",
        "accepted",
    )
    assert edited.note == "the IT guy"
    assert by_id[added].origin == "user" and by_id[added].text == "Honestly"
    assert by_id[added].start >= seg.start and by_id[added].end <= seg.end
    # rejecting the portal tag uncovers the checklist item
    cov = {c.item: c for c in v.coverage}
    assert not cov["portal"].covered
    # the history keeps every step
    kinds = [h["kind"] for h in ws.history("onboarding_en")]
    assert kinds.count("tag_status") == 3 and "tag_edit" in kinds and "tag_add" in kinds
    summary = {s.name: s for s in ws.interviews()}["onboarding_en"]
    assert summary.status == "in review"


def test_bad_input_is_refused_with_a_clear_error(ws):
    iid = ws.interview_id("onboarding_en")
    tag = ws.interview(iid).tags[0]
    with pytest.raises(WorkspaceError, match="label must be one of"):
        ws.edit_tag(iid, tag.id, "NOPE", "x")
    with pytest.raises(WorkspaceError, match="no tag"):
        ws.set_status(iid, "t000000000000", "accepted")
    with pytest.raises(WorkspaceError, match="status must be"):
        ws.set_status(iid, tag.id, "maybe")
    with pytest.raises(WorkspaceError, match="outside segment"):
        ws.add_tag(iid, 0, 5, 500, "CHANNEL")
    with pytest.raises(WorkspaceError, match="no interview"):
        ws.interview(999)


def test_word_fix_changes_text_quotes_and_search_but_not_offsets(ws):
    iid = ws.interview_id("onboarding_en")
    seg = ws.interview(iid).segment(1)
    i = seg.original_text.index("portal")
    ws.fix_word(iid, 1, i, i + len("portal"), "self-service portal")
    v = ws.interview(iid)
    seg = v.segment(1)
    assert seg.text == (
        "I called the service desk, but the self-service portal was really frustrating."
    )
    by_value = {t.value: t for t in v.tags if t.segment_id == 1}
    # tags after the fix shift with it; the tag on the fixed word now quotes the correction
    assert by_value["frustration"].text == "really frustrating"
    assert by_value["portal"].text == "self-service portal"
    assert by_value["service_desk"].text == "service desk"
    assert [h.segment_id for h in ws.search("self-service")] == [1]
    # the JSON file is never touched
    t = load_transcript(ws.folder / "onboarding_en.transcript.json")
    assert "self-service" not in t.segments[1].text


def test_rename_speaker(ws):
    iid = ws.interview_id("onboarding_en")
    ws.rename_speaker(iid, "SPEAKER_01", "  Anna  de Vries ")
    v = ws.interview(iid)
    assert v.speaker_label("SPEAKER_01") == "Anna de Vries"
    assert v.speakers["SPEAKER_01"].original_label == "Respondent"
    with pytest.raises(WorkspaceError):
        ws.rename_speaker(iid, "SPEAKER_09", "Ghost")


def test_reannotation_keeps_decisions_and_reports_vanished_tags(ws, folder, builders):
    iid = ws.interview_id("onboarding_en")
    v = ws.interview(iid)
    keep = next(t for t in v.tags if t.value == "service_desk")
    gone = next(t for t in v.tags if t.value == "colleague")
    ws.set_status(iid, keep.id, "accepted")
    ws.set_status(iid, gone.id, "rejected")
    # the annotator runs again: same tags but the colleague one, plus a new GOAL tag
    t = load_transcript(folder / "onboarding_en.transcript.json")
    annotations = json.loads((folder / "onboarding_en.annotations.json").read_text())
    tags = [x for x in builders.en_tags(t) if x.value != "colleague"]
    tags.append(builders.make_tag(t, 0, "first day", "GOAL", "productive first day"))
    builders.write_annotations(folder, "onboarding_en", t, tags)
    assert json.loads((folder / "onboarding_en.annotations.json").read_text()) != annotations
    report = ws.scan()
    assert report.updated == ["onboarding_en"]
    assert [(o["kind"], o["target"]) for o in report.orphans] == [("tag_status", gone.id)]
    v = ws.interview(iid)
    by_id = {x.id: x for x in v.tags}
    assert by_id[keep.id].status == "accepted"  # same span/label/value -> same stable id
    assert gone.id not in by_id
    assert any(x.label == "GOAL" and x.status == "pending" for x in v.tags)
    # the orphaned decision is still in the log
    assert any(h["target"] == gone.id for h in ws.history("onboarding_en"))


def test_search_full_text_with_label_and_value_filter(ws):
    # "every quote where someone was frustrated about the portal", across languages
    hits = ws.search("frustrated portal")
    assert [(h.interview, h.segment_id) for h in hits] == [("onboarding_en", 1)]
    matched = [text for text, m in hits[0].pieces if m]
    assert matched == ["portal", "frustrating"]  # stemmed: frustrated ~ frustrating
    hits = ws.search("", label="EMOTION", value="frustration")
    assert sorted(h.interview for h in hits) == ["laptop_nl", "onboarding_en"]
    hits = ws.search("portaal", label="EMOTION")
    assert [h.interview for h in hits] == ["laptop_nl"]
    assert ws.search("portal", label="SCORE") == []
    assert ws.search("desk", role="interviewer") == []
    # FTS syntax in user input is harmless
    assert ws.search('"unbalanced OR ( NEAR') == []
    # a rejected tag no longer matches the label filter
    iid = ws.interview_id("laptop_nl")
    emo = next(t for t in ws.interview(iid).tags if t.label == "EMOTION")
    ws.set_status(iid, emo.id, "rejected")
    hits = ws.search("", label="EMOTION", value="frustration")
    assert [h.interview for h in hits] == ["onboarding_en"]


def test_missing_files_are_reported_and_errors_do_not_stop_the_scan(ws, folder):
    (folder / "laptop_nl.transcript.json").rename(folder / "laptop_nl.moved")
    (folder / "broken.transcript.json").write_text('{"kind": "journeytape.transcript"}')
    report = ws.scan()
    assert report.missing == ["laptop_nl"]
    assert len(report.errors) == 1 and report.errors[0].startswith("broken:")
    assert "laptop_nl" not in {s.name for s in ws.interviews()}


def test_recording_found_beside_a_moved_transcript_and_never_a_foreign_file(folder):
    from journeytape.transcribe.transcript import save_transcript

    tpath = folder / "onboarding_en.transcript.json"
    t = load_transcript(tpath)
    t.recording.path = "/nonexistent/elsewhere/onboarding_en.wav"
    save_transcript(t, tpath)
    n = load_transcript(folder / "laptop_nl.transcript.json")
    n.recording.path = str(folder / "onboarding_en.transcript.json")  # not audio
    save_transcript(n, folder / "laptop_nl.transcript.json")
    with Workspace(folder) as ws:
        ws.scan()
        found = {s.name: s.audio_path for s in ws.interviews()}
    assert found["onboarding_en"] == str(folder / "onboarding_en.wav")
    assert found["laptop_nl"] is None


def test_annotations_made_from_another_transcript_are_flagged(ws, folder):
    from journeytape.transcribe.transcript import save_transcript

    assert not any(s.stale for s in ws.interviews())
    tpath = folder / "laptop_nl.transcript.json"
    t = load_transcript(tpath)
    t.segments[0].text = " Hoe ging het met de servicedesk? Goed."
    save_transcript(t, tpath)  # re-transcribed, not yet re-annotated
    ws.scan()
    stale = {s.name for s in ws.interviews() if s.stale}
    assert stale == {"laptop_nl"}


def test_a_workspace_from_an_older_version_is_migrated_keeping_decisions(folder):
    with Workspace(folder, "alice") as ws:
        ws.scan()
        iid = ws.interview_id("onboarding_en")
        tag = ws.interview(iid).tags[0].id
        ws.set_status(iid, tag, "accepted")
        # what version 1 of the workspace looked like
        ws.conn.execute("ALTER TABLE interviews DROP COLUMN annotated_for")
        ws.conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with Workspace(folder) as ws:
        assert ws.conn.execute("SELECT value FROM meta").fetchone()[0] == "3"
        report = ws.scan()
        assert len(report.updated) == 3
        view = ws.interview(iid)
        assert not view.stale
        assert next(t for t in view.tags if t.id == tag).status == "accepted"


def test_a_version_2_workspace_gets_its_tag_states_on_opening(folder):
    """Version 3 counts the start page from ``tag_state``: a workspace made before it has
    none, and opening it must fill them from the decisions (no scan needed: no file changed)."""
    with Workspace(folder, "alice") as ws:
        ws.scan()
        iid = ws.interview_id("onboarding_en")
        tag = ws.interview(iid).tags[0].id
        ws.set_status(iid, tag, "rejected")
        ws.conn.execute("DROP TABLE tag_state")
        ws.conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with Workspace(folder) as ws:
        assert not ws.scan().updated
        row = next(s for s in ws.interviews() if s.name == "onboarding_en")
        assert row.n_decided == 1 and row.n_tags == len(ws.interview(iid).tags)
