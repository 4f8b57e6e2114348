"""Tag a transcript against an interview guide with spaCy rules: channels, touchpoints, goals,
emotions, scores, expectations and peaks.

Each segment is one spaCy ``Doc``; every rule adds spans to ``doc.spans["journeytape"]``
(overlaps allowed) and a :class:`Hit` with the normalised value and details. Hits become
:class:`~journeytape.annotate.annotations.Tag` objects with character offsets inside the
segment and times from the word timestamps. The words each rule looks for live in
``data/rules/<lang>.yaml`` and in the guide; this module only knows how to combine them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from journeytape.annotate.annotations import Annotations, CoverageItem, Tag, tag_id
from journeytape.annotate.guide import Guide, GuideError
from journeytape.annotate.pipelines import load_pipeline
from journeytape.annotate.rules import EmotionEntry, Rules, load_emolex, load_rules, rules_sha256
from journeytape.transcribe.transcript import Segment, Transcript

#: bump when the code changes results; the rule files are hashed separately
ANNOTATOR_VERSION = "1.0"
SPAN_KEY = "journeytape"
#: labels only the respondent can have (the interviewer asks about them)
RESPONDENT_LABELS = ("GOAL", "EMOTION", "SCORE", "EXPECTATION", "PEAK")
_NUM = re.compile(r"^\d+(?:[.,]\d+)?$")
_FRACTION = re.compile(r"^(\d+(?:[.,]\d+)?)/(\d+)$")


@dataclass
class Hit:
    label: str
    start: int  # token index in the doc
    end: int  # token index, exclusive
    value: str | None
    rule: str
    confidence: float
    attrs: dict[str, Any] = field(default_factory=dict)


def annotator_version() -> dict[str, str]:
    return {"version": ANNOTATOR_VERSION, "rules_sha256": rules_sha256()}


# -- per-language compiled matchers --------------------------------------------------------------
class LanguageAnnotator:
    """The compiled matchers of one language for one guide."""

    def __init__(self, guide: Guide, lang: str, emolex: str | None = None) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.lang = lang
        self.guide = guide
        self.nlp, self.info = load_pipeline(lang)
        self.rules: Rules | None = load_rules(lang)
        nlp = self.nlp
        vocab = nlp.vocab
        self.warnings: list[str] = []
        if self.rules is None:
            self.warnings.append(
                f"no journeytape rules for language {lang!r}: only checklist items are tagged"
            )

        # checklist: synonyms on LOWER and LEMMA, wildcards and guide patterns in a Matcher
        self.check_lower = PhraseMatcher(vocab, attr="LOWER")
        self.check_lemma = PhraseMatcher(vocab, attr="LEMMA")
        self.check_matcher = Matcher(vocab, validate=True)
        self.match_info: dict[str, tuple[str, str, str, float]] = {}
        for item in guide.checklist:
            plain, wild, exact = [], [], []
            for syn in item.synonyms_for(lang):
                if syn.startswith("="):
                    exact.append(syn[1:])
                else:
                    (wild if "*" in syn else plain).append(syn)
            if plain or exact:
                key = f"{item.id}|synonym"
                self.match_info[key] = (item.id, item.kind, "synonym", 0.9)
                self.check_lower.add(key, [nlp.make_doc(s) for s in plain + exact])
            if plain:
                key_l = f"{item.id}|lemma"
                self.match_info[key_l] = (item.id, item.kind, "lemma", 0.85)
                self.check_lemma.add(key_l, list(nlp.pipe(plain)))
            if wild:
                key = f"{item.id}|wildcard"
                self.match_info[key] = (item.id, item.kind, "wildcard", 0.8)
                self.check_matcher.add(key, [_wildcard_pattern(nlp, w) for w in wild])
            pats = item.patterns_for(lang)
            _split_abbreviations(nlp, [w.strip("*=") for w in item.synonyms_for(lang)])
            if pats:
                key = f"{item.id}|pattern"
                self.match_info[key] = (item.id, item.kind, "pattern", 0.7)
                try:
                    self.check_matcher.add(key, pats)
                except Exception as exc:  # spaCy's pattern validation: name the guide line
                    msg = str(exc).strip().splitlines()
                    detail = next((m for m in msg if m.strip().startswith("-")), msg[-1])
                    raise GuideError(
                        f"{guide.path or '<guide>'}:{item.line}: invalid spaCy pattern in "
                        f"{item.id!r} ({lang}): {detail.strip()}"
                    ) from None

        if self.rules is None:
            return
        r = self.rules
        # emotions
        entries = list(r.emotions)
        if emolex:
            try:
                known = {e.term.lower() for e in entries} | {
                    f.lower() for e in entries for f in e.forms
                }
                synonyms = {
                    w.strip("*=")
                    for it in guide.checklist
                    for syn in it.synonyms_for(lang)
                    for w in syn.split()
                }
                extra = load_emolex(emolex, lang, skip=synonyms)
                entries += [e for e in extra if e.term.lower() not in known]
            except (OSError, ValueError) as exc:
                self.warnings.append(f"NRC EmoLex not used ({exc})")
        self.emotions: dict[str, EmotionEntry] = {}
        self.emo_lower = PhraseMatcher(vocab, attr="LOWER")
        self.emo_lemma = PhraseMatcher(vocab, attr="LEMMA")
        for idx, e in enumerate(entries):
            key = f"emo{idx}"
            self.emotions[key] = e
            forms = [e.term, *e.forms]
            self.emo_lower.add(key, [nlp.make_doc(f) for f in forms])
            single = [f for f in forms if " " not in f]
            if single:
                self.emo_lemma.add(key, list(nlp.pipe(single)))
        _split_abbreviations(nlp, [f for e in entries for f in (e.term, *e.forms)])
        self.negators = {w.lower() for w in r.words("negators")}
        self.breaks = {w.lower() for w in r.words("clause_breaks")}
        self.intensifiers = r.mapping("intensifiers")
        self.downtoners = r.mapping("downtoners")
        self.neg_window = int(r.data.get("negation_window", 3))
        self.neg_after = bool(r.data.get("negation_after", False))

        def phrase_matcher(*groups: tuple[str, list[str]]) -> PhraseMatcher:
            m = PhraseMatcher(vocab, attr="LOWER")
            for key, phrases in groups:
                if phrases:
                    m.add(key, [nlp.make_doc(p) for p in phrases])
            return m

        self.peak_m = phrase_matcher(
            ("high", r.words("peak", "high")), ("low", r.words("peak", "low"))
        )
        self.goal_m = phrase_matcher(
            ("goal", r.words("goal", "cues")),
            ("conditional", r.words("goal", "conditional_cues")),
        )
        self.deadline_m = phrase_matcher(("deadline", r.words("goal", "deadline_words")))
        self.goal_not_after = {w.lower() for w in r.words("goal", "not_after")}
        self.goal_recurring = {w.lower() for w in r.words("goal", "recurring")}
        self.exp_m = phrase_matcher(
            ("as_expected", r.words("expectation", "as_expected")),
            ("too_long", r.words("expectation", "too_long")),
            ("counterfactual", r.words("expectation", "counterfactual")),
            ("same_day", r.words("durations", "same_day")),
        )
        self.exp_cues = {w.lower() for w in r.words("expectation", "cues")}
        self.than = {w.lower() for w in r.words("expectation", "than")}
        self.faster = {w.lower() for w in r.words("expectation", "faster")}
        self.slower = {w.lower() for w in r.words("expectation", "slower")}
        self.units = r.mapping("durations", "units")
        self.whole = {w.lower() for w in r.words("durations", "whole")}
        self.numbers = r.mapping("numbers")
        self.half = {w.lower() for w in r.words("half")}
        self.score_m = phrase_matcher(
            ("scale", r.words("scale_phrases")),
            ("overall", r.words("overall_cues")),
            ("moment", r.words("moment_cues")),
            ("and_half", r.words("and_half")),
            ("article", r.words("score_articles")),
            ("cue", r.words("score_cues")),
        )
        self.score_question = [w.lower() for w in r.words("score_question_cues")]
        self.not_score_after = {w.lower() for w in r.words("not_score_after")}
        self.diminutives = r.mapping("diminutives")
        self.school_grades = r.mapping("school_grades")
        self.grade_cues = {w.lower() for w in r.words("grade_cues")}
        self.grade_mods = r.mapping("grade_modifiers")
        self.range_words = {w.lower() for w in r.words("score_range_words")}
        self.article_words = {w.lower() for w in r.words("score_articles") if " " not in w}
        self.fillers = {w.lower() for w in r.words("fillers")}

    # -- the whole doc ------------------------------------------------------------------------
    def tag_doc(self, doc, role: str | None, context: dict[str, Any]) -> list[Hit]:
        hits = self.checklist(doc)
        if role != "interviewer" and self.rules is not None:
            cues = [(s, e) for _, s, e in self.peak_m(doc)]
            # "the worst moment", "das Schlimmste": a superlative naming a peak is no emotion
            found = [h for h in self.emotion(doc) if not any(s <= h.start < e for s, e in cues)]
            found += self.score(doc, hits + found, context)
            found += self.expectation(doc, context)
            found += self.peak(doc, hits)
            found += self.goal(doc)
            if role is None:
                # no speaker roles (one voice, no diarization): a question is the interviewer's
                found = [h for h in found if not _in_question(doc, h)]
            hits += found
        from spacy.tokens import Span

        doc.spans[SPAN_KEY] = [
            Span(doc, h.start, h.end, label=h.label, kb_id=h.value or "") for h in hits
        ]
        return hits

    # -- CHANNEL / TOUCHPOINT --------------------------------------------------------------------
    def checklist(self, doc) -> list[Hit]:
        found: dict[tuple[int, int, str], Hit] = {}
        matches = [
            *self.check_lower(doc),
            *self.check_lemma(doc),
            *(self.check_matcher(doc) if len(self.check_matcher) else []),
        ]
        for match_id, s, e in matches:
            key = self.nlp.vocab.strings[match_id]
            item, kind, how, conf = self.match_info[key]
            label = "CHANNEL" if kind == "channel" else "TOUCHPOINT"
            hit = Hit(label, s, e, item, f"checklist:{item}:{self.lang}:{how}", conf)
            old = found.get((s, e, item))
            if old is None or old.confidence < conf:
                found[(s, e, item)] = hit
        # one hit per mention: drop spans inside a longer span of the same item, and join
        # neighbours ("Hotline angerufen") that name the same item
        hits = sorted(found.values(), key=lambda h: (h.value, h.start, -(h.end - h.start)))
        kept: list[Hit] = []
        for h in hits:
            prev = kept[-1] if kept else None
            if prev and prev.value == h.value and h.start < prev.end:
                prev.end = max(prev.end, h.end)
                continue
            if (
                prev
                and prev.value == h.value
                and h.start - prev.end <= 0
                or (
                    prev
                    and prev.value == h.value
                    and h.start == prev.end
                    and not doc[prev.end - 1].is_punct
                )
            ):
                prev.end = max(prev.end, h.end)
                continue
            kept.append(h)
        # a mention inside a longer mention of another item of the same label is part of it:
        # "close the ticket" is ticket_closed, not also ticket_logged
        return [
            h
            for h in kept
            if not any(
                o is not h
                and o.label == h.label
                and o.start <= h.start
                and h.end <= o.end
                and (o.end - o.start) > (h.end - h.start)
                for o in kept
            )
        ]

    # -- EMOTION ---------------------------------------------------------------------------------
    def emotion(self, doc) -> list[Hit]:
        raw: dict[tuple[int, int], str] = {}
        for match_id, s, e in [*self.emo_lower(doc), *self.emo_lemma(doc)]:
            raw.setdefault((s, e), self.nlp.vocab.strings[match_id])
        spans = _longest_first(raw)
        starts = {s for s, _ in spans}
        hits = []
        for s, e in spans:
            # "super fijn", "so happy": an intensifier directly before another emotion word
            if e - s == 1 and doc[s].lower_ in self.intensifiers and e in starts:
                continue
            entry = self.emotions[raw[(s, e)]]
            negated, mult, first = False, 1.0, s
            j = s - 1
            steps = 0
            while j >= 0 and steps < self.neg_window + 2:
                low = doc[j].lower_
                if low in self.breaks or doc[j].is_punct:
                    break
                if low in self.negators and steps < self.neg_window + 1:
                    negated, first = True, j
                elif low in self.intensifiers:
                    mult *= self.intensifiers[low]
                    first = min(first, j)
                elif low in self.downtoners:
                    mult *= self.downtoners[low]
                    first = min(first, j)
                elif j >= 1 and f"{doc[j - 1].lower_} {low}" in self.downtoners:
                    mult *= self.downtoners[f"{doc[j - 1].lower_} {low}"]
                    first = min(first, j - 1)
                    j -= 1
                j -= 1
                steps += 1
            last = e
            if self.neg_after and not negated:
                # "Zufrieden war ich nicht.", "blij was ik niet": negator before the clause ends
                k = e
                while k < len(doc) and k < e + 4:
                    low = doc[k].lower_
                    if doc[k].is_punct or low in self.breaks:
                        break
                    if low in self.negators and (k + 1 == len(doc) or doc[k + 1].is_punct):
                        negated, last = True, k + 1
                        break
                    k += 1
            polarity = entry.polarity
            intensity = entry.intensity * mult
            if negated:
                # "not really frustrated" is mildly positive; an intensifier softens negation
                polarity = -polarity * 0.6
                intensity = intensity * (0.6 if mult > 1 else 0.8)
            hits.append(
                Hit(
                    "EMOTION",
                    first,
                    last,
                    entry.term,
                    f"lexicon:emotion:{self.lang}:{entry.source}" + (":negated" if negated else ""),
                    0.75 if entry.source == "journeytape" else 0.55,
                    {
                        "emotion": entry.emotion,
                        "polarity": round(max(-1.0, min(1.0, polarity)), 3),
                        "intensity": round(max(0.0, min(1.0, intensity)), 3),
                        "negated": negated,
                        "lexicon": entry.source,
                    },
                )
            )
        return hits

    # -- numbers and durations -----------------------------------------------------------------
    def number_at(self, doc, i: int) -> tuple[float, int] | None:
        """A number starting at token ``i``: (value, end token). "seven and a half", "7,5"."""
        if i >= len(doc):
            return None
        low = doc[i].lower_
        if _NUM.match(low):
            value = float(low.replace(",", "."))
        elif re.match(r"^\d{1,2}\.$", low) and (i + 1 == len(doc) or doc[i + 1].is_sent_start):
            value = float(low[:-1])  # "eine 2." ends the sentence (German reads "2." as 2nd)
        elif self.school_grades and re.match(r"^[1-6][+-]$", low):
            value = float(low[0])  # "eine 2-": the modifier is read by _grade_hit
        elif low in self.numbers:
            value = self.numbers[low]
        else:
            return None
        end = i + 1
        for match_id, s, e in self.score_m(doc[end : end + 4].as_doc()):
            if self.nlp.vocab.strings[match_id] == "and_half" and s == 0:
                value += 0.5
                end += e
                break
        return value, end

    def durations(self, doc) -> list[tuple[int, int, float]]:
        """Durations in a doc: (start token, end token, seconds)."""
        out: list[tuple[int, int, float]] = []
        for i, tok in enumerate(doc):
            unit = self.units.get(tok.lower_) or self.units.get(tok.lemma_.lower())
            if unit is None:
                continue
            j, qty, start = i - 1, None, i
            while j >= 0 and i - j <= 3:
                low = doc[j].lower_
                if low in self.half:
                    qty = 0.5 if qty is None else qty + 0.5
                    start = j
                elif low in self.whole:
                    qty = qty or 1.0
                    start = j
                elif _NUM.match(low) or low in self.numbers:
                    n = float(low.replace(",", ".")) if _NUM.match(low) else self.numbers[low]
                    if qty == 0.5 and j == start - 1:  # "een half uur": een + half
                        pass
                    else:
                        qty = n if qty is None else (n + qty if qty == 0.5 else n)
                    start = j
                elif low in ("of", "van", "von", "couple", "few", "paar", "like", "about"):
                    pass
                else:
                    break
                j -= 1
            if qty is None:
                # "dagen" alone or "ages": a vague amount, skip; a bare "hour"/"Stunde" = 1
                if tok.lower_ == tok.lemma_.lower() and j == i - 1 and i > 0:
                    continue
                continue
            # "een dag of twee": take the upper bound
            if i + 2 < len(doc) and doc[i + 1].lower_ == "of":
                n2 = self.number_at(doc, i + 2)
                if n2:
                    qty = n2[0]
            out.append((start, i + 1, qty * unit))
        for match_id, s, e in self.exp_m(doc):
            if self.nlp.vocab.strings[match_id] == "same_day":
                out.append((s, e, 8 * 3600.0))
        return sorted(out)

    # -- SCORE -----------------------------------------------------------------------------------
    def score(self, doc, hits: list[Hit], context: dict[str, Any]) -> list[Hit]:
        cues: dict[str, list[tuple[int, int]]] = {}
        for match_id, s, e in self.score_m(doc):
            cues.setdefault(self.nlp.vocab.strings[match_id], []).append((s, e))
        asked = any(c in context.get("question", "") for c in self.score_question)
        out: list[Hit] = []
        used: set[int] = set()
        n = len(doc)
        for i, tok in enumerate(doc):
            if i in used:
                continue
            low = tok.lower_
            # "7/10"
            frac = _FRACTION.match(low)
            if frac:
                val, scale = float(frac[1].replace(",", ".")), float(frac[2])
                if scale > 0 and val <= scale:
                    out.append(
                        self._score_hit(
                            doc,
                            i,
                            i + 1,
                            val / scale * 10,
                            "fraction",
                            0.9,
                            f"1-{scale:g}",
                            cues,
                            hits,
                        )
                    )
                    used.add(i)
                continue
            # NL "een zesje"
            if low in self.diminutives:
                start = i - 1 if i > 0 and doc[i - 1].lower_ in ("een", "'n") else i
                out.append(
                    self._score_hit(
                        doc,
                        start,
                        i + 1,
                        self.diminutives[low],
                        "diminutive",
                        0.9,
                        "1-10",
                        cues,
                        hits,
                    )
                )
                continue
            num = self.number_at(doc, i)
            if num is None:
                continue
            val, end = num
            # "seven out of ten", "acht von zehn", "8 uit 10"
            scale_at = [e for s, e in cues.get("scale", []) if s == end]
            if scale_at:
                # "out of" + "ten", or a phrase that holds the number itself ("von zehn")
                sc = self.number_at(doc, scale_at[0]) or self.number_at(doc, scale_at[0] - 1)
                if sc and sc[0] > 0 and val <= sc[0]:
                    article = self._article_before(cues, i)
                    out.append(
                        self._score_hit(
                            doc,
                            article,
                            sc[1],
                            val / sc[0] * 10,
                            "scale",
                            0.9,
                            f"1-{sc[0]:g}",
                            cues,
                            hits,
                        )
                    )
                    used.update(range(i, sc[1]))
                    continue
            article = self._article_before(cues, i)
            if article == i:
                # "Note 2", "Schulnote drei"
                if i > 0 and doc[i - 1].lower_.rstrip(":") in self.grade_cues and val <= 6:
                    out.append(self._grade_hit(doc, i - 1, i, val, cues, hits))
                # "Six, I'd say." as the answer to "out of ten?"
                elif (
                    asked
                    and low not in self.article_words
                    and not (end < n and self.number_at(doc, end))
                    and 0 <= val <= 10
                    and all(t.is_punct or t.lower_ in self.fillers for t in doc[:i])
                    and not (end < n and self._counts_something(doc[end]))
                ):
                    if self.school_grades and val <= 6 and "zehn" not in context["question"]:
                        out.append(self._grade_hit(doc, i, i, val, cues, hits))
                    else:
                        val, end = self._range(doc, val, end)
                        out.append(
                            self._score_hit(doc, i, end, val, "answer", 0.7, "1-10", cues, hits)
                        )
                continue
            if end < n and self._counts_something(doc[end]):
                continue  # "a five minute wait", "een paar dagen", "zwei Wochen"
            # "eine Zwei", "eine 2", "ne 2-": German school grades, 1 is best
            german_grade = (
                bool(self.school_grades)
                and (tok.text[:1].isupper() or tok.text[:1].isdigit() or asked)
                and val <= 6
                and "zehn" not in context.get("question", "")
                and (low in self.school_grades or re.match(r"^[1-6][+-.]?$", low))
            )
            if german_grade:
                out.append(self._grade_hit(doc, article, i, val, cues, hits))
                continue
            cue_before = any(s < i and i - s <= 5 for s, _ in cues.get("cue", []))
            digit = _NUM.match(low) is not None  # "een 8", "a 7": a grade even without a cue
            if not (asked or cue_before or digit) or not 0 <= val <= 10:
                continue
            conf = 0.8 if asked else 0.65 if cue_before else 0.6
            val, end = self._range(doc, val, end)
            out.append(self._score_hit(doc, article, end, val, "article", conf, "1-10", cues, hits))
        return out

    def _range(self, doc, val: float, end: int) -> tuple[float, int]:
        """ "six or seven", "een zes à zeven", "Drei bis Vier": the middle of the range."""
        if end + 1 < len(doc) and doc[end].lower_ in self.range_words:
            nxt = self.number_at(doc, end + 1)
            if nxt and abs(nxt[0] - val) <= 2:
                return (val + nxt[0]) / 2, nxt[1]
        return val, end

    def _counts_something(self, nxt) -> bool:
        """Is the word after a number what it counts ("five minutes", "zwei Kollegen")?"""
        low = nxt.lower_
        if low in self.not_score_after or nxt.lemma_.lower() in self.not_score_after:
            return True
        if low in self.grade_mods:
            return False
        if nxt.pos_ in ("NOUN", "PROPN"):  # trained pipelines tag parts of speech
            return True
        # German nouns are capitalised; a blank pipeline has no tagger
        return self.lang == "de" and nxt.is_alpha and nxt.text[:1].isupper()

    def _article_before(self, cues, i: int) -> int:
        best = i
        for s, e in cues.get("article", []):
            if e == i:
                best = min(best, s)
        return best

    def _grade_hit(self, doc, start: int, i: int, grade: float, cues, hits) -> Hit:
        end = i + 1
        mod = 0.0
        if end < len(doc) and doc[end].lower_ in self.grade_mods:
            mod = self.grade_mods[doc[end].lower_]
            end += 1
        elif doc[i].text.endswith(("-", "+")):
            mod = 0.3 if doc[i].text.endswith("-") else -0.3
        grade, end = self._range(doc, grade + mod, end)
        g = max(1.0, min(6.0, grade))
        hit = self._score_hit(
            doc,
            start,
            end,
            10 - (g - 1) * 2,
            "school-grade",
            0.85,
            "school 1-6 (1 best)",
            cues,
            hits,
        )
        hit.attrs["grade"] = round(g, 2)
        return hit

    def _score_hit(self, doc, start, end, score, how, conf, scale, cues, hits) -> Hit:
        score = round(max(0.0, min(10.0, score)), 1)
        scope, about = self._scope(doc, start, cues, hits)
        return Hit(
            "SCORE",
            start,
            end,
            f"{score:g}",
            f"score:{self.lang}:{how}",
            conf,
            {
                "raw": doc[start:end].text,
                "scale": scale,
                "score_0_10": score,
                "scope": scope,
                "about": about,
            },
        )

    def _scope(self, doc, start: int, cues, hits) -> tuple[str, str | None]:
        """overall vs moment: look back in the clause before the score for cues and items."""
        j = start - 1
        while (
            j >= 0
            and not (doc[j].is_punct and doc[j].text in ",;.!?:")
            and not doc[j].is_sent_start
        ):
            j -= 1
        lo = j + 1 if j >= 0 and doc[j].is_punct else max(j, 0)
        if (
            j > 0
            and doc[j].text == ","
            and all(t.lower_ in self.fillers or t.is_punct for t in doc[lo:start])
        ):
            # "For the badge process, three out of ten": the score opens its own clause
            k = j - 1
            while (
                k >= 0
                and not (doc[k].is_punct and doc[k].text in ",;.!?:")
                and not doc[k].is_sent_start
            ):
                k -= 1
            lo = k + 1 if k >= 0 and doc[k].is_punct else max(k, 0)
        if any(lo <= s < start for s, _ in cues.get("overall", [])):
            return "overall", None
        items = [h for h in hits if h.label in ("CHANNEL", "TOUCHPOINT") and lo <= h.start < start]
        if items:
            return "moment", items[-1].value
        if any(lo <= s < start for s, _ in cues.get("moment", [])):
            return "moment", None
        return "overall", None

    # -- EXPECTATION -----------------------------------------------------------------------------
    def expectation(self, doc, context: dict[str, Any]) -> list[Hit]:
        parts: list[tuple[int, int, str, str, float]] = []  # start, end, value, how, conf
        durs = self.durations(doc)
        expected = actual = None
        n = len(doc)
        for i, tok in enumerate(doc):
            low = tok.lower_
            if low in self.than:
                comp = [
                    k for k in range(max(0, i - 3), i) if doc[k].lower_ in self.faster | self.slower
                ]
                cue = [m for m in range(i + 1, min(n, i + 5)) if doc[m].lower_ in self.exp_cues]
                if comp and cue:
                    better = doc[comp[-1]].lower_ in self.faster
                    parts.append(
                        (
                            comp[-1],
                            cue[0] + 1,
                            "exceeded" if better else "unmet",
                            "comparative",
                            0.85,
                        )
                    )
            if low in self.exp_cues and durs:
                sent = tok.sent
                inside = [d for d in durs if sent.start <= d[0] < sent.end]
                if inside:
                    d = min(inside, key=lambda d: abs(d[0] - i))
                    expected = (d, i)
        for match_id, s, e in self.exp_m(doc):
            kind = self.nlp.vocab.strings[match_id]
            if kind == "as_expected":
                parts.append((s, e, "met", "as-expected", 0.8))
            elif kind == "counterfactual":
                # "I had hoped it would be sorted on day one": hoped in the past, not met
                parts.append((s, self._clause_end(doc, s, 4), "unmet", "counterfactual", 0.55))
            elif kind == "too_long":
                near = [d for d in durs if d[0] < s and s - d[1] <= 12]
                lo = near[-1][0] if near else s
                if near:
                    actual = near[-1]
                parts.append((lo, e, "unmet", "too-long", 0.7))
        if expected is not None:
            (es, ee, esec), cue_i = expected
            others = [d for d in durs if d[0] != es and abs(d[2] - esec) > 1e-6]
            prev = context.get("previous_durations", [])
            act_sec, act_span, act_text = None, None, None
            if others:
                act = min(others, key=lambda d: abs(d[0] - cue_i))
                act_sec, act_span = act[2], act
            elif actual is not None:
                act_sec, act_span = actual[2], actual
            elif prev:  # "Three weeks, too long." / "I expected two days."
                act_text, act_sec = prev[-1]
            else:
                # "Ze zeiden een week, het werden er drie": the unit is left out
                unit = self.units.get(doc[ee - 1].lower_) or self.units.get(
                    doc[ee - 1].lemma_.lower()
                )
                for k in range(ee, len(doc)):
                    bare = self.number_at(doc, k)
                    if (
                        bare
                        and unit
                        and not any(d[0] <= k < d[1] for d in durs)
                        and (bare[1] >= len(doc) or not self._counts_something(doc[bare[1]]))
                    ):
                        act_sec, act_span = bare[0] * unit, (k, bare[1], bare[0] * unit)
                        break
            if act_sec is not None:
                if act_sec > esec * 1.25:
                    value = "unmet"
                elif act_sec * 1.25 < esec:
                    value = "exceeded"
                else:
                    value = "met"
                lo = min(es, cue_i, act_span[0] if act_span else es)
                hi = max(ee, cue_i + 1, act_span[1] if act_span else ee)
                parts.append((lo, hi, value, "durations", 0.8))
                expected_info = (
                    doc[es:ee].text,
                    esec,
                    act_sec,
                    doc[act_span[0] : act_span[1]].text if act_span else act_text,
                )
            else:
                expected_info = (doc[es:ee].text, esec, None, None)
        else:
            expected_info = None
        if not parts:
            return []
        order = {
            "comparative": 0,
            "durations": 1,
            "as-expected": 2,
            "too-long": 3,
            "counterfactual": 4,
        }
        best = min(parts, key=lambda p: order[p[3]])
        lo = min(p[0] for p in parts)
        hi = max(p[1] for p in parts)
        attrs: dict[str, Any] = {"met": {"met": True, "unmet": False}.get(best[2])}
        if expected_info:
            attrs.update(
                expected=expected_info[0],
                expected_seconds=expected_info[1],
                actual=expected_info[3],
                actual_seconds=expected_info[2],
            )
        elif actual is not None:
            attrs.update(actual=doc[actual[0] : actual[1]].text, actual_seconds=actual[2])
        return [
            Hit(
                "EXPECTATION", lo, hi, best[2], f"expectation:{self.lang}:{best[3]}", best[4], attrs
            )
        ]

    # -- PEAK / GOAL -----------------------------------------------------------------------------
    def _clause_end(self, doc, start: int, min_tokens: int) -> int:
        sent_end = doc[start].sent.end
        k = start + min_tokens
        while k < sent_end:
            if doc[k].is_punct and doc[k].text in ",;:" and k > start + min_tokens - 1:
                return k
            k += 1
        while sent_end > start + 1 and doc[sent_end - 1].is_punct:
            sent_end -= 1
        return sent_end

    def peak(self, doc, hits: list[Hit]) -> list[Hit]:
        raw = {(s, e): self.nlp.vocab.strings[m] for m, s, e in self.peak_m(doc)}
        out = []
        taken = -1
        for s, e in sorted(_longest_first(raw)):
            if s < taken:
                continue
            end = self._clause_end(doc, s, 5)
            taken = end
            about = [
                h.value for h in hits if h.label in ("CHANNEL", "TOUCHPOINT") and s <= h.start < end
            ]
            out.append(
                Hit(
                    "PEAK",
                    s,
                    end,
                    raw[(s, e)],
                    f"peak:{self.lang}:{raw[(s, e)]}",
                    0.85,
                    {"cue": doc[s:e].text, "moment": doc[e:end].text.strip(" ,"), "about": about},
                )
            )
        return out

    def goal(self, doc) -> list[Hit]:
        raw = {(s, e): self.nlp.vocab.strings[m] for m, s, e in self.goal_m(doc)}
        deadlines = [s for _, s, _ in self.deadline_m(doc)]
        out = []
        taken = -1
        for s, e in sorted(_longest_first(raw)):
            if s < taken or e >= len(doc):
                continue
            nxt = doc[e].lower_
            if nxt in self.goal_not_after or doc[e].lemma_.lower() in self.goal_not_after:
                continue
            end = self._clause_end(doc, s, 4)
            if any(doc[k].lower_ in self.goal_recurring for k in range(e, end)):
                continue  # "I had to be let in every morning" is a routine, not a goal
            if raw[(s, e)] == "conditional":
                if not any(s < d < end for d in deadlines):
                    continue
                if any(doc[k].lower_ in self.goal_not_after for k in range(e, min(end, e + 3))):
                    continue
            taken = end
            what = " ".join(t.lower_ for t in doc[e:end] if not t.is_punct)
            out.append(
                Hit(
                    "GOAL",
                    s,
                    end,
                    what or None,
                    f"goal:{self.lang}:{raw[(s, e)]}",
                    0.7 if raw[(s, e)] == "goal" else 0.6,
                    {"cue": doc[s:e].text},
                )
            )
        return out


def _in_question(doc, hit: Hit) -> bool:
    return doc[hit.start].sent.text.rstrip().endswith("?")


def _split_abbreviations(nlp, words: Iterable[str]) -> None:
    """Lexicon words must stay words at the end of a sentence: spaCy's Dutch tokenizer keeps
    "top." together as an abbreviation, so "dat was top." would hide the emotion."""
    rules = nlp.tokenizer.rules or {}
    for w in words:
        if " " in w:
            continue
        for form in {w, w.lower(), w.capitalize()}:
            if f"{form}." in rules:
                nlp.tokenizer.add_special_case(f"{form}.", [{"ORTH": form}, {"ORTH": "."}])


def _longest_first(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping spans, preferring longer ones (like spacy.util.filter_spans)."""
    chosen: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0])):
        if all(e <= cs or s >= ce for cs, ce in chosen):
            chosen.append((s, e))
    return sorted(chosen)


