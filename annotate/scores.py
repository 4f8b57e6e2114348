"""SCORE: grades said aloud, normalised to 0–10 ("seven out of ten", "een zesje", "eine Zwei")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from journeytape.annotate.hits import FRACTION, NUM, Hit

#: marker: the scope came from the interviewer's question, not from the turn itself
QUESTION: Any = object()


@dataclass
class _ScoreScan:
    """One turn's grade search: the cues and question it is read against, what was found."""

    cues: dict[str, list[tuple[int, int]]]
    #: the question and the remembered grade question, as one text ("zehn" asked?)
    asked_text: str
    asked: bool
    five: bool
    grade_question: bool
    item_ends: set[int]
    hits: list[Hit]
    out: list[Hit] = field(default_factory=list)
    used: set[int] = field(default_factory=set)


class ScoreRules:
    """The SCORE rules; :class:`~journeytape.annotate.components.ScoreComponent` supplies the
    number words, score cues and school grades they read."""

    def number_at(self, doc, i: int) -> tuple[float, int] | None:
        """A number starting at token ``i``: (value, end token). "seven and a half", "7,5"."""
        if i >= len(doc):
            return None
        low = doc[i].lower_
        if NUM.match(low):
            value = float(low.replace(",", "."))
        elif re.match(r"^\d{1,2}\.$", low) and (i + 1 == len(doc) or doc[i + 1].is_sent_start):
            value = float(low[:-1])  # "eine 2." ends the sentence (German reads "2." as 2nd)
        elif self.school_grades and re.match(r"^[1-6][+-]$", low):
            value = float(low[0])  # "eine 2-": the modifier is read by _grade_hit
        elif low in self.numbers:
            value = self.numbers[low]
        elif (half := _fused_half(low)) and half in self.numbers:
            value = self.numbers[half] + 0.5  # "dreieinhalb", "zevenenhalf"
        else:
            return None
        end = i + 1
        for match_id, s, e in self.score_m(doc[end : end + 4].as_doc()):
            if self.nlp.vocab.strings[match_id] == "and_half" and s == 0:
                value += 0.5
                end += e
                break
        return value, end

    def score_context(self, doc, hits: list[Hit], context: dict[str, Any]) -> None:
        """Remember an interviewer's grade question across short follow-ups ("The day
        itself?", "And the whole thing?"), and what each question asks a grade *for*:
        overall, or a moment (a checklist item, "each step", any follow-up)."""
        q = context["question"]
        overall = any(self.nlp.vocab.strings[m] == "overall" for m, _, _ in self.score_m(doc))
        items = any(h.label in ("CHANNEL", "TOUCHPOINT") for h in hits)
        if any(c in q for c in self.score_question) or any(c in q for c in self.five_scale):
            prev = context.get("score_q", "") if context.get("follow", 9) < 4 else ""
            if prev and not _names_a_scale(q, self.five_scale):
                q = f"{prev} {q}"  # "And the whole, on the same scale?" keeps one to five
            context["score_q"], context["follow"] = q, 0
            moment = items or any(t.lower_ in self.moment_question for t in doc)
        elif context.get("score_q") and context.get("follow", 9) < 4 and len(doc) <= 16:
            context["follow"] += 1
            moment = True
        else:
            context["score_q"], context["follow"] = "", 9
            moment = False
        context["score_scope"] = "overall" if overall or not moment else "moment"

    def score(self, doc, hits: list[Hit], context: dict[str, Any]) -> list[Hit]:
        """Grades in one turn, normalised to 0–10: fractions, "een zesje", "seven out of ten",
        German school grades, bare answers to a grade question; then only the final grade of
        a self-correction, without hypothetical ones."""
        scan = self._score_scan(doc, hits, context)
        for i in range(len(doc)):
            if i not in scan.used:
                self._score_at(doc, i, scan)
        out = scan.out
        if scan.five:
            for h in out:
                if h.attrs["scale"] == "1-10" and h.attrs["score_0_10"] <= 5:
                    h.attrs.update(scale="1-5", score_0_10=h.attrs["score_0_10"] * 2)
                    h.value = f"{h.attrs['score_0_10']:g}"
        out = [h for h in out if not self._hypothetical(doc, h.start)]
        fixes = [s for _, s, _ in self.correction_m(doc)]
        items = [h.start for h in hits if h.label in ("CHANNEL", "TOUCHPOINT")]
        return _final_grades(doc, out, fixes, items)

    def _score_scan(self, doc, hits: list[Hit], context: dict[str, Any]) -> _ScoreScan:
        """What the turn's grades are read against: its cues and the question it answers."""
        cues: dict[str, list[tuple[int, int]]] = {}
        for match_id, s, e in self.score_m(doc):
            cues.setdefault(self.nlp.vocab.strings[match_id], []).append((s, e))
        question = context.get("question", "")
        score_q = context.get("score_q", "")
        five = any(c in question or c in score_q for c in self.five_scale)
        asked = bool(score_q) or any(c in question for c in self.score_question) or five
        self._question_scope = context.get("score_scope", "overall")
        return _ScoreScan(
            cues=cues,
            asked_text=question + score_q,
            asked=asked,
            five=five,
            grade_question=bool(self.school_grades)
            and any(c in question + score_q for c in self.grade_cues),
            item_ends={h.end for h in hits if h.label in ("CHANNEL", "TOUCHPOINT")},
            hits=hits,
        )

    def _score_at(self, doc, i: int, scan: _ScoreScan) -> None:
        """The grade that starts at token ``i``, if any, added to ``scan.out``."""
        low = doc[i].lower_
        cues, hits = scan.cues, scan.hits
        # "die Note gut", "sehr gut": German grades said as words, when asked for a Note
        if scan.grade_question and low in self.grade_words:
            if i > 0 and doc[i - 1].lower_ in self.negators:
                return  # "nicht schlecht, nicht gut" judges, it gives no grade
            start = i - 1 if i > 0 and doc[i - 1].lower_ == "sehr" and low == "gut" else i
            grade = 1.0 if start < i else self.grade_words[low]
            scan.out.append(self._grade_hit(doc, start, i, grade, cues, hits))
            scan.used.add(i)
            return
        frac = FRACTION.match(low)  # "7/10"
        if frac:
            val, scale = float(frac[1].replace(",", ".")), float(frac[2])
            if scale > 0 and val <= scale:
                scan.out.append(
                    self._score_hit(
                        doc, i, i + 1, val / scale * 10, "fraction", 0.9, f"1-{scale:g}", cues, hits
                    )
                )
                scan.used.add(i)
            return
        if low in self.diminutives and (scan.asked or low != "eentje"):  # NL "een zesje"
            # "eentje" is mostly "one (of them)"; a grade only when one was asked for
            start = i - 1 if i > 0 and doc[i - 1].lower_ in ("een", "'n") else i
            value = self.diminutives[low]
            scan.out.append(
                self._score_hit(doc, start, i + 1, value, "diminutive", 0.9, "1-10", cues, hits)
            )
            return
        num = self.number_at(doc, i)
        if num is not None:
            self._number_score(doc, i, num[0], num[1], scan)

    def _scale_score(self, doc, i: int, val: float, end: int, scan: _ScoreScan) -> bool:
        """ "seven out of ten", "acht von zehn", "8 uit 10"; True when one was added."""
        scale_at = [e for s, e in scan.cues.get("scale", []) if s == end]
        if not scale_at:
            return False
        # "out of" + "ten", or a phrase that holds the number itself ("von zehn")
        sc = self.number_at(doc, scale_at[0]) or self.number_at(doc, scale_at[0] - 1)
        if not (sc and sc[0] > 0 and val <= sc[0]):
            return False
        article = self._article_before(scan.cues, i)
        scan.out.append(
            self._score_hit(
                doc,
                article,
                sc[1],
                val / sc[0] * 10,
                "scale",
                0.9,
                f"1-{sc[0]:g}",
                scan.cues,
                scan.hits,
            )
        )
        scan.used.update(range(i, sc[1]))
        return True

    def _number_score(self, doc, i: int, val: float, end: int, scan: _ScoreScan) -> None:
        """A number at ``i`` (ending at ``end``) that is a grade: with a scale, without an
        article (a grade cue or a bare answer), a German school grade, or after a cue."""
        if self._scale_score(doc, i, val, end, scan):
            return
        article = self._article_before(scan.cues, i)
        if article == i:
            self._bare_number(doc, i, val, end, scan)
            return
        if end < len(doc) and self._counts_something(doc[end]):
            return  # "a five minute wait", "een paar dagen", "zwei Wochen"
        # "eine Zwei", "eine 2", "ne 2-": German school grades, 1 is best
        tok, low = doc[i], doc[i].lower_
        german_grade = (
            bool(self.school_grades)
            and not scan.five
            and (tok.text[:1].isupper() or tok.text[:1].isdigit() or scan.asked)
            and val <= 6
            and "zehn" not in scan.asked_text
            and (low in self.school_grades or re.match(r"^[1-6][+-.]?$", low))
        )
        if german_grade:
            scan.out.append(self._grade_hit(doc, article, i, val, scan.cues, scan.hits))
            return
        cue_before = any(s < i and i - s <= 5 for s, _ in scan.cues.get("cue", []))
        digit = NUM.match(low) is not None  # "een 8", "a 7": a grade even without a cue
        if not (scan.asked or cue_before or digit) or not 0 <= val <= 10:
            return
        conf = 0.8 if scan.asked else 0.65 if cue_before else 0.6
        val, end = self._range(doc, val, end)
        scan.out.append(
            self._score_hit(doc, article, end, val, "article", conf, "1-10", scan.cues, scan.hits)
        )
        scan.used.update(range(i, end))

    def _bare_number(self, doc, i: int, val: float, end: int, scan: _ScoreScan) -> None:
        """A number without an article: "Note 2", "Schulnote drei", or "Six, I'd say." as
        the answer to "out of ten?"."""
        n, low = len(doc), doc[i].lower_
        if i > 0 and doc[i - 1].lower_.rstrip(":") in self.grade_cues and val <= 6:
            scan.out.append(self._grade_hit(doc, i - 1, i, val, scan.cues, scan.hits))
            return
        if not (
            scan.asked
            and low not in self.article_words
            and not (end < n and self.number_at(doc, end))
            and 0 <= val <= 10
            and self._bare_answer(doc, i, end, scan.item_ends)
            and not (end < n and self._counts_something(doc[end]))
        ):
            return
        if self.school_grades and val <= 6 and "zehn" not in scan.asked_text and not scan.five:
            scan.out.append(self._grade_hit(doc, i, i, val, scan.cues, scan.hits))
            return
        val, end = self._range(doc, val, end)
        scan.out.append(
            self._score_hit(doc, i, end, val, "answer", 0.7, "1-10", scan.cues, scan.hits)
        )
        scan.used.update(range(i, end))  # "six or seven" is one grade

    def _bare_answer(self, doc, i: int, end: int, item_ends: set[int] | None = None) -> bool:
        """A bare number that answers a grade question: at the start of the turn after
        fillers ("Uh, six."), or standing alone after a pause in speech ("…, but three.",
        "Die Terminvereinbarung, äh, Drei, wegen …") — not a count inside a clause."""
        if all(t.is_punct or t.lower_ in self.fillers for t in doc[:i]):
            return True
        before = doc[i - 1]
        after_ok = (
            end >= len(doc)
            or doc[end].is_punct
            or doc[end].lower_ in self.range_words
            or (before.lower_ in self.between and doc[end].lower_ in self.and_words)
        )
        alone = (
            before.is_punct
            or before.lower_ in self.fillers
            or before.lower_ in self.breaks
            or before.lower_ in self.between
            or i in (item_ends or set())  # "Umzugsfirma eins. Internetanbieter fünf."
        )
        return after_ok and alone

    def _hypothetical(self, doc, i: int) -> bool:
        """ "If there was a zero I'd give it a zero": a grade that is not given."""
        sent = doc[i].sent
        return any(sent.start <= s < i for _, s, _ in self.hypo_m(doc))

    def _range(self, doc, val: float, end: int) -> tuple[float, int]:
        """ "six or seven", "een zes à zeven", "Drei bis Vier": the middle of the range."""
        if end + 1 < len(doc) and doc[end].lower_ in self.range_words | self.and_words:
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
        source = "question" if about is QUESTION else "turn"
        about = None if about is QUESTION else about
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
                "scope_source": source,
                "about": about,
            },
        )

    def _scope(self, doc, start: int, cues, hits) -> tuple[str, str | None]:
        """overall vs moment: look back in the clause before the score for cues and items."""
        j, lo = _clause_start(doc, start - 1)
        if (
            j > 0
            and doc[j].text == ","
            and all(t.lower_ in self.fillers or t.is_punct for t in doc[lo:start])
        ):
            # "For the badge process, three out of ten": the score opens its own clause
            _, lo = _clause_start(doc, j - 1)
        if any(lo <= s < start for s, _ in cues.get("overall", [])):
            return "overall", None
        items = [h for h in hits if h.label in ("CHANNEL", "TOUCHPOINT") and lo <= h.start < start]
        if items:
            return "moment", items[-1].value
        if any(lo <= s < start for s, _ in cues.get("moment", [])):
            return "moment", None
        # nothing in the clause: what the question asked a grade for
        return getattr(self, "_question_scope", "overall"), QUESTION

    # -- EXPECTATION -----------------------------------------------------------------------------


