"""EXPECTATION: expected vs actual, with durations parsed ("three weeks, I expected two days")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeytape.annotate.cues import CueMatcher
from journeytape.annotate.hits import NUM, Hit

#: a duration told *before* the expectation is what happened only when it is of the same
#: order ("on hold twenty minutes. Normally it takes two weeks" compares nothing); after the
#: expectation any duration counts ("I thought a week. Took ten minutes")
MAX_DURATION_RATIO = 200.0


def _comparable(a: float, b: float) -> bool:
    return max(a, b) <= MAX_DURATION_RATIO * max(min(a, b), 1.0)


@dataclass
class ExpectationCues:
    """Expectation cues compiled from the rule file's ``expectation`` section (beyond the ones
    the language pipeline compiles): surprise ("had ik niet verwacht"), what is usual
    ("normally it takes …"), what a result is compared with ("higher than the quote"), and
    yes/no answers to an expectation question."""

    surprise: CueMatcher
    #: verb brackets: "had ik eerlijk gezegd niet verwacht" — a negator must sit inside
    surprise_split: CueMatcher
    usual: CueMatcher
    answer: CueMatcher
    refs: set[str]
    early: set[str]
    skip: set[str]
    open_question: set[str]

    @classmethod
    def build(cls, nlp, rules) -> ExpectationCues:
        def words(key: str) -> list[str]:
            return rules.words("expectation", key)

        fillers = rules.words("cue_fillers")
        pairs = rules.data.get("expectation", {}).get("surprise_split_cues") or []
        return cls(
            surprise=CueMatcher(nlp, fillers, {"surprise": words("surprise_cues")}),
            surprise_split=CueMatcher(
                nlp, fillers, {}, {"surprise": [(str(a), str(b)) for a, b in pairs]}
            ),
            usual=CueMatcher(nlp, fillers, {"usual": words("usual_cues")}),
            answer=CueMatcher(nlp, [], {"yes": words("answer_yes"), "no": words("answer_no")}),
            refs={w.lower() for w in words("than_refs")},
            early={w.lower() for w in words("early_words")},
            skip={w.lower() for w in words("answer_skip")},
            open_question={w.lower() for w in words("open_question")},
        )


class ExpectationRules:
    """Mixed into LanguageAnnotator; uses its duration units and expectation cues."""

    def _exp_more(self) -> ExpectationCues:
        """The extra expectation cues, compiled once per language on first use."""
        more = self.__dict__.get("_exp_more_cache")
        if more is None:
            more = ExpectationCues.build(self.nlp, self.rules)
            self._exp_more_cache = more
        return more

    def durations(self, doc) -> list[tuple[int, int, float]]:
        """Durations in a doc: (start token, end token, seconds)."""
        out: list[tuple[int, int, float]] = []
        for i, tok in enumerate(doc):
            unit = self.units.get(tok.lower_) or self.units.get(tok.lemma_.lower())
            if unit is None:
                continue
            qty, start, j = self._quantity_before(doc, i)
            end = i + 1
            if qty is None:
                if not self._vague_plural(doc, i, j):
                    continue
                qty = 2.0
            # "een dag of twee": take the upper bound
            if i + 2 < len(doc) and doc[i + 1].lower_ == "of":
                n2 = self.number_at(doc, i + 2)
                if n2:
                    qty, end = n2[0], n2[1]
            out.append((start, end, qty * unit))
        for match_id, s, e in self.exp_m(doc):
            if self.nlp.vocab.strings[match_id] == "same_day":
                out.append((s, e, 8 * 3600.0))
        return sorted(out)

    def _quantity_before(self, doc, i: int) -> tuple[float | None, int, int]:
        """The amount said before a unit word at ``i`` ("three and a half", "een half", "a
        couple of"): (quantity or None, first token, the token where the look-back stopped)."""
        j, qty, start = i - 1, None, i
        while j >= 0 and i - j <= 4:
            low = doc[j].lower_
            if low in self.half:
                qty = 0.5 if qty is None else qty + 0.5
                start = j
            elif low in self.whole:
                qty = qty or 1.0
                start = j
            elif NUM.match(low) or low in self.numbers:
                n = float(low.replace(",", ".")) if NUM.match(low) else self.numbers[low]
                if qty is not None and n == 1 and not NUM.match(low):
                    pass  # "a couple of weeks", "een paar dagen": the article is no amount
                elif not (qty == 0.5 and j == start - 1):  # "een half uur": een + half
                    qty = n if qty is None else (n + qty if qty == 0.5 else n)
                start = j
            elif low in ("of", "van", "von", "couple", "few", "paar", "like", "about"):
                pass
            elif low in ("and", "en", "und") and qty == 0.5:
                pass  # "three and a half weeks"
            else:
                break
            j -= 1
        return qty, start, j

    def _vague_plural(self, doc, i: int, j: int) -> bool:
        """ "maanden", "weeks" alone: a vague plural, counted as two (enough to compare "I
        thought it would take weeks" with "it was sorted in a day")."""
        tok = doc[i]
        plural = tok.lower_ != tok.lemma_.lower() or tok.lower_.endswith(("s", "en", "e"))
        if not plural or (j == i - 1 and i > 0 and doc[j].lower_ in self.numbers):
            return False
        return tok.lower_ not in ("morgen", "abend", "middag", "avond", "week", "minute")

    # -- EXPECTATION -----------------------------------------------------------------------------
    def expectation(self, doc, context: dict[str, Any]) -> list[Hit]:
        """One EXPECTATION per turn: comparisons ("slower than I expected"), an expected
        duration against what happened, verdicts ("as I had hoped"), "too long", and cue
        clauses; the strongest reading gives the status, the turn's own verdict beats it."""
        durs = self.durations(doc)
        parts = self._comparatives(doc)
        expected = self._expected_duration(doc, durs)
        verdicts, actual = self._verdicts(doc, durs)
        parts += verdicts
        expected_info = None
        if expected is not None:
            part, expected_info = self._compare_durations(doc, durs, expected, actual, context)
            if part:
                parts.append(part)
        cue_parts = self._cue_clauses(doc, durs, context)
        # "I thought it would take ages": a "too long" inside the expectation is what was
        # expected, not what happened
        parts = [
            p
            for p in parts
            if p[3] != "too-long" or not any(c[0] < p[0] and p[1] <= c[1] for c in cue_parts)
        ]
        parts += cue_parts
        if not parts:
            return []
        return [self._expectation_hit(doc, parts, expected_info, actual)]

    def _comparatives(self, doc) -> list[tuple]:
        """ "faster than I expected", "langsamer als erwartet": exceeded or unmet."""
        parts: list[tuple] = []
        n = len(doc)
        # "than I expected", and "than the quote", "dan de offerte", "als vereinbart"
        compared_with = self.exp_cues | self._exp_more().refs
        for i, tok in enumerate(doc):
            if tok.lower_ not in self.than:
                continue
            comp = [
                k for k in range(max(0, i - 3), i) if doc[k].lower_ in self.faster | self.slower
            ]
            cue = [m for m in range(i + 1, min(n, i + 5)) if doc[m].lower_ in compared_with]
            if comp and cue:
                better = doc[comp[-1]].lower_ in self.faster
                value = "exceeded" if better else "unmet"
                parts.append((comp[-1], cue[0] + 1, value, "comparative", 0.85))
        return parts

    def _expected_duration(self, doc, durs) -> tuple | None:
        """The duration that was expected — ((start, end, seconds), cue token) — near the
        last expectation cue whose sentence holds one."""
        if not durs:
            return None
        contrasts = [s for kind, s, _ in self.exp_status_m(doc) if kind == "contrast"]
        expected = None
        # "normaal gesproken duurt dat een half uur": what is usual is what was expected; a
        # cue phrase ("I was under the impression", "ik rekende erop") leads to it as well
        usual = {s for _, s, _ in self._exp_more().usual(doc)}
        usual |= {s for kind, s, _ in self.exp_cue_m(doc) if kind in ("strong", "weak")}
        for i, tok in enumerate(doc):
            if tok.lower_ not in self.exp_cues and i not in usual:
                continue
            sent = tok.sent
            inside = [d for d in durs if sent.start <= d[0] < sent.end]
            if not inside:
                continue
            # what was expected follows the cue in a clause with a modal ("I was thinking I'd
            # have to …, like, another month"), unless a contrast comes first ("…, and it took
            # three weeks")
            follows = [
                d
                for d in inside
                if i < d[0] <= i + 14
                and any(t.lower_ in self.exp_modals for t in doc[i + 1 : d[0]])
                and not any(i < c < d[0] for c in contrasts)
                and not any(t.lower_ in self.exp_but for t in doc[i : d[0]])
            ]
            d = follows[0] if follows else min(inside, key=lambda d: abs(d[0] - i))
            expected = (d, i)
        return expected

    def _verdicts(self, doc, durs) -> tuple[list[tuple], tuple | None]:
        """Verdicts ("as expected", "not what I had hoped for"), counterfactual hopes and
        "too long": their parts, and the duration "too long" was said of (what happened)."""
        parts: list[tuple] = []
        actual = None
        for match_id, s, e in self.exp_m(doc):
            kind = self.nlp.vocab.strings[match_id]
            if kind == "as_expected":
                # "not what I had hoped for": the verdict negated is unmet
                near = {doc[k].lower_ for k in range(max(0, s - 3), s)}
                value = "unmet" if near & self.negators else "met"
                parts.append((s, e, value, "as-expected", 0.8))
            elif kind == "counterfactual":
                # "I had hoped it would be sorted on day one": hoped in the past, not met
                parts.append((s, self._clause_end(doc, s, 4), "unmet", "counterfactual", 0.55))
            elif kind == "too_long":
                near = [d for d in durs if d[0] < s and s - d[1] <= 12]
                lo = near[-1][0] if near else s
                if near:
                    actual = near[-1]
                parts.append((lo, e, "unmet", "too-long", 0.7))
        return parts, actual

    def _actual_duration(self, doc, durs, expected, actual, context) -> tuple:
        """What happened, to compare with the expected duration: (seconds, span, text)."""
        (es, ee, esec), cue_i = expected
        others = [
            d
            for d in durs
            if d[0] != es
            # the same duration again is a restatement ("two days, two days tops") unless
            # told apart from it ("normally two weeks, and it did take two weeks")
            and (abs(d[2] - esec) > 1e-6 or d[0] >= ee + 4)
            and (d[0] >= ee or _comparable(d[2], esec))
        ]
        prev = context.get("previous_durations", [])
        if others:
            # what happened is told after the expectation; before it only as a fallback
            later = [d for d in others if d[0] >= ee]
            act = later[0] if later else min(others, key=lambda d: abs(d[0] - cue_i))
            return act[2], act, None
        if actual is not None:
            return actual[2], actual, None
        if prev:  # "Three weeks, too long." / "I expected two days."
            act_text, act_sec = prev[-1]
            return act_sec, None, act_text
        # "Ze zeiden een week, het werden er drie": the unit is left out
        unit = self.units.get(doc[ee - 1].lower_) or self.units.get(doc[ee - 1].lemma_.lower())
        # "an hour, maybe two", "een dagje, hooguit twee": a number right after the comma is
        # the range of what was expected, not what happened
        ranged = ee < len(doc) and doc[ee].text == ","
        for k in range(ee + 3 if ranged else ee, len(doc)):
            bare = self.number_at(doc, k)
            if (
                bare
                and unit
                and not any(d[0] <= k < d[1] for d in durs)
                and (bare[1] >= len(doc) or not self._counts_something(doc[bare[1]]))
            ):
                return bare[0] * unit, (k, bare[1], bare[0] * unit), None
        return None, None, None

    def _compare_durations(self, doc, durs, expected, actual, context) -> tuple:
        """The expected duration against what happened: (part or None, expected_info)."""
        (es, ee, esec), cue_i = expected
        act_sec, act_span, act_text = self._actual_duration(doc, durs, expected, actual, context)
        if act_sec is None:
            return None, (doc[es:ee].text, esec, None, None)
        if act_sec > esec * 1.25:
            value = "unmet"
        elif act_sec * 1.25 < esec:
            value = "exceeded"
        else:
            value = "met"
        lo = min(es, cue_i, act_span[0] if act_span else es)
        hi = max(ee, cue_i + 1, act_span[1] if act_span else ee)
        info = (
            doc[es:ee].text,
            esec,
            act_sec,
            doc[act_span[0] : act_span[1]].text if act_span else act_text,
        )
        return (lo, hi, value, "durations", 0.8), info

    def _expectation_hit(self, doc, parts, expected_info, actual) -> Hit:
        """One hit over all the parts; the status of the strongest reading, unless the
        respondent's own verdict follows."""
        order = {
            "comparative": 0,
            "durations": 1,
            "as-expected": 2,
            "too-long": 3,
            "cue": 4,
            "surprise": 4,
            "answer": 5,
            "counterfactual": 6,
        }
        best = min(parts, key=lambda p: order[p[3]])
        hi_tok = max(p[1] for p in parts)
        sent_end = doc[min(hi_tok, len(doc) - 1)].sent.end
        after = doc[sent_end].sent.end if sent_end < len(doc) else sent_end
        said = self._said_outcome(doc, min(p[0] for p in parts), after)
        if said and best[3] in ("durations", "too-long", "cue", "answer"):
            # "Hatte mit einem halben Tag gerechnet. Passte genau.": the respondent's own
            # verdict beats our reading of the durations
            best = (best[0], best[1], said, best[3], best[4])
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
        return Hit(
            "EXPECTATION", lo, hi, best[2], f"expectation:{self.lang}:{best[3]}", best[4], attrs
        )

    def _cue_clauses(self, doc, durs, context: dict[str, Any]) -> list[tuple]:
        """Expectations said without a comparison: "I'd have thought a day, tops", "ich bin
        davon ausgegangen, dass …", "ik hoopte eigenlijk dat …". Strong cues always count; a
        weak cue ("I thought") needs a modal or deadline after it ("… it *would* be sorted");
        a norm cue ("tops", "should have taken", "hooguit") needs a duration in the turn.
        The answer to an expectation question that names a duration counts as well. Status:
        exceeded/met when the turn says so, else not met — an expectation worth telling the
        interviewer is almost always one the service missed (codebook: "where it fails")."""
        more = self._exp_more()
        surprises = [(s, e) for _, s, e in more.surprise(doc)]
        surprises += [
            (s, e)
            for _, s, e in more.surprise_split(doc)
            if any(t.lower_ in self.negators for t in doc[s:e])
            and not any(a <= s < b for a, b in surprises)
        ]
        cues = [*self.exp_cue_m(doc), *(("norm", s, e) for _, s, e in more.usual(doc))]
        out: list[tuple] = []
        for kind, s, e in cues:
            if any(a <= s < b for a, b in surprises):
                continue  # "ik had niet verwacht": the surprise, not the expectation, counts
            sent_end = doc[s].sent.end
            if kind == "weak" and not any(
                doc[k].lower_ in self.exp_modals for k in range(e, min(sent_end, e + 8))
            ):
                continue
            if kind == "weak" and e < len(doc) and doc[e].text == ":":
                continue  # "I thought: I'll never manage this" reports a thought
            in_clause = [d for d in durs if s <= d[0] < sent_end]
            free_rel = s > 0 and doc[s - 1].lower_ in self.exp_free_rel
            if kind != "norm" and free_rel and not in_clause:
                continue  # "What I was hoping to achieve was …" states a goal, not a belief
            if kind == "norm" and not durs:
                continue
            out.append((s, max(e, self._clause_end(doc, s, 5)), self._status(doc, s), "cue", 0.6))
        for s, e in surprises:
            end = max(e, self._clause_end(doc, s, 5))
            out.append((s, end, self._surprise_status(doc), "surprise", 0.6))
        question = context.get("question", "")
        if not out and durs and any(c in question for c in self.exp_question):
            # "I: What would have been realistic?" "R: Two days, tops."
            s, e = durs[0][0], durs[-1][1]
            out.append((s, e, self._status(doc, 0), "answer", 0.55))
        if not out and any(c in question for c in self.exp_question):
            out += self._yes_no_answer(doc, question)
        return out

    def _surprise_status(self, doc) -> str:
        """ "Dat had ik niet verwacht", "I wasn't expecting that": which way the surprise
        went is told by the rest of the turn — feelings and evaluations (relieved, blij,
        entgegenkommend), faster/earlier words and "already" (exceeded), slower, longer,
        dearer words (unmet). Without either it counts as a good surprise: a let-down is
        said with a complaint, not with surprise alone."""
        more = self._exp_more()
        balance = 0
        for h in self.emotion(doc):
            pol = h.attrs.get("polarity", 0.0)
            balance += (pol > 0.05) - (pol < -0.05)
        for match_id, s, _ in [*self.emo_lower(doc), *self.emo_lemma(doc)]:
            entry = self.emotions[self.nlp.vocab.strings[match_id]]
            if entry.evaluative:
                negated = any(doc[k].lower_ in self.negators for k in range(max(0, s - 3), s))
                balance += -1 if (entry.polarity > 0) == negated else 1
        for t in doc:
            low = t.lower_
            balance += (low in self.faster or low in more.early) - (low in self.slower)
        return "unmet" if balance < 0 else "exceeded"

    def _yes_no_answer(self, doc, question: str) -> list[tuple]:
        """ "I: Was that what you expected?" "R: Yes, pretty much." — a yes is met, a no
        unmet (exceeded when the turn says faster/better). Open questions ("What did you
        expect?") take no yes/no answer ("No idea")."""
        more = self._exp_more()
        q_words = question.lower().replace("?", " ").replace(",", " ").split()
        if not q_words or q_words[0] in more.open_question:
            return []
        first = next((t.i for t in doc if not (t.is_punct or t.lower_ in more.skip)), None)
        for kind, s, e in more.answer(doc):
            if s != first:
                continue
            end = self._clause_end(doc, s, 2)
            if kind == "yes":
                status = self._said_outcome(doc, 0) or "met"
            elif any(t.lower_ in self.faster for t in doc) or self._status(doc, 0) == "exceeded":
                status = "exceeded"
            else:
                status = "unmet"
            return [(s, max(e, end), status, "answer", 0.5)]
        return []

    def _said_outcome(self, doc, start: int, stop: int | None = None) -> str | None:
        """met/exceeded when the turn says so after ``start`` ("passte genau", "viel mee");
        a negated verdict ("dat klopte niet") is unmet."""
        found = self.exp_status_m(doc)
        # "erfreulicherweise nicht der Fall": a negator inside another verdict is no negation
        inside = {k for kind, s, e in found if kind in ("met", "exceeded") for k in range(s, e)}
        for kind, s, e in found:
            if s < start or kind in ("contrast", "trouble") or (stop is not None and s >= stop):
                continue
            near = {
                doc[k].lower_
                for k in (*range(max(0, s - 2), s), *range(e, min(len(doc), e + 2)))
                if k not in inside
            }
            if near & self.negators:
                return "unmet"
            return kind
        return None

    def _status(self, doc, start: int) -> str:
        found = {kind for kind, s, _ in self.exp_status_m(doc) if s >= start}
        said = self._said_outcome(doc, start)
        if said == "unmet":
            return "unmet"
        if "exceeded" in found:
            return "exceeded"
        if "met" in found and "contrast" not in found:
            return "met"
        found_at = [(kind, s) for kind, s, _ in self.exp_status_m(doc) if s >= start]
        trouble = [s for kind, s in found_at if kind == "trouble"]
        if trouble and (
            any(kind == "contrast" and s > trouble[0] for kind, s in found_at)
            or any(t.lower_ in self.exp_but for t in doc[trouble[0] : len(doc)])
        ):
            return "exceeded"  # "I'd assumed it would be a nightmare, but it took ten minutes"
        return "unmet"

    # -- PEAK / GOAL -----------------------------------------------------------------------------
