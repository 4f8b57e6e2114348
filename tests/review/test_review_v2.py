"""Issue #14 (review v2): what broke for a new user, each checked through the store, the HTTP
API or the exports as the researcher would meet it."""

from __future__ import annotations

import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile

import pytest

from journeytape.review import exports
from journeytape.review.app import create_app
from journeytape.review.qdpx import qdpx_bytes, validate_qde
from journeytape.review.store import Workspace

TOKEN = "v2-token-0123456789"
NS = {"q": "urn:QDA-XML:project:1.0"}


def _tag(view, label, value=None):
    return next(t for t in view.tags if t.label == label and (value is None or t.value == value))


@pytest.fixture
def client(folder):
    app = create_app(folder, token=TOKEN, reviewer="carol")
    c = app.test_client()
    c.get(f"/?token={TOKEN}")
    html = c.get("/").get_data(as_text=True)
    c.csrf = re.search(r'name="csrf-token" content="([0-9a-f]+)"', html).group(1)
    with Workspace(folder) as w:
        c.iid = w.interview_id("onboarding_en")
    return c


def post(c, url, body):
    return c.post(url, data=json.dumps(body), headers={"X-CSRF-Token": c.csrf},
                  content_type="application/json")  # fmt: skip


# -- 1. an edited tag gets the numbers of its new value ----------------------------------------


def test_edited_score_and_emotion_carry_the_numbers_of_the_new_value(ws):
    iid = ws.interview_id("onboarding_en")
    v = ws.interview(iid)
    score, happy = _tag(v, "SCORE"), _tag(v, "EMOTION", "happy")
    ws.edit_tag(iid, score.id, "SCORE", "8")
    ws.edit_tag(iid, happy.id, "EMOTION", "delighted")
    rows = {e.tag_id: e for e in exports.excerpts(exports.load_views(ws, ["onboarding_en"]))}
    assert rows[score.id].score_0_10 == 8.0  # was 6.0 (the annotator's)
    assert rows[happy.id].polarity is not None and rows[happy.id].polarity > 0.5  # was -0.3
    v = ws.interview(iid)
    assert not _tag(v, "EMOTION", "delighted").attrs.get("negated")
    # an emotion's name works too
    ws.edit_tag(iid, happy.id, "EMOTION", "joy")
    assert exports.polarity(_tag(ws.interview(iid), "EMOTION", "joy")) > 0
    # parsed as the annotator parses transcripts: words and fractions, not only digits
    ws.edit_tag(iid, score.id, "SCORE", "seven out of ten")
    assert exports.score(_tag(ws.interview(iid), "SCORE")) == 7.0
    # the .qdpx note says one score, the new one
    qde = zipfile.ZipFile(io.BytesIO(qdpx_bytes(exports.load_views(ws)))).read("project.qde")
    notes = [d.text for d in ET.fromstring(qde).iter(f"{{{NS['q']}}}Description")]
    edited = [n for n in notes if n and n.startswith("SCORE=seven out of ten")]
    assert len(edited) == 1 and "score 7/10" in edited[0] and "6/10" not in edited[0]


def test_a_value_the_rules_cannot_read_drops_the_old_number(ws):
    iid = ws.interview_id("onboarding_en")
    score = _tag(ws.interview(iid), "SCORE")
    ws.edit_tag(iid, score.id, "SCORE", "pretty good")
    assert exports.score(_tag(ws.interview(iid), "SCORE")) is None


def test_an_added_score_tag_gets_its_number(ws):
    iid = ws.interview_id("onboarding_en")
    seg = ws.interview(iid).segment(2)
    i = seg.original_text.index("six out of ten")
    tid = ws.add_tag(iid, 2, i, i + len("six out of ten"), "SCORE", "six out of ten")
    t = next(t for t in ws.interview(iid).tags if t.id == tid)
    assert exports.score(t) == 6.0


# -- 2. undo after an edit brings the annotator's value back -----------------------------------


