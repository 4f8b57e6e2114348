"""`journeytape annotate` and `journeytape guide` end to end on a small folder of transcripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeytape.annotate.annotations import load_annotations, validate
from journeytape.annotate.devtext import load_dev_interview
from journeytape.cli import app
from journeytape.guide import example_guide_path
from journeytape.transcribe.transcript import save_transcript

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "annotate_devset"
runner = CliRunner()


@pytest.fixture()
def folder(tmp_path) -> Path:
    """Three transcripts (EN/NL/DE) in sub-folders, as `journeytape transcribe` writes them."""
    src = tmp_path / "transcripts"
    for name in ("en_03_outlook", "nl_02_kapotte_laptop", "de_01_onboarding"):
        d = load_dev_interview(DEVSET / f"{name}.txt")
        save_transcript(d.transcript, src / d.language / f"{name}.transcript.json")
    return src


def _run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_annotate_folder_end_to_end(folder, tmp_path):
    out = tmp_path / "out"
    r = _run("annotate", str(folder), "--guide", str(example_guide_path()), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "never discussed" in r.output
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    for lang, name in (
        ("en", "en_03_outlook"),
        ("nl", "nl_02_kapotte_laptop"),
        ("de", "de_01_onboarding"),
    ):
        for suffix in (".annotations.json", ".report.md", ".report.html"):
            assert f"{lang}/{name}{suffix}" in files
    assert {
        "annotations-summary.md",
        "annotations-summary.csv",
        "annotations-summary-items.csv",
    } <= set(files)

    ann_path = out / "nl" / "nl_02_kapotte_laptop.annotations.json"
    raw = json.loads(ann_path.read_text("utf-8"))
    validate(raw)  # the JSON schema shipped beside annotations.py
    ann = load_annotations(ann_path)
    assert ann.language == "nl"
    assert ann.pipeline["name"] and ann.pipeline["kind"] in ("trained", "blank+lookups")
    assert ann.annotator["version"] and len(ann.annotator["rules_sha256"]) == 64
    assert len(ann.transcript["sha256"]) == 64 and len(ann.guide["sha256"]) == 64
    assert {t.label for t in ann.tags} >= {"CHANNEL", "TOUCHPOINT", "EMOTION", "SCORE", "GOAL"}
    assert len({t.id for t in ann.tags}) == len(ann.tags)

    md = (out / "nl" / "nl_02_kapotte_laptop.report.md").read_text("utf-8")
    assert "## Checklist coverage" in md and "never discussed" in md and "leenlaptop" in md
    html = (out / "en" / "en_03_outlook.report.html").read_text("utf-8")
    assert "<svg" in html and "never discussed" in html and "<script" not in html
    summary = (out / "annotations-summary.md").read_text("utf-8")
    assert "Summary of 3 interviews" in summary and "| Phone |" in summary
    csv_head = (out / "annotations-summary.csv").read_text("utf-8").splitlines()[0]
    assert csv_head.startswith("interview,language,pipeline,covered")


def test_resumes_and_force(folder, tmp_path):
    out = tmp_path / "out"
    guide = str(example_guide_path())
    assert _run("annotate", str(folder), "--guide", guide, "--out", str(out)).exit_code == 0
    target = out / "en" / "en_03_outlook.annotations.json"
    before = target.stat().st_mtime_ns
    r = _run("annotate", str(folder), "--guide", guide, "--out", str(out))
    assert r.exit_code == 0 and r.output.count("up to date") == 3, r.output
    assert target.stat().st_mtime_ns == before
    r = _run("annotate", str(folder / "en"), "--guide", guide, "--out", str(out / "en"), "--force")
    assert r.exit_code == 0 and "annotated" in r.output
    assert target.stat().st_mtime_ns != before

    # a changed guide re-annotates
    g2 = tmp_path / "guide.yaml"
    g2.write_text(example_guide_path().read_text("utf-8") + "\n# edited\n", "utf-8")
    r = _run("annotate", str(folder / "en"), "--guide", str(g2), "--out", str(out / "en"))
    assert "up to date" not in r.output


def test_other_schema_version_is_a_clear_error(folder, tmp_path):
    bad = folder / "en" / "en_03_outlook.transcript.json"
    d = json.loads(bad.read_text("utf-8"))
    d["schema_version"] = "2.0"
    bad.write_text(json.dumps(d), "utf-8")
    r = _run(
        "annotate",
        str(folder),
        "--guide",
        str(example_guide_path()),
        "--out",
        str(tmp_path / "out"),
    )
    assert r.exit_code == 1
    assert "schema_version 2.0 is not supported" in r.output
    assert "1 of 3 transcripts failed" in r.output
    assert (tmp_path / "out" / "de" / "de_01_onboarding.annotations.json").exists()


def test_malformed_guide_names_the_line(folder, tmp_path):
    g = tmp_path / "guide.yaml"
    g.write_text("journey: x\nlanguages: [en]\nchecklist:\n  - id: email\n    kind: chanel\n")
    r = _run("annotate", str(folder), "--guide", str(g))
    assert r.exit_code == 2
    assert f"{g}:5: kind 'chanel'" in r.output.replace("\n", "")


def test_bad_spacy_pattern_names_the_line(folder, tmp_path):
    g = tmp_path / "guide.yaml"
    g.write_text(
        "journey: x\nlanguages: [en]\nchecklist:\n  - id: email\n    kind: channel\n"
        "    patterns:\n      en: [[{LOWR: mail}]]\n"
    )
    r = _run("annotate", str(folder / "en"), "--guide", str(g), "--out", str(tmp_path / "o"))
    assert r.exit_code == 2
    assert f"{g}:4: invalid spaCy pattern in 'email'" in r.output.replace("\n", "")


def test_guide_commands(tmp_path):
    r = _run("guide", "check", str(example_guide_path()))
    assert r.exit_code == 0 and "9 channels" in r.output and "11 touchpoints" in r.output
    out = tmp_path / "g.yaml"
    assert _run("guide", "example", "--out", str(out)).exit_code == 0
    assert _run("guide", "check", str(out)).exit_code == 0
    assert _run("guide", "example", "--out", str(out)).exit_code == 2  # never overwrites
    bad = tmp_path / "bad.yaml"
    bad.write_text("journey: x\nlanguages: [en]\nchecklist: []\n")
    r = _run("guide", "check", str(bad))
    assert r.exit_code == 2 and "bad.yaml:3: checklist is empty" in r.output


def test_no_transcripts_found(tmp_path):
    r = _run("annotate", str(tmp_path), "--guide", str(example_guide_path()))
    assert r.exit_code == 2 and "no *.transcript.json" in r.output


def test_other_languages_warn_or_fail_per_file(folder, tmp_path):
    """A language without rules still gets checklist coverage; an unknown code fails alone."""
    src = folder / "en" / "en_03_outlook.transcript.json"
    for code in ("fr", "zz"):
        d = json.loads(src.read_text("utf-8"))
        d["language"] = code
        (folder / f"other_{code}.transcript.json").write_text(json.dumps(d), "utf-8")
    out = tmp_path / "out"
    r = _run("annotate", str(folder), "--guide", str(example_guide_path()), "--out", str(out))
    assert r.exit_code == 1, r.output
    assert "other_zz" in r.output and "1 of 5 transcripts failed" in r.output
    fr = load_annotations(out / "other_fr.annotations.json")
    assert fr.language == "fr" and fr.pipeline["kind"] == "blank+lookups"
    assert any("no journeytape rules for language 'fr'" in w for w in fr.warnings)
    assert any("no 'fr' texts" in w for w in fr.warnings)
    assert len(fr.coverage) == 20


def test_language_override(folder, tmp_path):
    """Whisper may take robotic Dutch for English: --language nl annotates it as Dutch."""
    nl = folder / "nl" / "nl_02_kapotte_laptop.transcript.json"
    d = json.loads(nl.read_text("utf-8"))
    d["language"] = "en"
    nl.write_text(json.dumps(d), "utf-8")
    out = tmp_path / "out"
    guide = str(example_guide_path())
    assert _run("annotate", str(folder / "nl"), "--guide", guide, "--out", str(out)).exit_code == 0
    target = out / "nl_02_kapotte_laptop.annotations.json"
    assert load_annotations(target).language == "en"
    r = _run("annotate", str(folder / "nl"), "--guide", guide, "--out", str(out), "-l", "nl")
    assert r.exit_code == 0 and "up to date" not in r.output
    ann = load_annotations(target)
    assert ann.language == "nl" and any("the transcript says 'en'" in w for w in ann.warnings)
    assert any(t.value == "loan_laptop" for t in ann.tags)


def test_emolex_per_language_is_part_of_the_resume_key(folder, tmp_path):
    lex = tmp_path / "dutch.json"
    lex.write_text(json.dumps({"gelukzalig": ["joy"]}), "utf-8")
    out = tmp_path / "out"
    guide = str(example_guide_path())
    args = ("annotate", str(folder / "nl"), "--guide", guide, "--out", str(out))
    assert _run(*args).exit_code == 0
    r = _run(*args, "--emolex", f"nl={lex}")
    assert r.exit_code == 0 and "up to date" not in r.output
    ann = load_annotations(out / "nl_02_kapotte_laptop.annotations.json")
    assert set(ann.annotator["emolex_sha256"]) == {"nl"}
    assert "up to date" in _run(*args, "--emolex", f"nl={lex}").output
    r = _run(*args, "--emolex", str(tmp_path / "missing.json"))
    assert r.exit_code == 2 and "no such file" in r.output
