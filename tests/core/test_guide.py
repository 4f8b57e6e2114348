"""The guide loader: the shipped example loads, and every kind of mistake names its line."""

from __future__ import annotations

import textwrap

import pytest

from journeytape.guide import (
    GuideError,
    example_guide_path,
    example_guide_text,
    load_guide,
    parse_guide,
)

MINIMAL = """\
journey: Test journey
languages: [en, nl]
checklist:
  - id: email
    kind: channel
    label: {en: Email, nl: E-mail}
    synonyms: {en: [email], nl: [mail]}
"""


def test_example_guide_is_complete():
    g = load_guide(example_guide_path())
    assert g.languages == ["en", "nl", "de"]
    assert g.sha256 and len(g.sha256) == 64
    assert not g.warnings
    ids = {it.id for it in g.checklist}
    assert {"email", "phone", "service_desk", "self_service_portal", "intranet", "chat"} <= ids
    assert {"colleague", "manager", "supplier"} <= ids
    assert {"laptop_delivered", "account_activated", "access_pass"} <= ids
    assert {s.id for s in g.scenarios} == {"onboarding", "broken_laptop", "outlook_crash"}
    for it in g.checklist:
        assert it.kind in ("channel", "touchpoint")
        for lang in g.languages:
            assert it.label(lang)
            assert it.synonyms_for(lang) or it.patterns_for(lang)
    assert g.item("email").label("de") == "E-Mail"
    assert g.item("colleague").patterns_for("en")
    assert g.consent is not None
    for name in ("purpose", "uses", "not_used_for", "audience", "retention"):
        for lang in g.languages:
            assert g.consent.text(name, lang)
    assert len(g.consent.uses.items("de")) == 2
    assert all(q.text.get(lang) for q in g.questions for lang in g.languages)


def test_text_may_be_one_string_for_all_languages():
    g = parse_guide(MINIMAL.replace("{en: Email, nl: E-mail}", "Mail"))
    assert g.item("email").label("nl") == "Mail"
    assert g.item("email").label("de") == "Mail"


def test_missing_language_falls_back_to_english():
    g = parse_guide(MINIMAL)
    assert g.item("email").label("de") == "Email"


def _err(text: str) -> str:
    with pytest.raises(GuideError) as exc:
        parse_guide(textwrap.dedent(text), "guide.yaml")
    return str(exc.value)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (MINIMAL.replace("kind: channel", "kind: chanel"), 5, "kind 'chanel'"),
        (MINIMAL.replace("id: email", "id: E-mail"), 4, "lower-case"),
        (MINIMAL.replace("languages: [en, nl]", "languages: [en, Dutch]"), 2, "language code"),
        (MINIMAL.replace("    synonyms:", "    synonym:"), 7, "unknown key 'synonym'"),
        (MINIMAL.replace("journey: Test journey\n", ""), 1, "missing required key 'journey'"),
        (MINIMAL + "  - id: email\n    kind: touchpoint\n", 8, "used twice"),
        (MINIMAL + "    kind: touchpoint\n", 8, "duplicate key 'kind'"),
        (MINIMAL.replace("[email]", "[email"), 7, "invalid YAML"),
        (MINIMAL + "questions:\n  - text: Hi\n    about: [phone]\n", 10, "not a checklist id"),
        (
            MINIMAL.replace("synonyms: {en: [email], nl: [mail]}", "synonyms: [email]"),
            7,
            "must be a mapping",
        ),
        (MINIMAL + "    patterns: {en: [[LOWER]]}\n", 8, "token spec"),
        ("format: 2\n" + MINIMAL, 1, "format 2"),
        (MINIMAL + "consent:\n  purpose: x\n", 9, "missing 'uses'"),
        ("", 1, "empty"),
        ("- just\n- a list\n", 1, "must be a mapping"),
    ],
)
def test_malformed_guides_name_the_line(text, line, words):
    message = _err(text)
    assert message.startswith(f"guide.yaml:{line}:"), message
    assert words in message, message


def test_missing_file_is_clear(tmp_path):
    with pytest.raises(GuideError, match="not found"):
        load_guide(tmp_path / "nope.yaml")


def test_warns_about_languages_without_synonyms():
    g = parse_guide(MINIMAL.replace("nl: [mail]", "nl: []"))
    assert any("no nl synonyms" in w for w in g.warnings)


def test_example_text_round_trips(tmp_path):
    p = tmp_path / "g.yaml"
    p.write_text(example_guide_text(), "utf-8")
    assert len(load_guide(p).checklist) == len(load_guide(example_guide_path()).checklist)