def _wildcard_pattern(nlp, phrase: str) -> list[dict[str, Any]]:
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


# -- the transcript ------------------------------------------------------------------------------
class Annotator:
    """Tags transcripts against one guide; compiled matchers are reused across transcripts."""

    def __init__(self, guide: Guide, emolex: str | dict[str, str] | None = None) -> None:
        """``emolex``: one NRC EmoLex JSON for every language, or {language: path}."""
        self.guide = guide
        self.emolex = emolex if isinstance(emolex, dict) else {"*": emolex} if emolex else {}
        self._langs: dict[str, LanguageAnnotator] = {}

    def for_language(self, lang: str) -> LanguageAnnotator:
        if lang not in self._langs:
            emolex = self.emolex.get(lang) or self.emolex.get("*")
            self._langs[lang] = LanguageAnnotator(self.guide, lang, emolex)
        return self._langs[lang]

    def version(self) -> dict[str, Any]:
        """What decides whether existing annotations are current (besides the inputs)."""
        from journeytape.files import sha256_file

        v: dict[str, Any] = dict(annotator_version())
        if self.emolex:
            v["emolex_sha256"] = {k: sha256_file(p) for k, p in sorted(self.emolex.items())}
        return v

    def annotate(
        self,
        transcript: Transcript,
        transcript_path: str = "",
        transcript_sha256: str | None = None,
        language: str | None = None,
    ) -> Annotations:
        """Tag ``transcript``; ``language`` overrides the transcript's detected language."""
        from journeytape import __version__

        detected = (transcript.language or "en").split("-")[0].lower()
        lang = (language or detected).lower()
        warnings: list[str] = []
        if lang != detected:
            warnings.append(f"annotated as {lang!r}; the transcript says {detected!r}")
        if lang not in self.guide.languages:
            warnings.append(
                f"the guide has no {lang!r} texts (it has {', '.join(self.guide.languages)}): "
                "checklist items are matched only by language-independent synonyms"
            )
        la = self.for_language(lang)
        warnings += la.warnings
        roles = {s.id: s.role for s in transcript.speakers}
        tags: list[Tag] = []
        context: dict[str, Any] = {"question": "", "previous_durations": []}
        texts = [seg.text for seg in transcript.segments]
        for seg, doc in zip(transcript.segments, la.nlp.pipe(texts, batch_size=64), strict=True):
            role = roles.get(seg.speaker) if seg.speaker else None
            hits = la.tag_doc(doc, role, context)
            for h in hits:
                tags.append(_to_tag(h, doc, seg, role))
            if role == "interviewer" or (role is None and seg.text.rstrip().endswith("?")):
                context["question"] = seg.text.lower()
                context["previous_durations"] = []
            elif la.rules is not None:
                context["previous_durations"] = [
                    (doc[a:b].text, sec) for a, b, sec in la.durations(doc)
                ]
        tags.sort(key=lambda t: (t.start, t.segment_id, t.start_char, t.label))
        coverage = compute_coverage(self.guide, tags, lang)
        return Annotations(
            transcript={
                "path": transcript_path,
                "sha256": transcript_sha256 or "0" * 64,
                "recording_sha256": transcript.recording.sha256,
            },
            guide={
                "path": self.guide.path or "",
                "sha256": self.guide.sha256 or "0" * 64,
                "journey": self.guide.journey,
            },
            language=lang,
            pipeline=la.info.to_dict(),
            tags=tags,
            coverage=coverage,
            warnings=warnings,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            journeytape_version=__version__,
            annotator=self.version(),
        )


