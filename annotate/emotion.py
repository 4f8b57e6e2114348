"""EMOTION: lexicon words with polarity, intensity and negation ("not really frustrated").

The codebook decides polarity in context: negation turns a positive feeling negative and a
negative one neutral ("wasn't angry" → 0); sarcasm turns positive into negative ("oh great");
a counterfactual ("wouldn't have panicked if …") keeps the feeling. Purely evaluative words
(great, prima, toll) are no emotions unless sarcastic, and other people's feelings ("my
daughter didn't mind", "he was annoyed") are not the respondent's.
"""

from __future__ import annotations

from journeytape.annotate.hits import Hit, longest_first


class EmotionRules:
    """The EMOTION rules; :class:`~journeytape.annotate.components.EmotionComponent` supplies
    the emotion matchers, negators and intensifiers they read."""

    def _sarcasm(self, doc, s: int, e: int, entry) -> bool:
        """A sarcasm cue next to a positive word, or the word said twice ("great, just
        great"). Real feeling words only turn on the strong cues ("thrilled … not")."""
        sent = doc[s].sent
        for match_id, cs, ce in self.sarcasm_m(doc):
            kind = self.nlp.vocab.strings[match_id]
            if not (sent.start <= cs < sent.end or cs == sent.end):
                continue
            if kind == "strong" and e <= cs <= e + 4:
                return True
            # a hyperbolic feeling ("delighted", "thrilled") is as easily ironic as "great"
            hyper = entry.polarity >= 0.85
            if not (entry.evaluative or hyper):
                continue
            if kind == "before" and (0 <= s - ce <= 2 or (cs == sent.start and s - ce <= 3)):
                return True  # "Oh, I was thrilled."
            if kind == "after" and 0 <= cs - e <= 3:
                return True
        if entry.evaluative:
            low = doc[s:e].text.lower()
            for k in range(e, min(len(doc), e + 4)):
                if doc[k : k + e - s].text.lower() == low:
                    between = [t for t in doc[e:k] if not t.is_punct]
                    return all(t.lower_ in self.sarcasm_repeat for t in between)
        return False

    def _someone_else(self, doc, s: int) -> bool:
        """Whose feeling? The nearest person word before it in the clause: "I", "me", "my"
        (or none) is the respondent; "he", "my daughter", "the courier" someone else."""
        lo = s
        while lo > 0 and s - lo < 8:
            prev = doc[lo - 1]
            if prev.is_punct and prev.text in ",;.!?:":
                break
            lo -= 1
        nearest = None
        for match_id, ps, pe in self.person_m(doc):
            if lo <= ps and pe <= s and (nearest is None or ps >= nearest[0]):
                nearest = (ps, self.nlp.vocab.strings[match_id])
        return nearest is not None and nearest[1] == "other"

    @staticmethod
    def _describes_noun(doc, s: int, e: int) -> bool:
        """ "a very confused cat", "a worried neighbour": a participle feeling word between a
        determiner and a noun is that noun's feeling (codebook: other people's feelings are no
        emotions). Needs part-of-speech tags (English); "a frustrating process" (-ing) stays
        a feeling."""
        if e - s != 1 or e >= len(doc):
            return False
        tok, nxt = doc[s], doc[e]
        if not (tok.lower_.endswith("ed") and tok.pos_ in ("ADJ", "VERB")):
            return False
        if nxt.pos_ not in ("NOUN", "PROPN") or nxt.lower_ in ("feeling", "feelings", "mood"):
            return False
        k = s - 1
        while k >= 0 and doc[k].pos_ == "ADV":  # "a very confused cat"
            k -= 1
        return k >= 0 and doc[k].pos_ == "DET"

    def _counterfactual(self, doc, neg: int, e: int) -> bool:
        """ "I wouldn't have panicked if …", "ich wäre nicht so sauer gewesen, wenn …"."""
        near = {doc[k].lower_ for k in range(max(0, neg - 2), neg + 1)}
        if not near & self.cf_modals:
            return False
        sent = doc[neg].sent
        return any(doc[k].lower_ in self.cf_if for k in range(e, sent.end))

    def emotion(self, doc) -> list[Hit]:
        """Feeling words of the lexicons, minus other people's feelings and plain evaluations,
        with negation, intensity, sarcasm and counterfactuals read from the words around."""
        raw: dict[tuple[int, int], str] = {}
        for match_id, s, e in [*self.emo_lower(doc), *self.emo_lemma(doc)]:
            raw.setdefault((s, e), self.nlp.vocab.strings[match_id])
        spans = longest_first(raw)
        starts = {s for s, _ in spans}
        hits = []
        for s, e in spans:
            # "super fijn", "so happy": an intensifier directly before another emotion word
            if e - s == 1 and doc[s].lower_ in self.intensifiers and e in starts:
                continue
            entry = self.emotions[raw[(s, e)]]
            if self._someone_else(doc, s) or self._describes_noun(doc, s, e):
                continue
            sarcastic = entry.polarity > 0 and self._sarcasm(doc, s, e, entry)
            if entry.evaluative and not sarcastic:
                continue  # "the loaner was great": an evaluation, not a feeling
            hits.append(self._emotion_hit(doc, s, e, entry, sarcastic))
        return hits

    def _modifiers_before(self, doc, s: int) -> tuple[bool, float, int, int]:
        """Negators, intensifiers and downtoners before a feeling word in its clause:
        (negated, intensity multiplier, first token of the span, negator index or -1)."""
        negated, mult, first, neg_at = False, 1.0, s, -1
        j = s - 1
        steps = 0
        while j >= 0 and steps < self.neg_window + 2:
            low = doc[j].lower_
            if low in self.breaks or doc[j].is_punct:
                break
            if low in self.negators and steps < self.neg_window + 1:
                negated, first, neg_at = True, j, j
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
        return negated, mult, first, neg_at

    def _negator_after(self, doc, e: int) -> int | None:
        """ "Zufrieden war ich nicht.", "blij was ik niet": a negator that ends the clause
        (languages with ``neg_after``); the span's new end, or None."""
        k = e
        while k < len(doc) and k < e + 4:
            low = doc[k].lower_
            if doc[k].is_punct or low in self.breaks:
                return None
            if low in self.negators and (k + 1 == len(doc) or doc[k + 1].is_punct):
                return k + 1
            k += 1
        return None

    def _emotion_hit(self, doc, s: int, e: int, entry, sarcastic: bool) -> Hit:
        """The EMOTION hit for one feeling word, its polarity after negation and sarcasm."""
        negated, mult, first, neg_at = self._modifiers_before(doc, s)
        last = e
        if self.neg_after and not negated:
            after = self._negator_after(doc, e)
            if after is not None:
                negated, last = True, after
        counterfactual = negated and neg_at >= 0 and self._counterfactual(doc, neg_at, e)
        if counterfactual:
            negated = False  # the feeling happened; only the condition is hypothetical
        polarity = entry.polarity
        intensity = entry.intensity * mult
        if sarcastic and not negated:
            polarity = -abs(polarity) * 0.8
        elif negated and polarity < 0:
            # codebook: a negated negative feeling is neutral ("wasn't really angry")
            polarity = 0.0
            intensity = intensity * (0.6 if mult > 1 else 0.8)
        elif negated:
            # "not happy" is negative; an intensifier softens the negation
            polarity = -polarity * 0.6
            intensity = intensity * (0.6 if mult > 1 else 0.8)
        return Hit(
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
                "sarcasm": sarcastic,
                "counterfactual": counterfactual,
                "lexicon": entry.source,
            },
        )

    # -- numbers and durations -----------------------------------------------------------------