def _names_a_scale(question: str, five_scale: list[str]) -> bool:
    """Does a grade question name its own scale (one to five, out of ten, …)?"""
    if any(c in question for c in five_scale):
        return True
    return bool(re.search(r"\b(10|ten|tien|zehn)\b", question))


def _fused_half(word: str) -> str | None:
    """ "dreieinhalb" → "drei", "zevenenhalf"/"zevenënhalf" → "zeven"; else None."""
    for tail in ("einhalb", "ënhalf", "enhalf"):
        if word.endswith(tail) and len(word) > len(tail):
            return word[: -len(tail)]
    return None


def _final_grades(doc, hits: list[Hit], fixes: list[int], items: list[int]) -> list[Hit]:
    """Codebook: when the respondent corrects a grade, only the final one counts. A grade
    replaces the one just before it when a correction word sits between them ("a seven. No,
    make that a six"), when it restates it ("Een negen. … Een negen."), or when both are in
    one sentence about the same thing ("a seven, seven and a half"), or when the first was only
    tried out as a question ("six? Maybe six or seven"). The replaced value is
    kept in ``corrected_from``; an unnamed correction inherits what the first grade was for."""
    kept: list[Hit] = []
    for h in sorted(hits, key=lambda h: h.start):
        prev = kept[-1] if kept else None
        if prev is None:
            kept.append(h)
            continue
        same_thing = (prev.attrs.get("scope"), prev.attrs.get("about")) == (
            h.attrs.get("scope"),
            h.attrs.get("about"),
        )
        between_item = any(prev.end <= k < h.start for k in items)
        fixed = (
            any(prev.end <= f < h.start for f in fixes)
            and not between_item
            and (same_thing or h.attrs.get("scope_source") == "question")
        )
        restated = h.value == prev.value and h.attrs.get("about") in (None, prev.attrs["about"])
        # "six? Maybe six or seven": a grade said as a question is tried out, not given
        tentative = (
            prev.end < len(doc)
            and doc[prev.end].text == "?"
            and not between_item
            and h.attrs.get("about") in (None, prev.attrs.get("about"))
        )
        fixed = fixed or tentative
        one_sentence = doc[prev.start].sent.start == doc[h.start].sent.start and same_thing
        if not (fixed or restated or one_sentence):
            kept.append(h)
            continue
        if h.attrs.get("about") is None and prev.attrs.get("about") is not None:
            h.attrs.update(scope=prev.attrs["scope"], about=prev.attrs["about"])
        h.attrs["corrected_from"] = prev.value
        kept[-1] = h
    return kept


def _clause_start(doc, j: int) -> tuple[int, int]:
    """Walk back from token ``j`` to the clause boundary: (boundary index, first clause token)."""
    while j >= 0 and not (doc[j].is_punct and doc[j].text in ",;.!?:") and not doc[j].is_sent_start:
        j -= 1
    return j, (j + 1 if j >= 0 and doc[j].is_punct else max(j, 0))