def test_undo_after_an_edit_restores_the_original_value(client, folder):
    iid = client.iid
    with Workspace(folder) as w:
        tag = _tag(w.interview(iid), "CHANNEL", "portal")
    r = post(client, f"/api/i/{iid}/tag/{tag.id}", {"action": "edit", "label": "CHANNEL",
                                                    "value": "intranet"})  # fmt: skip
    assert r.status_code == 200
    r = post(client, f"/api/i/{iid}/tag/{tag.id}", {"action": "reset"})
    assert r.status_code == 200
    with Workspace(folder) as w:
        t = next(t for t in w.interview(iid).tags if t.id == tag.id)
        assert (t.label, t.value, t.status, t.edited) == ("CHANNEL", "portal", "pending", False)
        # the history keeps both steps
        kinds = [(h["kind"], h["payload"]) for h in w.history("onboarding_en")]
        assert ("tag_edit", {"revert": True}) in kinds


# -- 5. CHANNEL / TOUCHPOINT: the checklist names are offered and accepted ----------------------


def test_a_channel_named_as_the_sidebar_shows_it_covers_the_item(client, folder):
    iid = client.iid
    html = client.get(f"/i/{iid}").get_data(as_text=True)
    # the tag dialog offers the guide's items: names shown, ids stored
    assert re.search(r'<option value="intranet"[^>]*>intranet</option>', html)
    assert re.search(r'<option value="laptop_delivered"[^>]*>laptop delivered</option>', html)
    with Workspace(folder) as w:
        seg = w.interview(iid).segment(4)
    i = seg.original_text.index("colleague")
    r = post(client, f"/api/i/{iid}/tags", {"segment_id": 4, "start_char": i,
             "end_char": i + 9, "label": "CHANNEL", "value": "Intranet"})  # fmt: skip
    assert r.status_code == 200
    with Workspace(folder) as w:
        cov = {c.item: c for c in w.interview(iid).coverage}
    assert cov["intranet"].covered


# -- 6. renaming a speaker does not outdate the tags --------------------------------------------


def test_speaker_rename_does_not_mark_tags_outdated(ws, folder):
    from journeytape.transcribe.speakers import rename, write_back
    from journeytape.transcribe.transcript import load_transcript

    tpath = folder / "onboarding_en.transcript.json"
    write_back(rename(load_transcript(tpath), {"SPEAKER_01": "Anna B."}), tpath)
    ws.scan()
    summary = {s.name: s for s in ws.interviews()}["onboarding_en"]
    assert not summary.stale
    # a real text change still does
    t = load_transcript(tpath)
    t.segments[1].text = t.segments[1].text.replace("portal", "website")
    write_back(t, tpath)
    ws.scan()
    assert {s.name: s for s in ws.interviews()}["onboarding_en"].stale


# -- 9. input validation, deletion, search limit -----------------------------------------------


def test_a_60_kb_word_correction_is_refused(client):
    r = post(client, f"/api/i/{client.iid}/word",
             {"segment_id": 1, "start_char": 2, "end_char": 8, "new": "x" * 60_000})  # fmt: skip
    assert 400 <= r.status_code < 500


def test_store_refuses_long_corrections_and_non_text(ws):
    from journeytape.review.store import WorkspaceError

    iid = ws.interview_id("onboarding_en")
    with pytest.raises(WorkspaceError, match="at most"):
        ws.fix_word(iid, 1, 2, 8, "y" * 300)
    with pytest.raises(WorkspaceError, match="text"):
        ws.rename_speaker(iid, "SPEAKER_00", {"name": "x"})  # type: ignore[arg-type]


def test_a_speaker_name_sent_as_an_object_is_refused(client, folder):
    r = post(client, f"/api/i/{client.iid}/speaker",
             {"speaker": "SPEAKER_00", "label": {"first": "Anna"}})  # fmt: skip
    assert 400 <= r.status_code < 500
    with Workspace(folder) as w:
        assert w.interview(client.iid).speakers["SPEAKER_00"].label != "{'first': 'Anna'}"


