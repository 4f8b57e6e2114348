"""Corrected transcripts (issue #14, item 7): word fixes and speaker names reach txt, md, srt,
vtt, docx and the transcript JSON, from the CLI and the app, through the one format registry."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from typer.testing import CliRunner

from journeytape.cli import app
from journeytape.review import formats
from journeytape.review.app import create_app
from journeytape.review.store import Workspace
from journeytape.transcribe.transcript import load_transcript

TOKEN = "corrected-token-0123456789"


@pytest.fixture
def fixed(folder):
    """onboarding_en with "portal" corrected to "web portal" and SPEAKER_01 renamed."""
    with Workspace(folder, "dana") as ws:
        ws.scan()
        iid = ws.interview_id("onboarding_en")
        seg = ws.interview(iid).segment(1)
        i = seg.original_text.index("portal")
        ws.fix_word(iid, 1, i, i + len("portal"), "web portal")
        ws.rename_speaker(iid, "SPEAKER_01", "Beatrix")
    return folder


def test_cli_writes_every_corrected_format(fixed, tmp_path):
    out = tmp_path / "corrected"
    res = CliRunner().invoke(app, ["export", str(fixed), "-f", "corrected", "-o", str(out)])
    assert res.exit_code == 0, res.output

    def base(ext: str):
        return out / f"onboarding_en.corrected.{ext}"

    txt = base("txt").read_text()
    assert "web portal" in txt and "Beatrix [" in txt
    assert "Anna" not in txt and "the portal was" not in txt
    assert "**Beatrix**" in base("md").read_text()
    srt = base("srt").read_text()
    assert "Beatrix: " in srt and "web portal" in srt.replace("\n", " ")
    assert all(len(line) <= 42 for line in srt.splitlines())
    assert "<v Beatrix>" in base("vtt").read_text()

    from docx import Document

    doc = Document(str(base("docx")))
    paras = [p.text for p in doc.paragraphs]
    assert any(p.startswith("Beatrix [") and "web portal" in p for p in paras)
    assert doc.paragraphs[1].runs[0].italic  # the meta line

    # the JSON is still a transcript, with the corrections recorded as such
    jpath = out / "onboarding_en.corrected.transcript.json"
    t = load_transcript(jpath)
    assert "web portal" in t.segments[1].text
    assert {s.id: s.label for s in t.speakers}["SPEAKER_01"] == "Beatrix"
    assert any("corrected in review" in w for w in t.warnings)
    # the fixed word is one word with the new text, at the old word's time
    words = [w.word.strip() for w in t.segments[1].words]
    assert "web portal" in words and "portal" not in words
    rec = json.loads(jpath.read_text())["corrections"]
    assert rec["word_fixes"][0]["old"] == "portal" and rec["word_fixes"][0]["who"] == "dana"
    # the transcriber's file is untouched
    orig = load_transcript(fixed / "onboarding_en.transcript.json")
    old = {s.id: s.label for s in orig.speakers}["SPEAKER_01"]
    assert rec["speaker_renames"] == [{"speaker": "SPEAKER_01", "old": old, "new": "Beatrix"}]
    assert "web portal" not in orig.segments[1].text
    # files with interview content are private
    assert (base("txt").stat().st_mode & 0o777) == 0o600


def test_app_downloads_one_interview_as_a_file_and_several_as_a_zip(fixed):
    c = create_app(fixed, token=TOKEN).test_client()
    c.get(f"/?token={TOKEN}")
    r = c.get("/export/transcript.srt?interview=onboarding_en")
    assert r.status_code == 200
    assert "filename=onboarding_en.corrected.srt" in r.headers["Content-Disposition"]
    assert "Beatrix: " in r.get_data(as_text=True)
    r = c.get("/export/corrected")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(r.data)).namelist())
    assert {"onboarding_en.corrected.docx", "onboarding_en.corrected.transcript.json"} <= names
    # every registered format is served by the app's one route
    for name in formats.REGISTRY:
        assert c.get(f"/export/{name}?interview=onboarding_en").status_code == 200, name
    assert c.get("/export/nope").status_code == 404
    page = c.get("/").get_data(as_text=True)
    assert re.search(r'href="/export/corrected"', page)


def test_the_registry_is_the_only_dispatch(repo_dir):
    """Issue #14: format dispatch was written three times (app, exports, CLI). Only the
    registry (formats.py) names the builders; everything else goes through it."""
    sources = [
        p for p in (repo_dir / "review").rglob("*.py") if p.name not in ("exports.py", "formats.py")
    ]
    assert len(sources) > 10  # the folder exists (this test once globbed a moved one)
    for p in sources:
        text = p.read_text("utf-8")
        assert 'fmt == "csv"' not in text and "excerpts_csv(" not in text, p.name
        assert ".layout" not in text, f"{p.name} decides where a format's files go"
