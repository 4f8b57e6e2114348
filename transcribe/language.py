"""Which language a recording is in, chosen only among the languages the study allows.

Whisper's language probabilities of the first windows of *speech* (up to three, weighted by
their length) are renormalised over the allowed set: Dutch otherwise often comes out as German
or Afrikaans. The batched path decides from the encoder output of windows it then decodes
(:func:`language_from_encoded`), so no audio goes through the encoder twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeytape.transcribe import whisper_adapter as fw

#: language detection looks at the first windows of speech (30 s each), weighted by length
DETECT_WINDOWS = 3
#: ... found in this much audio from the start when detecting on its own (sequential mode)
DETECT_SEARCH_SECONDS = 240
#: languages Whisper confuses with an allowed one; their probability counts for it unless
#: they are allowed themselves (Dutch is often heard as Afrikaans, German as Luxembourgish)
RELATIVES = {"nl": ("af",), "de": ("lb", "yi"), "no": ("nn",), "nn": ("no",)}


@dataclass
class LanguageChoice:
    language: str
    probability: float
    #: renormalised over the allowed languages
    allowed_probs: dict[str, float]
    #: the unrestricted top guess and its probability (for the warning below)
    top_language: str
    top_probability: float
    warning: str | None = None

    @classmethod
    def fixed(cls, language: str) -> LanguageChoice:
        """A language given by the user (or the only one the model knows)."""
        return cls(language, 1.0, {language: 1.0}, language, 1.0)

    @classmethod
    def undecided(cls, allowed: list[str]) -> LanguageChoice:
        """No speech anywhere: nothing to tell the languages apart; the first allowed one."""
        even = {a: 1.0 / len(allowed) for a in allowed}
        return cls(allowed[0], even[allowed[0]], even, allowed[0], 0.0)


def language_from_encoded(
    whisper: Any, encoded: Any, durations: list[float], allowed: list[str]
) -> LanguageChoice:
    """Whisper's language probabilities of the first windows of ``encoded`` (encoder output
    of a loaded ``WhisperModel``), weighted by each window's seconds of speech, chosen among
    ``allowed``."""
    per_window = fw.language_probabilities(whisper, encoded)[:DETECT_WINDOWS]
    totals: dict[str, float] = {}
    for probs, seconds in zip(per_window, durations, strict=False):
        for token, p in probs:  # tokens look like "<|nl|>"
            totals[token[2:-2]] = totals.get(token[2:-2], 0.0) + seconds * p
    weight = sum(durations[: len(per_window)]) or 1.0
    return _choose({k: v / weight for k, v in totals.items()}, allowed)


def _choose(totals: dict[str, float], allowed: list[str]) -> LanguageChoice:
    top_lang, top_p = max(totals.items(), key=lambda kv: kv[1])
    own = {
        a: totals.get(a, 0.0)
        + sum(totals.get(r, 0.0) for r in RELATIVES.get(a, ()) if r not in allowed)
        for a in allowed
    }
    mass = sum(own.values())
    if mass <= 0:
        probs = {a: 1.0 / len(allowed) for a in allowed}
    else:
        probs = {a: own[a] / mass for a in allowed}
    lang = max(probs, key=probs.get)  # type: ignore[arg-type]
    warning = None
    if top_lang not in allowed and top_lang not in RELATIVES.get(lang, ()) and top_p > 0.5:
        warning = (
            f"the speech sounds most like '{top_lang}' (p={top_p:.2f}), which is not among the "
            f"allowed languages {','.join(allowed)}; transcribed as '{lang}'. Use --languages "
            "or --language to allow it"
        )
    return LanguageChoice(lang, probs[lang], probs, top_lang, top_p, warning)