def test_own_tags_can_be_deleted_the_annotators_only_rejected(client, folder):
    iid = client.iid
    with Workspace(folder) as w:
        seg = w.interview(iid).segment(2)
        auto = _tag(w.interview(iid), "CHANNEL", "portal")
    i = seg.original_text.index("Honestly")
    r = post(client, f"/api/i/{iid}/tags", {"segment_id": 2, "start_char": i,
             "end_char": i + 8, "label": "PEAK", "value": "low"})  # fmt: skip
    tid = r.get_json()["tag"]["id"]
    assert 'data-action="delete"' in r.get_json()["segment"]
    r = post(client, f"/api/i/{iid}/tag/{tid}", {"action": "delete"})
    assert r.status_code == 200 and tid not in r.get_json()["segment"]
    with Workspace(folder) as w:
        assert tid not in {t.id for t in w.interview(iid).tags}
        assert not w.orphans()
    r = post(client, f"/api/i/{iid}/tag/{auto.id}", {"action": "delete"})
    assert r.status_code == 400 and "reject it instead" in r.get_json()["error"]


def test_added_tags_snap_to_whole_words(ws):
    iid = ws.interview_id("onboarding_en")
    seg = ws.interview(iid).segment(1)
    i = seg.original_text.index("portal")
    tid = ws.add_tag(iid, 1, i + 1, i + 4, "CHANNEL", "portal")  # "ort"
    t = next(t for t in ws.interview(iid).tags if t.id == tid)
    assert t.text == "portal"


def test_search_says_when_it_stops_at_its_limit(ws, client):
    hits = ws.search("the", limit=1)
    assert len(hits) == 1 and hits.truncated
    assert not ws.search("portal", limit=50).truncated
    html = client.get("/search?q=I").get_data(as_text=True)
    assert "stopped at the first" not in html  # few hits: no notice
    from journeytape.review.routes import pages as app_mod

    old = app_mod.SEARCH_LIMIT
    app_mod.SEARCH_LIMIT = 1
    try:
        html = client.get("/search?q=the").get_data(as_text=True)
    finally:
        app_mod.SEARCH_LIMIT = old
    assert "stopped at the first 1" in html


# -- 4. .qdpx for studies with sub-folders and repeated file names ------------------------------


def test_qdpx_has_flat_unique_source_names_and_no_double_listing(folder, tmp_path):
    study = tmp_path / "study"
    for site in ("site_a", "site_b"):
        (study / site).mkdir(parents=True)
        for p in folder.glob("onboarding_en.*"):
            shutil.copy(p, study / site / p.name)
    with Workspace(study, "carol") as w:
        report = w.scan()
        assert sorted(report.added) == ["site_a/onboarding_en", "site_b/onboarding_en"]
        iid = w.interview_id("site_a/onboarding_en")
        seg = w.interview(iid).segment(3)
        w.add_tag(iid, 3, 0, len(seg.original_text.rstrip()), "GOAL", "get the account on day one")
        data = qdpx_bytes(exports.load_views(w))
    z = zipfile.ZipFile(io.BytesIO(data))
    qde = z.read("project.qde")
    assert validate_qde(qde) == []
    root = ET.fromstring(qde)
    audio = [a.get("name") for a in root.iter(f"{{{NS['q']}}}AudioSource")]
    assert sorted(audio) == ["site_a_onboarding_en.wav", "site_b_onboarding_en.wav"]
    names = [
        el.get("name")
        for tag in ("TextSource", "AudioSource", "Transcript")
        for el in root.iter(f"{{{NS['q']}}}{tag}")
    ]
    assert len(names) == len(set(names)) and not any("/" in n or "\\" in n for n in names)
    # one source per interview: the recording with its transcript, not also a text document
    assert not list(root.iter(f"{{{NS['q']}}}TextSource"))
    codes = {c.get("name") for c in root.iter(f"{{{NS['q']}}}Code")}
    assert "get the account on day one" not in codes and "GOAL" in codes
    # emotions by emotion, a negated one as such ("not really happy" is no joy)
    assert {"frustration", "not joy"} <= codes and "joy" not in codes
