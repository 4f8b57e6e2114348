"""EMOTION: lexicon words with polarity, intensity and negation ("not really frustrated")."""

from __future__ import annotations

from journeytape.annotate.hits import Hit, longest_first


class EmotionRules:
    """Mixed into LanguageAnnotator; uses its emotion matchers, negators and intensifiers."""

    def emotion(self, doc) -> list[Hit]:
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
