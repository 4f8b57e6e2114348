"""Exports: excerpts CSV/XLSX, journey timeline, Markdown, and the REFI-QDA .qdpx project
(validated against the REFI-QDA Project.xsd and read back by an independent parser)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile

import pytest
from typer.testing import CliRunner

from journeytape.cli import app
from journeytape.review import exports, formats
from journeytape.review.qdpx import build_project, schema_path, validate_qde
from journeytape.review.store import Workspace

NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture
def reviewed(folder):
    """A workspace with a realistic review: accept, reject, edit, add, fix a word, rename."""
    ws = Workspace(folder, "alice")
    ws.scan()
    iid = ws.interview_id("onboarding_en")
    v = ws.interview(iid)
    tag = {t.value: t for t in v.tags}
    ws.set_status(iid, tag["service_desk"].id, "accepted")
    ws.set_status(iid, tag["frustration"].id, "accepted", who="bob")
    ws.set_status(iid, tag["laptop_delivered"].id, "rejected")
    ws.edit_tag(iid, tag["colleague"].id, "CHANNEL", "skilled_colleague")
    seg = v.segment(2)
    i = seg.original_text.index("Honestly")
    ws.add_tag(iid, 2, i, i + 8, "PEAK", "low")
    j = v.segment(1).original_text.index("portal")
    ws.fix_word(iid, 1, j, j + 6, "self-service portal")
    ws.rename_speaker(iid, "SPEAKER_01", "Anna")
    yield ws
    ws.close()


def test_excerpts_csv_applies_every_decision(reviewed):
    data = exports.excerpts_csv(exports.load_views(reviewed))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    en = [r for r in rows if r["interview"] == "onboarding_en"]
    values = {r["value"] for r in en}
    assert "laptop_delivered" not in values  # rejected
    assert {"skilled_colleague", "low", "portal"} <= values
    portal = next(r for r in en if r["value"] == "portal")
    assert portal["quote"] == "self-service portal" and portal["speaker"] == "Anna"
    frus = next(r for r in en if r["value"] == "frustration")
    assert (frus["status"], frus["reviewed_by"], frus["polarity"]) == ("accepted", "bob", "-0.8")
    assert float(frus["start"]) < float(frus["end"])
    assert {r["interview"] for r in rows} == {"onboarding_en", "laptop_nl"}
    only = exports.excerpts(exports.load_views(reviewed), include_pending=False)
    assert {e.status for e in only} == {"accepted"} and len(only) == 4


def test_spreadsheet_cells_never_become_formulas(reviewed, tmp_path):
    from openpyxl import load_workbook

    iid = reviewed.interview_id("onboarding_en")
    seg = reviewed.interview(iid).segment(0)
    reviewed.fix_word(iid, 0, 0, 3, '=HYPERLINK("http://x")')
    reviewed.add_tag(iid, 0, 0, 3, "GOAL", "=1+1")
    rows = list(
        csv.reader(io.StringIO(exports.excerpts_csv(exports.load_views(reviewed)).decode()))
    )
    assert any(c.startswith("'=HYPERLINK") for r in rows for c in r)
    path = tmp_path / "x.xlsx"
    formats.export(reviewed, "xlsx", path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Excerpts", "Timeline", "Coverage"]
    cells = [c for row in wb["Excerpts"].iter_rows() for c in row]
    goal = [c for c in cells if c.value == "=1+1"]
    assert goal and all(c.data_type == "s" for c in goal)
    assert seg.id == 0


def test_xlsx_has_the_excerpt_columns(reviewed, tmp_path):
    from openpyxl import load_workbook

    path = formats.export(reviewed, "xlsx", tmp_path / "e.xlsx")[0]
    sheet = load_workbook(path)["Excerpts"]
    header = [c.value for c in sheet[1]]
    for col in ("quote", "label", "value", "interview", "speaker", "start", "end"):
        assert col in header
    quotes = [r[header.index("quote")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert "self-service portal" in quotes


def test_timeline_orders_touchpoints_with_valence_and_scores(reviewed, tmp_path):
    csv_path, json_path = formats.export(reviewed, "timeline", tmp_path / "timeline")
    doc = json.loads(json_path.read_text())
    en = next(i for i in doc["interviews"] if i["name"] == "onboarding_en")
    tps = en["touchpoints"]
    assert [t["order"] for t in tps] == list(range(1, len(tps) + 1))
    assert [t["start"] for t in tps] == sorted(t["start"] for t in tps)
    items = [t["item"] for t in tps]
    assert "laptop_delivered" not in items  # rejected
    desk = next(t for t in tps if t["item"] == "service_desk")
    # same respondent turn: "really frustrating" (-0.8), "not really happy" (-0.3), 6/10
    assert desk["valence"] == pytest.approx(-0.55) and desk["score_0_10"] == 6.0
    assert "frustration" in desk["emotions"]
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text("utf-8-sig"))))
    assert len(rows) == sum(len(i["touchpoints"]) for i in doc["interviews"])


def test_markdown_report(reviewed):
    md = exports.markdown(exports.load_views(reviewed))
    assert "## onboarding\\_en" in md and "### Checklist coverage" in md
    never = [line for line in md.splitlines() if line.startswith("Never discussed:")]
    # laptop delivered: its only tag was rejected; skilled colleague: its tag was re-valued
    assert never[-1] == "Never discussed: skilled colleague, intranet, laptop delivered."
    assert "self-service portal" in md and "Anna" in md
    assert "<script>" not in md  # the transcript's markup is escaped
    assert "| service\\_desk | 2 |" in md  # across interviews


def parse_qdpx(data: bytes) -> dict:
    """An independent reader of our .qdpx, as an importing QDA program would read it."""
    z = zipfile.ZipFile(io.BytesIO(data))
    root = ET.fromstring(z.read("project.qde"))
    codes = {}
    for code in root.iterfind(".//q:CodeBook//q:Code", NS):
        codes[code.get("guid")] = code.get("name")
    users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
    sources = {}
    for ts in root.iterfind("q:Sources/q:TextSource", NS):
        member = "Sources/" + ts.get("plainTextPath").removeprefix("internal://")
        text = z.read(member).decode("utf-8")
        codings = []
        for sel in ts.iterfind("q:PlainTextSelection", NS):
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
            ref = sel.find("q:Coding/q:CodeRef", NS).get("targetGUID")
            codings.append(
                {
                    "quote": text[a:b],
                    "code": codes[ref],
                    "user": users[sel.get("creatingUser")],
                    "description": sel.findtext("q:Description", namespaces=NS),
                }
            )
        sources[ts.get("name")] = {"text": text, "codings": codings}
    audio = {}
    for au in root.iterfind("q:Sources/q:AudioSource", NS):
        tr = au.find("q:Transcript", NS)
        text = z.read("Sources/" + tr.get("plainTextPath").removeprefix("internal://")).decode()
        points = {s.get("guid"): s for s in tr.iterfind("q:SyncPoint", NS)}
        sync = [(int(s.get("position")), int(s.get("timeStamp"))) for s in points.values()]
        codings = []
        for sel in tr.iterfind("q:TranscriptSelection", NS):
            a = int(points[sel.get("fromSyncPoint")].get("position"))
            b = int(points[sel.get("toSyncPoint")].get("position"))
            ref = sel.find("q:Coding/q:CodeRef", NS).get("targetGUID")
            codings.append(
                {
                    "quote": text[a:b],
                    "code": codes[ref],
                    "user": users[sel.get("creatingUser")],
                    "description": sel.findtext("q:Description", namespaces=NS),
                    "ms": int(points[sel.get("fromSyncPoint")].get("timeStamp")),
                }
            )
        audio[au.get("name")] = {
            "bytes": z.read("Sources/" + au.get("path").removeprefix("internal://")),
            "text": text,
            "sync": sync,
            "codings": codings,
            "transcript_name": tr.get("name"),
        }
    return {"codes": codes, "sources": sources, "audio": audio, "users": users}


def test_qdpx_validates_against_the_refi_qda_schema_and_reads_back(reviewed, folder, tmp_path):
    out = formats.export(reviewed, "qdpx", tmp_path / "study.qdpx")[0]
    data = out.read_bytes()
    qde = zipfile.ZipFile(io.BytesIO(data)).read("project.qde")
    assert validate_qde(qde) == []
    # the shipped schema is the real one: it rejects a project missing a required attribute
    broken = qde.replace(b'isCodable="true"', b"", 1)
    assert any("isCodable" in e for e in validate_qde(broken))

    got = parse_qdpx(data)
    # checklist items are codes named as the guide names them; free text is not a code
    assert set(got["codes"].values()) >= {"CHANNEL", "EMOTION", "service desk", "frustration"}
    assert not {"low", "6.0"} & set(got["codes"].values())
    # with its recording, an interview is one source (the audio and its transcript), not two
    assert "onboarding_en" not in got["sources"]
    src = got["audio"]["onboarding_en.wav"]
    assert "[0:03] Anna: I called the service desk, but the self-service portal" in src["text"]
    assert "<script>alert('x')</script>" in src["text"]  # plain text, kept verbatim
    by_code = {c["code"]: c for c in src["codings"]}
    assert by_code["self-service portal"]["quote"] == "self-service portal"
    assert by_code["frustration"]["quote"] == "really frustrating"
    assert by_code["frustration"]["user"] == "bob"
    assert by_code["service desk"]["user"] == "alice"
    assert by_code["PEAK"]["quote"] == "Honestly" and "PEAK=low" in by_code["PEAK"]["description"]
    assert by_code["skilled_colleague"]["quote"] == "colleague"
    assert "laptop delivered" not in by_code  # rejected tags are not exported
    assert by_code["SCORE"]["user"] == "journeytape auto-tagger"  # pending: the machine's
    assert "status pending" in by_code["SCORE"]["description"]
    # every exported quote equals the one in the excerpts CSV
    quotes = {(e.value, e.quote) for e in exports.excerpts(exports.load_views(reviewed))}
    for c in src["codings"]:
        assert any(q == c["quote"] for _v, q in quotes)

    # audio with sync points: the recording itself, and segment starts at their times
    au = got["audio"]["onboarding_en.wav"]
    assert au["bytes"] == (folder / "onboarding_en.wav").read_bytes()
    assert au["text"] == src["text"]
    v = reviewed.interview(reviewed.interview_id("onboarding_en"))
    starts = dict(au["sync"][::2])
    for seg in v.segments:
        pos = next(p for p, ms in starts.items() if ms == round(seg.start * 1000))
        assert au["text"][pos:].startswith(seg.text.strip()[:20])


def test_qdpx_accepted_only_without_audio(reviewed):
    views = exports.load_views(reviewed, ["onboarding_en"])
    xml, members = build_project(views, include_pending=False, include_audio=False)
    assert validate_qde(xml) == []
    assert all(name.endswith(".txt") for name in members)
    root = ET.fromstring(xml)
    assert root.find("q:Sources/q:AudioSource", NS) is None
    n = len(root.findall(".//q:PlainTextSelection", NS))
    assert n == 4  # three accepted + one added


def test_schema_is_shipped_in_the_package():
    text = schema_path().read_text()
    assert 'targetNamespace="urn:QDA-XML:project:1.0"' in text
    assert "MIT license" in text


def test_export_cli_writes_every_format(reviewed, folder, tmp_path):
    out = tmp_path / "exports"
    res = CliRunner().invoke(
        app,
        [
            "export",
            str(folder),
            "-f",
            "csv",
            "-f",
            "xlsx",
            "-f",
            "qdpx",
            "-f",
            "timeline",
            "-f",
            "md",
            "-o",
            str(out),
            "--no-audio",
        ],
    )
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "excerpts.csv",
        "excerpts.xlsx",
        "journeytape.qdpx",
        "report.md",
        "timeline.csv",
        "timeline.json",
    ]
    res = CliRunner().invoke(app, ["export", str(folder), "-f", "pdf"])
    assert res.exit_code != 0 and "unknown format pdf" in res.output
    res = CliRunner().invoke(
        app, ["export", str(folder), "-i", "nope", "-o", str(tmp_path / "x.csv")]
    )
    assert res.exit_code == 1 and "no interview named nope" in res.output


def test_qdpx_meets_what_qualcoders_importer_reads(reviewed, tmp_path):
    """QualCoder is not installable here (not on PyPI or in Debian), so check what its REFI-QDA
    importer relies on: a Sources/ folder with internal:// paths, a file-name suffix on
    audio sources, and users and creation dates on every source, transcript and selection
    (it reads dates without a fallback on transcripts)."""
    data = formats.export(reviewed, "qdpx", tmp_path / "p.qdpx")[0].read_bytes()
    z = zipfile.ZipFile(io.BytesIO(data))
    names = set(z.namelist())
    root = ET.fromstring(z.read("project.qde"))
    users = {u.get("guid") for u in root.iterfind("q:Users/q:User", NS)}
    for tag in ("AudioSource", "Transcript", "TranscriptSelection", "Coding"):
        els = list(root.iter(f"{{{NS['q']}}}{tag}"))
        assert els, tag
        for el in els:
            assert el.get("creationDateTime", "").endswith("Z"), tag
            assert el.get("creatingUser") in users, tag
    for el in root.iter():
        for attr in ("plainTextPath", "path"):
            if el.get(attr):
                assert el.get(attr).startswith("internal://")
                assert "Sources/" + el.get(attr).removeprefix("internal://") in names
    for au in root.iterfind("q:Sources/q:AudioSource", NS):
        assert au.get("name").endswith(".wav")
    # every code referenced exists in the codebook
    guids = {c.get("guid") for c in root.iter(f"{{{NS['q']}}}Code")}
    assert {r.get("targetGUID") for r in root.iter(f"{{{NS['q']}}}CodeRef")} <= guids


def test_real_annotator_output_reviews_and_exports(folder, tmp_path, repo_dir):
    """The annotator's own output (spaCy, the shipped guide) over these transcripts goes
    through the workspace and every export; catches drift between the two contracts."""
    guide = repo_dir / "journeytape" / "data" / "guides" / "service-desk.yaml"
    assert guide.is_file(), f"{guide} is tracked in the repository and must exist"
    for p in folder.rglob("*.annotations.json"):
        p.unlink()
    res = CliRunner().invoke(app, ["annotate", str(folder), "--guide", str(guide)])
    assert res.exit_code == 0, res.output
    with Workspace(folder, "zoe") as ws:
        report = ws.scan()
        assert report.errors == []
        summary = {s.name: s for s in ws.interviews()}
        en = summary["onboarding_en"]
        assert en.status == "annotated" and en.n_tags > 0 and en.checklist > 0
        view = ws.interview(en.id)
        ws.set_status(en.id, view.tags[0].id, "accepted")
        views = exports.load_views(ws)
        data = formats.export(ws, "qdpx", tmp_path / "p.qdpx")[0].read_bytes()
    qde = zipfile.ZipFile(io.BytesIO(data)).read("project.qde")
    assert validate_qde(qde) == []
    got = parse_qdpx(data)
    quotes = {c["quote"] for c in got["audio"]["onboarding_en.wav"]["codings"]}
    assert {t.text for t in view.tags} <= quotes
    assert exports.excerpts(views) and exports.markdown(views)
