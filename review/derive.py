"""Numbers derived from a tag's value (SCORE → score_0_10, EMOTION → polarity), recomputed
when a reviewer edits or adds a tag.

The annotator derives these numbers while tagging; a reviewer who changes SCORE "6" into "8"
or EMOTION "frustrated" into "delighted" must get the numbers of the new value, not keep the
old ones. They are parsed with the annotator's own rules (``annotate/scores.py``,
``annotate/emotion.py``) over the value text, so "seven out of ten", "7/10", "een zesje" and
"not really frustrated" mean what they mean in a transcript. The spaCy pipeline is loaded
once per process and language, on the first edit that needs it.
"""

from __future__ import annotations

import contextlib
import threading
from functools import cache
from typing import Any

#: attributes the annotator derives from the value; replaced (or dropped) on an edit
DERIVED = {
    "SCORE": ("raw", "scale", "score_0_10", "grade"),
    "EMOTION": ("emotion", "polarity", "intensity", "negated", "lexicon"),
}


_lock = threading.Lock()
_warming: set[str] = set()


@cache
def _build(lang: str):
    from journeytape.annotate.annotator import LanguageAnnotator
    from journeytape.guide import Guide

    return LanguageAnnotator(Guide(journey="review", languages=[lang], checklist=[]), lang)


def _language_annotator(lang: str):
    """The annotator's rules for ``lang`` with an empty checklist (only the value is parsed);
    built once per process (a lock: the web app serves requests in threads)."""
    with _lock:
        return _build(lang)


def warm(language: str | None) -> None:
    """Load the rules for ``language`` in the background (the web app calls this when an
    interview opens), so the first edit does not wait seconds for spaCy."""
    lang = (language or "en").split("-")[0].lower()
    with _lock:
        if lang in _warming:
            return
        _warming.add(lang)

    def load() -> None:
        # no rules or no spaCy language: edits then carry no numbers
        with contextlib.suppress(Exception):
            _language_annotator(lang)

    threading.Thread(target=load, name=f"derive-warm-{lang}", daemon=True).start()


def _parse_score(la, value: str) -> dict[str, Any] | None:
    scorer = la.component("SCORE")
    if scorer is None:
        return None  # no journeytape rules for this language
    doc = la.analyse(value)
    # asked "out of ten?": a bare "8" is a score, as in an answer to the score question
    question = scorer.score_question[0] if scorer.score_question else ""
    hits = scorer.score(doc, [], {"question": question})
    if hits:
        return {k: v for k, v in hits[0].attrs.items() if k in DERIVED["SCORE"]}
    try:
        x = float(value.replace(",", "."))
    except ValueError:
        return None
    return {"raw": value, "scale": "1-10", "score_0_10": x} if 0 <= x <= 10 else None


def _parse_emotion(la, value: str) -> dict[str, Any] | None:
    feeler = la.component("EMOTION")
    if feeler is None:
        return None  # no journeytape rules for this language
    hits = feeler.emotion(la.analyse(value))
    if hits:
        return {k: v for k, v in hits[0].attrs.items() if k in DERIVED["EMOTION"]}
    # an emotion's name rather than a word for it ("joy", "trust"): the lexicon's first entry
    # of that emotion
    entry = next(
        (e for e in feeler.emotions.values() if e.emotion.casefold() == value.strip().casefold()),
        None,
    )
    if entry is None:
        return None
    return {
        "emotion": entry.emotion,
        "polarity": entry.polarity,
        "intensity": entry.intensity,
        "negated": False,
        "lexicon": entry.source,
    }


def derived_attrs(label: str, value: str | None, language: str | None) -> dict[str, Any]:
    """The numbers the annotator would attach to a ``label`` tag with this ``value``;
    ``{}`` when the value says nothing it can parse (the old numbers must then go too)."""
    if label not in DERIVED or not value:
        return {}
    lang = (language or "en").split("-")[0].lower()
    try:
        la = _language_annotator(lang)
    except Exception:  # no spaCy language for this code: no numbers rather than wrong ones
        return {}
    parsed = _parse_score(la, value) if label == "SCORE" else _parse_emotion(la, value)
    return parsed or {}


def apply_derived(attrs: dict[str, Any], old_label: str, new: dict[str, Any]) -> dict[str, Any]:
    """``attrs`` without what was derived from the old value, plus ``new``."""
    stale = set(DERIVED.get(old_label, ())) | {k for keys in DERIVED.values() for k in keys}
    return {**{k: v for k, v in attrs.items() if k not in stale}, **new}
