"""PEAK (the named high or low point) and GOAL (what the respondent was trying to do)."""

from __future__ import annotations

from journeytape.annotate.hits import Hit, longest_first

#: "wanted *to* say", "wilde *te* zeggen", "wollte *zu*": the verb is the word after them
INFINITIVE_MARKERS = frozenset({"to", "te", "zu"})


class MomentRules:
    """The PEAK and GOAL rules; their components in :mod:`journeytape.annotate.components`
    supply the cue matchers they read."""

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

    def peak_context(self, doc, context: dict) -> None:
        """An interviewer turn that asks for the high or the low point ("What was the worst
        moment?"): its answer names the peak without a cue ("Probably that email")."""
        kinds = {self.nlp.vocab.strings[m] for m, _, _ in self.peak_m(doc)}
        words = {t.lower_ for t in doc}
        for kind in ("high", "low"):
            if words & {w.lower() for w in self.rules.words("peak_question", kind)}:
                kinds.add(kind)
        context["peak_q"] = next(iter(kinds)) if len(kinds) == 1 else None

    def peak(self, doc, hits: list[Hit], context: dict | None = None) -> list[Hit]:
        raw = {(s, e): self.nlp.vocab.strings[m] for m, s, e in self.peak_m(doc)}
        asked = (context or {}).pop("peak_q", None)
        if not raw and asked and len(doc):
            # the answer's first sentence is the moment
            sent = next(iter(doc.sents))
            end = sent.end
            while end > sent.start + 1 and doc[end - 1].is_punct:
                end -= 1
            return [
                Hit(
                    "PEAK",
                    sent.start,
                    end,
                    asked,
                    f"peak:{self.lang}:{asked}:answer",
                    0.6,
                    {"cue": "", "moment": doc[sent.start : end].text, "about": []},
                )
            ]
        out = []
        taken = -1
        for s, e in sorted(longest_first(raw)):
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

    def _is_step(self, doc, e: int, end: int) -> bool:
        """Is the wanted thing a step of the process (request, fill in, call, wait, bring) or a
        way of speaking ("ich will mich nicht beschweren", "I want to say")? English puts the
        verb right after the cue ("needed to call"), Dutch and German at the end of the clause
        ("ik moest het formulier zelf invullen")."""
        words = [t for t in doc[e:end] if not t.is_punct and t.lower_ not in self.goal_m.fillers]
        if not words:
            return False
        if self.lang == "en":
            first = words[1] if words[0].lower_ == "to" and len(words) > 1 else words[0]
            cands = [first]
        else:
            cands = words[-2:]
        verbs = self.goal_steps | self.goal_speech
        return any(t.lower_ in verbs or t.lemma_.lower() in verbs for t in cands)

    def _someone_elses_wish(self, doc, s: int) -> bool:
        """A cue without its own subject ("wanted to", "needed the") whose subject is another
        person or a noun ("they", "the bank"): codebook, GOAL is the respondent's."""
        if s == 0 or doc[s].lower_ in self.self_words:
            return False
        prev = doc[s - 1]
        if prev.lower_ in self.self_words:
            return False
        if prev.pos_ in ("NOUN", "PROPN"):
            return True
        return any(
            pe == s and self.nlp.vocab.strings[m] == "other" for m, _, pe in self.person_m(doc)
        )

    def goal(self, doc, context: dict | None = None) -> list[Hit]:
        """GOAL: a cue phrase and the clause it opens, unless the clause is a step, a routine,
        a prerequisite, someone else's wish or a comparison; else an indirect goal (deadline
        plus "otherwise"), else the answer to a goal question."""
        raw: dict[tuple[int, int], str] = {}
        for kind, s, e in self.goal_m(doc):
            raw.setdefault((s, e), kind)
        deadlines = self._deadlines(doc)
        out = []
        taken = -1
        for s, e in sorted(longest_first(raw)):
            if s < taken or e >= len(doc) or not self._goal_cue_opens(doc, s, e):
                continue
            end = self._goal_clause(doc, s, e, raw[(s, e)], deadlines)
            if end is None:
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
        if not out:
            out += self._indirect_goal(doc, deadlines)
        asked = (context or {}).pop("goal_q", False)
        if not out and asked:
            out += self._goal_answer(doc)
            if not out and doc.text.rstrip().endswith("?") and context is not None:
                # a question is no answer: "Why did you need it?" / "And by when?" (the end of
                # the interviewer's question, given to the respondent by diarization)
                context["goal_q"] = True
        return out

    def _deadlines(self, doc) -> list[int]:
        """Where deadline words stand, except in set phrases (``goal.not_deadline``: "vor Ort",
        "by post", "voor mij") and before a duration ("vor drei Wochen" is "three weeks ago",
        "voor twee weken" "for two weeks")."""
        masked = {k for _, s, e in self.not_deadline_m(doc) for k in range(s, e)}
        units = {str(u).lower() for u in (self.rules.data.get("durations") or {}).get("units", {})}
        numbers = {str(n).lower() for n in self.rules.data.get("numbers") or {}}
        out = []
        for _, s, e in self.deadline_m(doc):
            if s in masked:
                continue
            nxt = doc[e : e + 3]
            counted = len(nxt) > 1 and (nxt[0].like_num or nxt[0].lower_ in numbers)
            if counted and any(t.lower_ in units for t in nxt[1:]):
                continue
            out.append(s)
        return out

    def _goal_cue_opens(self, doc, s: int, e: int) -> bool:
        """Whether the cue at ``s:e`` opens a statement of what the respondent wanted."""
        k = self.goal_m.next_word(doc, e)
        not_after = self.goal_not_after
        if k < len(doc) and doc[k].lower_ in INFINITIVE_MARKERS:
            k = self.goal_m.next_word(doc, k + 1)  # "I wanted to, um, just say"
            # "I just wanted to not think about it": a goal to avoid something
            not_after = not_after - {w.lower() for w in self.rules.words("negators")}
        nxt = doc[k] if k < len(doc) else doc[e]
        if nxt.lower_ in not_after or nxt.lemma_.lower() in not_after:
            return False  # "I wanted to scream", "I want to, um, say", "ich wollte gerade"
        if self._someone_elses_wish(doc, s):
            return False  # "They wanted my passport": what the bank wanted is no goal
        if doc[e].is_punct and sum(not t.is_punct for t in doc[e : doc[s].sent.end]) < 3:
            return False  # "So the whole point, gone.": a cue without what was wanted
        window = " ".join(t.lower_ for t in doc[max(0, s - 3) : s + 2])
        # "like I was trying to con them": a comparison, not a goal
        return not any(w in window for w in self.rules.words("goal", "not_before"))

    def _goal_clause(self, doc, s: int, e: int, kind: str, deadlines: list[int]) -> int | None:
        """The end of the goal clause a cue opens, or None when the clause is a routine, a
        step, a prerequisite or a condition without a deadline."""
        end = self._clause_end(doc, s, 4)
        stop = next((k for k in range(e, end) if doc[k].lower_ in self.goal_recurring_stop), end)
        if any(doc[k].lower_ in self.goal_recurring for k in range(e, stop)):
            return None  # "I had to be let in every morning" is a routine, not a goal
        if self._is_step(doc, e, end):
            return None  # "I needed to request it myself": a step taken, not a goal
        if (
            kind == "need"
            and not any(doc[k].lower_ in self.goal_purpose for k in range(e, end))
            and not any(s < d < end for d in deadlines)
        ):
            return None  # "I needed the BSN": a prerequisite, not what they wanted
        if kind == "conditional":
            if not any(s < d < end for d in deadlines):
                return None
            if any(doc[k].lower_ in self.goal_not_after for k in range(e, min(end, e + 3))):
                return None
        return end

    def goal_context(self, doc, context: dict) -> None:
        """An interviewer turn that asks what the respondent wanted or needed."""
        context["goal_q"] = any(self._asks_goal(sent) for sent in doc.sents)

    def _asks_goal(self, sent) -> bool:
        """A sentence with a goal-question cue that is an open question about the goal: not a
        yes/no question ("Konnten Sie jemanden erreichen?", "Wilde u bellen?": the verb, then
        the addressed person), not a hypothetical ("Was wäre Ihnen wichtig?" asks for a wish
        about the service) and not a question for what was done or brought ("What did you
        need to bring?") — ``goal.question_not`` in the rule file."""
        q = sent.text.lower()
        if not any(c.lower() in q for c in self.rules.words("goal", "question_cues")):
            return False
        words = [t.lower_ for t in sent if not t.is_punct and t.lower_ not in self.goal_q_skip]
        if len(words) > 1 and words[1] in self.goal_addressee:
            return False
        text = f" {' '.join(words)} "
        return not any(f" {w} " in text for w in self.goal_q_not)

    def _goal_answer(self, doc) -> list[Hit]:
        """The answer to a goal question states the goal: its first sentence with content."""
        for sent in doc.sents:
            words = [t for t in sent if not t.is_punct and t.lower_ not in self.fillers]
            if len(words) < 3 or sent.text.rstrip().endswith("?"):
                continue  # "Oh.", "Ja, nou.", "And by when?"
            end = sent.end
            while end > sent.start + 1 and doc[end - 1].is_punct:
                end -= 1
            return [
                Hit(
                    "GOAL",
                    sent.start,
                    end,
                    "answer",
                    f"goal:{self.lang}:answer",
                    0.5,
                    {"cue": "", "answer": True},
                )
            ]
        return []

    def _weak_indirect(self, doc, s: int, e: int) -> bool:
        """ "ohne/zonder/without" is a consequence only when it opens a clause about the
        respondent ("Ohne Auto komme ich nicht hin"), not in passing ("ohne jede Vorwarnung",
        "tien dagen zonder journaal", "Zonder schroeven, trouwens")."""
        sent = doc[s].sent
        opens = s == sent.start or doc[s - 1].is_punct or doc[s - 1].lower_ in self.goal_openers
        return opens and any(t.lower_ in self.self_words for t in doc[e : sent.end])

    def _condition_clause(self, doc, i: int) -> set[str]:
        """The words from ``i`` to the next punctuation mark in its sentence."""
        end = next((k for k in range(i + 1, doc[i].sent.end) if doc[k].is_punct), doc[i].sent.end)
        return {w.lower_ for w in doc[i:end]}

    def _counterfactual_condition(self, doc, i: int) -> bool:
        """A condition that did not happen ("Wenn ich nicht angerufen hätte, …", "If I hadn't
        called …") is no deadline to meet (``goal.condition_not``)."""
        if doc[i].lower_ not in {w.lower() for w in self.rules.words("goal", "condition_words")}:
            return False
        return bool(
            self._condition_clause(doc, i)
            & {w.lower() for w in self.rules.words("goal", "condition_not")}
        )

    def _missed_deadline(self, doc, deadlines: list[int]) -> list[tuple[int, int]]:
        """A condition that the deadline is missed, its words apart: "Wenn das Konto *bis
        dahin* nicht steht, …", "If the scan isn't done *by* March, …" — ``goal.condition_words``
        opening a clause with a negator and a deadline word in it, not counterfactual."""
        negators = {w.lower() for w in self.rules.words("negators")}
        conditions = {w.lower() for w in self.rules.words("goal", "condition_words")}
        out = []
        for i, t in enumerate(doc):
            if t.lower_ not in conditions or self._counterfactual_condition(doc, i):
                continue
            words = self._condition_clause(doc, i)
            end = next((k for k in range(i + 1, t.sent.end) if doc[k].is_punct), t.sent.end)
            if words & negators and any(i < d < end for d in deadlines):
                out.append((i, i + 1))
        return out

    def _indirect_goal(self, doc, deadlines: list[int]) -> list[Hit]:
        """Codebook: a goal "only implied by a deadline and what happens if it is missed"
        ("She had to have the tubes before summer. Otherwise she misses months of school.")."""
        cues = [
            (s, e)
            for key, s, e in self.indirect_m(doc)
            if (self.nlp.vocab.strings[key] != "weak" or self._weak_indirect(doc, s, e))
            and not self._counterfactual_condition(doc, s)
        ]
        for s, e in sorted(cues + self._missed_deadline(doc, deadlines)):
            sent = doc[s].sent
            before = [d for d in deadlines if d < sent.end]
            if not before:
                continue
            lo = doc[before[-1]].sent.start
            if lo < sent.start and sent.start - lo > 40:
                continue
            end = sent.end
            while end > lo + 1 and doc[end - 1].is_punct:
                end -= 1
            return [
                Hit(
                    "GOAL",
                    lo,
                    end,
                    "indirect",
                    f"goal:{self.lang}:indirect",
                    0.5,
                    {"cue": doc[s:e].text, "deadline": doc[before[-1]].text, "indirect": True},
                )
            ]
        return []
