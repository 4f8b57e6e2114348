"""CHANNEL and TOUCHPOINT: the guide's checklist items as a spaCy component.

Like spaCy's ``SpanRuler``, the component owns its matchers and gets its patterns as data: the
annotator adds the guide's items with :meth:`ChecklistComponent.add_items` (synonyms on LOWER and
LEMMA, ``word*`` wildcards and the guide's token patterns in a ``Matcher``). Names used as a
source of help ("I asked Sam") count as the ``colleague`` item when the language has rules for
them (``name_verbs``, ``name_determiners``, ``name_stopwords`` in ``data/rules/<lang>.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from journeytape.annotate.hits import Hit
from journeytape.annotate.rules import load_rules
from journeytape.annotate.turns import set_hits
from journeytape.guide import ChecklistItem, GuideError

#: how a synonym matched, and the confidence of that kind of match
MATCH_KINDS = {"synonym": 0.9, "lemma": 0.85, "wildcard": 0.8, "pattern": 0.7}


class ChecklistComponent:
    """Tags the checklist items of a guide; results in ``doc.spans["CHANNEL"]`` and
    ``doc.spans["TOUCHPOINT"]`` (span ids keep the order the rules found them in)."""

    def __init__(self, nlp, name: str = "journeytape_checklist") -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.nlp = nlp
        self.name = name
        self.lang: str = nlp.lang
        self.check_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.check_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.check_matcher = Matcher(nlp.vocab, validate=True)
        #: matcher key → (item id, item kind, how, confidence)
        self.match_info: dict[str, tuple[str, str, str, float]] = {}
        self.item_ids: set[str] = set()
        rules = load_rules(self.lang)
        self.name_verbs = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.name_det: set[str] = set()
        self.name_stop: set[str] = set()
        self.names = rules is not None
        if rules is not None:
            self.name_verbs.add("verb", [nlp.make_doc(v) for v in rules.words("name_verbs")])
            self.name_det = {w.lower() for w in rules.words("name_determiners")}
            self.name_stop = {w.lower() for w in rules.words("name_stopwords")}

    # -- patterns as data ----------------------------------------------------------------------
    def add_items(self, items: Iterable[ChecklistItem], source: str = "<guide>") -> None:
        """Add the guide's checklist items; an invalid spaCy pattern names the guide line."""
        for item in items:
            self._add_item(item, source)

    def _add(self, item: ChecklistItem, how: str) -> str:
        key = f"{item.id}|{how}"
        self.match_info[key] = (item.id, item.kind, how, MATCH_KINDS[how])
        return key

    def _add_item(self, item: ChecklistItem, source: str) -> None:
        nlp = self.nlp
        self.item_ids.add(item.id)
        plain, wild, exact = [], [], []
        for syn in item.synonyms_for(self.lang):
            if syn.startswith("="):
                exact.append(syn[1:])
            else:
                (wild if "*" in syn else plain).append(syn)
        if plain or exact:
            key = self._add(item, "synonym")
            self.check_lower.add(key, [nlp.make_doc(s) for s in plain + exact])
        if plain:
            self.check_lemma.add(self._add(item, "lemma"), analysed(nlp, plain))
        if wild:
            key = self._add(item, "wildcard")
            self.check_matcher.add(key, [wildcard_pattern(nlp, w) for w in wild])
        pats = item.patterns_for(self.lang)
        split_abbreviations(nlp, [w.strip("*=") for w in item.synonyms_for(self.lang)])
        if not pats:
            return
        key = self._add(item, "pattern")
        try:
            self.check_matcher.add(key, pats)
        except Exception as exc:  # spaCy's pattern validation: name the guide line
            msg = str(exc).strip().splitlines()
            detail = next((m for m in msg if m.strip().startswith("-")), msg[-1])
            raise GuideError(
                f"{source}:{item.line}: invalid spaCy pattern in "
                f"{item.id!r} ({self.lang}): {detail.strip()}"
            ) from None

    # -- the doc -------------------------------------------------------------------------------
    def __call__(self, doc):
        hits = self.checklist(doc)
        hits += self.implicit_colleagues(doc, hits)
        for label in ("CHANNEL", "TOUCHPOINT"):
            # span ids: the rank among both labels, so readers restore the order
            mine = [(k, h) for k, h in enumerate(hits) if h.label == label]
            set_hits(doc, label, [h for _, h in mine], [k for k, _ in mine])
        return doc

    def _matches(self, doc) -> dict[tuple[int, int, str], Hit]:
        """The best-confidence hit per (start, end, item)."""
        found: dict[tuple[int, int, str], Hit] = {}
        matches = [
            *self.check_lower(doc),
            *self.check_lemma(doc),
            *(self.check_matcher(doc) if len(self.check_matcher) else []),
        ]
        for match_id, s, e in matches:
            item, kind, how, conf = self.match_info[self.nlp.vocab.strings[match_id]]
            label = "CHANNEL" if kind == "channel" else "TOUCHPOINT"
            hit = Hit(label, s, e, item, f"checklist:{item}:{self.lang}:{how}", conf)
            old = found.get((s, e, item))
            if old is None or old.confidence < conf:
                found[(s, e, item)] = hit
        return found

    def checklist(self, doc) -> list[Hit]:
        # one hit per mention: drop spans inside a longer span of the same item, and join
        # neighbours ("Hotline angerufen") that name the same item
        hits = sorted(
            self._matches(doc).values(), key=lambda h: (h.value, h.start, -(h.end - h.start))
        )
        kept: list[Hit] = []
        for h in hits:
            prev = kept[-1] if kept else None
            if prev and prev.value == h.value and h.start <= prev.end:
                prev.end = max(prev.end, h.end)
                continue
            kept.append(h)
        # a mention inside a longer mention of another item of the same label is part of it:
        # "close the ticket" is ticket_closed, not also ticket_logged
        return [h for h in kept if not _inside_longer(h, kept)]

    def implicit_colleagues(self, doc, hits: Sequence[Hit]) -> list[Hit]:
        """Names used as a source of help ("I asked Sam", "my friend Jo") → colleague."""
        if not self.names or "colleague" not in self.item_ids:
            return []
        taken = {k for h in hits for k in range(h.start, h.end)}
        ends = {h.end for h in hits if h.value == "colleague"}
        near = {
            k
            for _, s, e in self.name_verbs(doc)
            for k in range(max(0, s - 2), min(len(doc), e + 3))
        }
        out = []
        for t in doc:
            i = t.i
            if i in taken or not self._may_be_name(doc, t, ends):
                continue
            if self.lang == "en" and t.pos_ and t.pos_ != "PROPN":
                continue
            # German capitalises every noun ("Konto", "Ort"): there only "meine Kollegin Anna"
            if i in ends or (i in near and self.lang != "de"):
                rule = f"name:colleague:{self.lang}"
                out.append(Hit("CHANNEL", i, i + 1, "colleague", rule, 0.55, {"implicit": True}))
        return out

    def _may_be_name(self, doc, t, ends: set[int]) -> bool:
        """A capitalised word inside a sentence, not a stop word, not after a determiner
        (unless it follows a colleague mention: "meine Kollegin Anna")."""
        i = t.i
        return not (
            t.is_sent_start
            or not t.is_alpha
            or len(t.text) < 2
            or not t.text[0].isupper()
            or t.text.isupper()
            or t.lower_ in self.name_stop
            or (i > 0 and doc[i - 1].lower_ in self.name_det and i not in ends)
        )


