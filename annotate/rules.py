"""The rule data per language (``data/rules/<lang>.yaml``): lexicons, cue phrases, number words.

Rules are data so that a researcher can read, extend or correct them without touching code;
their sha256 is part of the annotator version, so changed rules re-annotate on the next run.
``data/rules.schema.json`` describes every key; a file that breaks it fails to load with a
``file:line: message`` error (:class:`RulesError`), as a guide does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from journeytape import yamlcheck
from journeytape.yamlcheck import LineError, plain

RULE_LANGUAGES = ("en", "nl", "de")


class RulesError(ValueError):
    """A rule file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class EmotionEntry:
    term: str  # headword, the tag's value
    emotion: str
    polarity: float
    intensity: float
    forms: tuple[str, ...] = ()
    source: str = "journeytape"
    #: a purely evaluative word (great, prima, toll): no emotion unless said sarcastically
    evaluative: bool = False


@dataclass
class Rules:
    language: str
    data: dict[str, Any]
    emotions: list[EmotionEntry] = field(default_factory=list)

    def words(self, *path: str) -> list[str]:
        node: Any = self.data
        for p in path:
            node = node.get(p, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            return [str(k) for k in node]
        return [str(x) for x in node or []]

    def mapping(self, *path: str) -> dict[str, float]:
        node: Any = self.data
        for p in path:
            node = node.get(p, {}) if isinstance(node, dict) else {}
        return {str(k).lower(): float(v) for k, v in (node or {}).items()}


def _rules_dir():
    return files("journeytape.annotate").joinpath("data/rules")


@cache
def load_rules(lang: str) -> Rules | None:
    """Rules for ``lang``, or None when journeytape has none (checklist tagging still works)."""
    res = _rules_dir().joinpath(f"{lang}.yaml")
    if not res.is_file():
        return None
    data = parse_rules(res.read_text("utf-8"), f"annotate/data/rules/{lang}.yaml")
    emotions = [
        EmotionEntry(
            term=str(e["term"]),
            emotion=str(e["emotion"]),
            polarity=float(e["polarity"]),
            intensity=float(e.get("intensity", 0.5)),
            forms=tuple(str(f) for f in e.get("forms", [])),
            evaluative=bool(e.get("evaluative", False)),
        )
        for e in data.get("emotions", [])
    ]
    return Rules(lang, data, emotions)


def parse_rules(text: str, source: str = "<rules>") -> dict[str, Any]:
    """Rule-file YAML checked against ``data/rules.schema.json`` (errors name
    ``source:line``), as plain dicts and lists."""
    try:
        data = yamlcheck.load(text)
        if data is None:
            raise LineError(1, "the rule file is empty")
        schema = yamlcheck.load_schema("journeytape.annotate", "rules.schema.json")
        yamlcheck.validate(data, schema)
    except LineError as exc:
        raise RulesError(f"{source}:{exc.line or '?'}: {exc.message}") from None
    return plain(data)


@cache
def rules_sha256() -> str:
    """One hash over every rule file: part of the cache key of annotations."""
    h = hashlib.sha256()
    for res in sorted(_rules_dir().iterdir(), key=lambda r: r.name):
        if res.name.endswith(".yaml"):
            h.update(res.name.encode())
            h.update(res.read_bytes())
    return h.hexdigest()


def load_emolex(path: str, lang: str, skip: set[str] | None = None) -> list[EmotionEntry]:
    """Optional NRC EmoLex words (e.g. emoatlas' ``langs/dutch.json``) as extra entries.

    NRC EmoLex is for research/non-commercial use only, so it only ever *adds* to the
    journeytape lexicon. Shape: {word: [emotions...]} (emoatlas) or {word: {emotion: 0|1}}.
    NRC is noisy for service talk ("account" → trust, "accu" → anger), so only words with a
    clear balance of joy against anger/fear/sadness/disgust are used, and words in ``skip``
    (the guide's checklist synonyms) never are.
    """
    import json
    from pathlib import Path

    raw = json.loads(Path(path).read_text("utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a JSON object of word → emotions")
    weight = {
        "joy": 1,
        "positive": 1,
        "anger": -1,
        "fear": -1,
        "sadness": -1,
        "disgust": -1,
        "negative": -1,
    }
    skip = {w.lower() for w in (skip or set())}
    out = []
    for word, emos in raw.items():
        if isinstance(emos, dict):
            emos = [k for k, v in emos.items() if v]
        emos = [str(e).lower() for e in emos]
        balance = sum(weight.get(e, 0) for e in emos)
        if balance == 0 or str(word).lower() in skip or not str(word).isalpha():
            continue
        named = [e for e in emos if e in weight and (weight[e] > 0) == (balance > 0)]
        out.append(
            EmotionEntry(
                term=str(word),
                emotion=next((e for e in named if e not in ("positive", "negative")), named[0]),
                polarity=0.5 if balance > 0 else -0.5,
                intensity=0.4,
                source="nrc-emolex",
            )
        )
    return out
