"""Every word in the rule files is a string: YAML 1.1 reads a bare ``yes``/``no``/``on``/``off``
as a boolean, so a list such as ``fillers: [..., yes, ...]`` silently lost the word "yes"
(found in tags3's second pass; the yes/no answers to expectation questions need both)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

RULES = Path(__file__).resolve().parents[2] / "annotate" / "data" / "rules"

#: keys whose values are flags or numbers, not words
NOT_WORDS = {"negation_after", "evaluative", "negation_window", "polarity", "intensity"}


def _booleans(node, path: str = ""):
    if isinstance(node, bool):
        yield path
    elif isinstance(node, dict):
        for k, v in node.items():
            if str(k) not in NOT_WORDS:
                yield from _booleans(v, f"{path}/{k}")
    elif isinstance(node, list):
        for v in node:
            yield from _booleans(v, path)


@pytest.mark.parametrize("lang", ["en", "nl", "de"])
def test_rule_words_are_strings(lang):
    data = yaml.safe_load((RULES / f"{lang}.yaml").read_text(encoding="utf-8"))
    assert list(_booleans(data)) == []