def _inside_longer(h: Hit, kept: Sequence[Hit]) -> bool:
    return any(
        o is not h
        and o.label == h.label
        and o.start <= h.start
        and h.end <= o.end
        and (o.end - o.start) > (h.end - h.start)
        for o in kept
    )


def analysed(nlp, phrases: list[str]) -> list:
    """Phrases as the language's own components see them (lemmas for LEMMA patterns), without
    running the journeytape components on them."""
    ours = [n for n in nlp.pipe_names if n.startswith("journeytape_")]
    with nlp.select_pipes(disable=ours):
        return list(nlp.pipe(phrases))


def split_abbreviations(nlp, words: Iterable[str]) -> None:
    """Lexicon words must stay words at the end of a sentence: spaCy's Dutch tokenizer keeps
    "top." together as an abbreviation, so "dat was top." would hide the emotion."""
    rules = nlp.tokenizer.rules or {}
    for w in words:
        if " " in w:
            continue
        for form in {w, w.lower(), w.capitalize()}:
            if f"{form}." in rules:
                nlp.tokenizer.add_special_case(f"{form}.", [{"ORTH": form}, {"ORTH": "."}])


def wildcard_pattern(nlp, phrase: str) -> list[dict[str, Any]]:
    """ "helpdesk*" → a token pattern whose last token is matched by prefix (or suffix)."""
    lead = phrase.startswith("*")
    trail = phrase.endswith("*")
    toks = [t.lower_ for t in nlp.make_doc(phrase.strip("*"))]
    pattern: list[dict[str, Any]] = [{"LOWER": t} for t in toks]
    if trail:
        pattern[-1] = {"LOWER": {"REGEX": "^" + re.escape(toks[-1])}}
    if lead:
        pattern[0] = {"LOWER": {"REGEX": re.escape(toks[0]) + "$"}}
    return pattern
