"""Rule files and guides are checked against their JSON Schemas, and every error names the line.

Researchers edit both kinds of file by hand; the schema (annotate/data/rules.schema.json,
journeytape/data/guide.schema.json) says what each key holds, and the line comes from the YAML
node of the value at fault.
"""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from jsonschema import Draft202012Validator

from journeytape import yamlcheck
from journeytape.annotate.rules import RULE_LANGUAGES, RulesError, parse_rules
from journeytape.guide import GuideError, example_guide_path, parse_guide

ANGRY = "{term: angry, emotion: anger, polarity: -0.8,"
RULES = files("journeytape.annotate").joinpath("data/rules")


def rules_text(lang: str = "en") -> str:
    return RULES.joinpath(f"{lang}.yaml").read_text("utf-8")


def line_no(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("package", "name"),
    [("journeytape", "guide.schema.json"), ("journeytape.annotate", "rules.schema.json")],
)
def test_the_schemas_are_valid_json_schema(package, name):
    Draft202012Validator.check_schema(yamlcheck.load_schema(package, name))


@pytest.mark.parametrize("lang", RULE_LANGUAGES)
def test_shipped_rule_files_follow_the_schema(lang):
    data = parse_rules(rules_text(lang), f"{lang}.yaml")
    assert data["language"] == lang and data["emotions"]


def test_shipped_guides_follow_the_schema():
    for path in example_guide_path().parent.glob("*.yaml"):
        assert parse_guide(path.read_text("utf-8"), str(path)).checklist


# -- rule files -------------------------------------------------------------------------------
def _rules_error(text: str) -> str:
    with pytest.raises(RulesError) as exc:
        parse_rules(text, "en.yaml")
    return str(exc.value)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        # a typo in a key would otherwise silently switch a rule off
        ("negation_window: 3", "negation_windw: 3", "unknown key 'negation_windw'"),
        ("negation_window: 3", "negation_window: three", "must be a whole number"),
        # YAML 1.1 reads an unquoted yes/no as a boolean: the word would never match
        ('negators: [not, "n\'t", never, "no",', "negators: [not, \"n't\", never, no,", "quote"),
        (ANGRY, "{term: angry, emotion: anger,", "no 'polarity'"),
        (ANGRY, "{term: angry, emotion: anger, polarity: -8,", "polarity"),
    ],
)  # fmt: skip
def test_a_broken_rule_file_names_the_line(old, new, words):
    text = rules_text()
    assert old in text
    broken = text.replace(old, new, 1)
    message = _rules_error(broken)
    assert message.startswith(f"en.yaml:{line_no(broken, new)}:"), message
    assert words in message, message


def test_a_nested_rule_section_names_the_line():
    text = rules_text()
    broken = re.sub(r"(?m)^(\s+)split_cues: \[", r"\1split_cues: [[just one], ", text, count=1)
    message = _rules_error(broken)
    assert message.startswith(f"en.yaml:{line_no(broken, '[[just one]')}:"), message
    assert "two parts" in message, message


def test_duplicate_keys_in_a_rule_file_name_both_lines():
    text = rules_text()
    broken = text.replace("negation_window: 3", "negation_window: 3\nnegation_window: 4", 1)
    first = line_no(text, "negation_window: 3")
    assert _rules_error(broken) == (
        f"en.yaml:{first + 1}: duplicate key 'negation_window' (first at line {first})"
    )


# -- guides -----------------------------------------------------------------------------------
GUIDE = """\
journey: Test journey
languages: [en, nl]
checklist:
  - id: email
    kind: channel
    synonyms: {en: [email], nl: [mail]}
  - id: ticket
    kind: touchpoint
    synonyms: {en: [ticket], nl: [melding]}
    patterns:
      en:
        - [{LOWER: log}, {LOWER: a}, {LOWER: ticket}]
stages:
  - id: asking
    items: [ticket]
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        # deep inside a pattern: the token spec's own line
        ("[{LOWER: log}, {LOWER: a}, {LOWER: ticket}]", "[{LOWER: log}, a, {LOWER: ticket}]", 12,
         "token spec"),
        ("    items: [ticket]", "    items: [ticket]\n    colour: red", 16, "unknown key 'colour'"),
        ("nl: [melding]", "nl: [melding, no]", 9, "quote"),
        ("  - id: asking", "  - id: Asking", 14, "lower-case"),
    ],
)  # fmt: skip
def test_a_broken_guide_names_the_line(old, new, line, words):
    assert old in GUIDE
    with pytest.raises(GuideError) as exc:
        parse_guide(GUIDE.replace(old, new), "guide.yaml")
    message = str(exc.value)
    assert message.startswith(f"guide.yaml:{line}:"), message
    assert words in message, message


def test_the_first_mistake_in_the_file_is_reported():
    """Two mistakes: the one nearer the top is the one to fix first."""
    broken = GUIDE.replace("kind: touchpoint", "kind: touchpoints").replace(
        "kind: channel", "kind: chanel"
    )
    with pytest.raises(GuideError, match=r"^guide\.yaml:5: kind 'chanel'"):
        parse_guide(broken, "guide.yaml")