def _to_tag(h: Hit, doc, seg: Segment, role: str | None) -> Tag:
    span = doc[h.start : h.end]
    start_char, end_char = span.start_char, span.end_char
    start, end = span_times(seg, start_char, end_char)
    return Tag(
        id=tag_id(h.label, seg.id, start_char, end_char, h.value),
        label=h.label,
        value=h.value,
        segment_id=seg.id,
        start_char=start_char,
        end_char=end_char,
        text=span.text,
        start=start,
        end=end,
        speaker=seg.speaker,
        role=role,
        rule=h.rule,
        confidence=round(h.confidence, 3),
        attrs=h.attrs,
    )


def word_offsets(seg: Segment) -> list[tuple[int, int]]:
    """Character range of each word inside ``seg.text`` (words carry a leading space)."""
    out = []
    cursor = 0
    text = seg.text
    for w in seg.words:
        token = w.word.strip()
        pos = text.find(token, cursor) if token else -1
        if pos < 0:
            out.append((-1, -1))
            continue
        out.append((pos, pos + len(token)))
        cursor = pos + len(token)
    return out


def span_times(seg: Segment, start_char: int, end_char: int) -> tuple[float, float]:
    """Seconds of a character span, from the words it covers (interpolated if none match)."""
    covered = [
        w
        for w, (s, e) in zip(seg.words, word_offsets(seg), strict=True)
        if s >= 0 and s < end_char and e > start_char
    ]
    if covered:
        return round(covered[0].start, 3), round(max(w.end for w in covered), 3)
    n = max(len(seg.text), 1)
    dur = max(seg.end - seg.start, 0.0)
    return (
        round(seg.start + dur * start_char / n, 3),
        round(seg.start + dur * end_char / n, 3),
    )


def compute_coverage(guide: Guide, tags: list[Tag], lang: str) -> list[CoverageItem]:
    out = []
    for item in guide.checklist:
        mine = [t for t in tags if t.label in ("CHANNEL", "TOUCHPOINT") and t.value == item.id]
        out.append(
            CoverageItem(
                item=item.id,
                kind=item.kind,
                label=item.label(lang),
                covered=bool(mine),
                mentions=len(mine),
                first_mention=min((t.start for t in mine), default=None),
                tag_ids=[t.id for t in mine],
            )
        )
    return out
