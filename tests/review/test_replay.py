"""Decision replay without SQLite (review/replay.py), and the start page's SQL counts agreeing
with it (the list is counted from ``tag_state`` instead of replaying every interview)."""

from __future__ import annotations

import ast
from pathlib import Path

from journeytape.review import replay
from journeytape.review.replay import TAG_EDIT, TAG_STATUS, Decision, replay_tag
from journeytape.review.views import SegmentView, TagView


def _tag(label="CHANNEL", value="phone", attrs=None) -> TagView:
    return TagView("t1", label, value, 0, 4, 9, "phone", 1.0, 1.5, "S0", "respondent",
                   "rule", 0.9, attrs or {})  # fmt: skip


def _d(kind: str, at: str, who="alice", **payload) -> Decision:
    return Decision(kind, "t1", payload, who, at)


def test_replay_module_needs_no_database():
    tree = ast.parse(Path(replay.__file__).read_text("utf-8"))
    imported = {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    } | {
        n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    }
    assert "sqlite3" not in imported


def test_the_latest_status_wins_and_names_who_decided():
    base = _tag()
    t = replay_tag(
        base,
        [
            _d(TAG_STATUS, "2026-01-01T10:00:00Z", status="accepted"),
            _d(TAG_STATUS, "2026-01-01T10:05:00Z", who="bob", status="rejected"),
        ],
    )
    assert (t.status, t.who, t.visible, t.edited) == ("rejected", "bob", False, False)
    assert base.status == "pending"  # the input is not changed


def test_an_edit_keeps_the_annotators_values_and_a_revert_restores_them():
    edit = _d(TAG_EDIT, "2026-01-01T10:00:00Z", label="TOUCHPOINT", value="desk", note="n")
    t = replay_tag(_tag(), [edit, _d(TAG_STATUS, "2026-01-01T10:00:00Z", status="accepted")])
    assert (t.label, t.value, t.original_label, t.original_value) == (
        "TOUCHPOINT", "desk", "CHANNEL", "phone",
    )  # fmt: skip
    assert t.edited and t.note == "n" and t.status == "accepted"
    undone = replay_tag(
        _tag(),
        [edit, _d(TAG_EDIT, "2026-01-01T10:01:00Z", revert=True),
         _d(TAG_STATUS, "2026-01-01T10:01:00Z", status="pending")],
    )  # fmt: skip
    assert (undone.label, undone.value, undone.edited, undone.status) == (
        "CHANNEL", "phone", False, "pending",
    )  # fmt: skip


def test_editing_to_the_annotators_own_values_is_no_edit():
    t = replay_tag(_tag(), [_d(TAG_EDIT, "2026-01-01T10:00:00Z", label="CHANNEL", value="phone")])
    assert not t.edited and t.original_label is None


def test_an_edited_score_takes_the_numbers_parsed_from_the_new_value():
    base = _tag("SCORE", "6", attrs={"score_0_10": 6.0})
    t = replay_tag(
        base,
        [_d(TAG_EDIT, "2026-01-01T10:00:00Z", label="SCORE", value="8", attrs={"score_0_10": 8.0})],
    )
    assert t.attrs["score_0_10"] == 8.0 and base.attrs["score_0_10"] == 6.0


def test_fixes_that_no_longer_match_their_word_are_orphans():
    seg = SegmentView(0, 0.0, 2.0, "S0", "the servise desk", [])
    ok = {"segment_id": 0, "start_char": 4, "end_char": 11, "old": "servise", "new": "service"}
    gone = {**ok, "old": "serviss"}
    row = {"id": 1, "name": "x", "language": "en", "duration": 2.0, "audio_path": None,
           "annotations_sha256": None, "annotated_for": None, "transcript_sha256": "a",
           "pipeline": None, "speakers": "[]", "coverage": "[]"}  # fmt: skip
    fixes = [
        Decision("word_fix", "0:4-11", ok, "a", "1"),
        Decision("word_fix", "0:4-12", gone, "a", "2"),
    ]
    view = replay.replay_interview(row, [seg], [], fixes)
    assert view.segments[0].text == "the service desk"
    assert [o["target"] for o in view.orphans] == ["0:4-12"]


# -- the SQL counts agree with the replay --------------------------------------------------


def _replayed_summary(ws, iid):
    v = ws.interview(iid, words=False)
    return (
        len(v.tags),
        sum(1 for t in v.tags if t.status != "pending"),
        [c.item for c in v.coverage if c.covered],
        [s.label for s in v.speakers.values()],
    )


def test_the_start_page_counts_in_sql_what_the_replay_computes(ws):
    iid = ws.interview_id("onboarding_en")
    tags = ws.interview(iid).tags
    channel = next(t for t in tags if t.label == "CHANNEL")
    ws.set_status(iid, tags[0].id, "rejected")  # a checklist mention no longer counts
    ws.edit_tag(iid, channel.id, "CHANNEL", "app")  # an edited value counts for its item
    ws.set_status(iid, tags[2].id, "accepted")
    ws.set_status(iid, tags[2].id, "pending")  # undone
    added = ws.add_tag(iid, tags[3].segment_id, tags[3].start_char, tags[3].end_char, "GOAL", "x")
    ws.delete_tag(iid, ws.add_tag(iid, 0, 0, 3, "PEAK"))  # added, then deleted
    ws.set_status(iid, added, "rejected")
    speaker = next(iter(ws.interview(iid).speakers))
    ws.rename_speaker(iid, speaker, "Beatrix")
    for s in ws.interviews():
        assert (s.n_tags, s.n_decided, s.covered_items, s.speakers) == _replayed_summary(
            ws, s.id
        ), s.name
    en = next(s for s in ws.interviews() if s.id == iid)
    assert en.status == "in review" and en.n_tags == len(tags) + 1 and "Beatrix" in en.speakers
