"""EXPECTATION status told in a later turn: "I'd assumed a morning's work, tops." … I: "And
was it?" R: "No. A week."

The codebook tags the stretch that says what was expected, with its status met / not met /
exceeded. People often state the expectation in one turn and its outcome in the next, after a
short follow-up question; read turn by turn, such an expectation has no outcome and defaults to
``unmet``. So an expectation whose own turn tells no outcome stays *pending* in the conversation
(``turn.context``) for one more respondent turn; that turn settles its status when it opens
with an outcome:

* a yes/no to a closed follow-up question ("And was it?", "Ging das?", "Klopte dat?"): yes is
  met, no unmet, either with a faster/earlier word exceeded ("No, much quicker");
* a verdict of the rule file ("viel reuze mee", "spot on", "hat gestimmt");
* a duration against the expected one ("an hour, maybe two" … "Twenty minutes").

Same topic is approximated by position: the outcome must be in the first sentences of the
respondent's very next turn, and the question in between (if any) must be a short follow-up
that names no checklist item ("Did you get a courtesy car?" opens a new topic). The tag stays
on the earlier turn (where the expectation is stated); its hit is updated in that turn's Doc,
which the annotator reads only after the whole conversation ran (``attrs.status_from``,
``attrs.outcome``). A reading of the settling turn that has no expectation cue of its own
("Hooguit vijf minuten": a norm word) is that outcome, not a new expectation, and is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeytape.annotate.hits import Hit
from journeytape.annotate.turns import checklist_hits, refresh_hits

#: where the pending expectation waits in ``turn.context``
PENDING = "pending_expectation"
#: a follow-up question keeps an expectation pending: at most this many words, no checklist item
FOLLOW_UP_WORDS = 6
#: the outcome is looked for in this many sentences at the start of the next respondent turn
OUTCOME_SENTENCES = 2
#: a yes/no answer is one of the first tokens of the turn ("It was, yeah.")
ANSWER_WITHIN = 4
#: actual vs expected beyond this factor is exceeded / unmet (as for durations in one turn)
TOLERANCE = 1.25
#: the reading of a rule that states an expectation without an outcome
OPEN_READINGS = ("cue",)


@dataclass
class Pending:
    """An expectation stated without its outcome, waiting for the next respondent turn."""

    doc: Any
    index: int  # its place among the doc's EXPECTATION hits
    expected_seconds: float | None
    #: the follow-up question asked since (None: none yet), and whether yes/no answers it
    asked: bool = False
    closed: bool = False


def versus(actual: float, expected: float) -> str:
    """The status of what happened against what was expected (durations in seconds)."""
    if actual > expected * TOLERANCE:
        return "unmet"
    if actual * TOLERANCE < expected:
        return "exceeded"
    return "met"


class LaterStatus:
    """Mixed into :class:`~journeytape.annotate.components.ExpectationComponent`: reads the
    turn with its duration reader, verdict matchers and yes/no answer cues."""

    # -- the next respondent turn ----------------------------------------------------------------
    def settle_pending(self, doc, hits: list[Hit], context: dict[str, Any]) -> list[Hit]:
        """Settle the pending expectation of an earlier turn when this turn opens with its
        outcome; return this turn's own hits (without a cue-less reading of that outcome)."""
        pending: Pending | None = context.pop(PENDING, None)
        if pending is None:
            return hits
        found = self._later_outcome(doc, pending)
        if found is None:
            return hits
        status, (s, e), actual = found
        hit = pending.doc.spans["EXPECTATION"].attrs["journeytape"][pending.index]
        hit.value = status
        hit.attrs.update(
            met={"met": True, "unmet": False}.get(status),
            status_from="later turn",
            outcome=doc[s:e].text,
        )
        if actual is not None:
            hit.attrs.update(actual=doc[actual[0] : actual[1]].text, actual_seconds=actual[2])
        refresh_hits(pending.doc, "EXPECTATION")
        return [h for h in hits if not self._outcome_only(doc, h)]

    def _later_outcome(self, doc, pending: Pending) -> tuple | None:
        """(status, outcome span, actual duration or None) said at the start of ``doc``."""
        sents = list(doc.sents)
        first_end = sents[0].end if sents else len(doc)
        region_end = sents[min(OUTCOME_SENTENCES, len(sents)) - 1].end if sents else len(doc)
        if pending.asked and pending.closed:
            answer = self._answer_word(doc)
            if answer is not None:
                return self._answer_status(doc, answer, first_end), (0, first_end), None
        said = self._said_outcome(doc, 0, region_end)
        if said is not None:
            return said, (0, region_end), None
        if pending.expected_seconds:
            durs = [d for d in self.durations(doc) if d[0] < region_end]
            if durs:
                d = durs[0]
                return versus(d[2], pending.expected_seconds), (d[0], d[1]), d
        return None

    def _answer_word(self, doc) -> str | None:
        """ "yes" or "no" among the first tokens ("No. A week.", "It was, yeah.")."""
        more = self._exp_more()
        return next((kind for kind, s, _ in more.answer(doc) if s < ANSWER_WITHIN), None)

    def _answer_status(self, doc, kind: str, end: int) -> str:
        """yes: met, no: unmet; faster/earlier or an exceeded verdict in the answer's sentence:
        exceeded ("No, much quicker", "Yes, even faster")."""
        more = self._exp_more()
        quicker = any(t.lower_ in self.faster or t.lower_ in more.early for t in doc[:end])
        if quicker or self._said_outcome(doc, 0, end) == "exceeded":
            return "exceeded"
        return "met" if kind == "yes" else "unmet"

    def _outcome_only(self, doc, hit: Hit) -> bool:
        """A hit of the settling turn read from a norm word or an answer only (no expectation
        cue of its own): it is the earlier expectation's outcome."""
        if hit.rule.rsplit(":", 1)[-1] not in ("cue", "answer"):
            return False
        own = [s for kind, s, _ in self.exp_cue_m(doc) if kind in ("strong", "weak")]
        own += [t.i for t in doc if t.lower_ in self.exp_cues]
        return not any(hit.start <= s < hit.end for s in own)

    # -- after each turn -------------------------------------------------------------------------
    def keep_pending(self, doc, asks: bool, context: dict[str, Any]) -> None:
        """After a question: keep the pending expectation only across a short follow-up. After
        a respondent turn: its expectation without an outcome becomes the pending one."""
        if asks:
            pending = context.get(PENDING)
            if pending is not None and not pending.asked and self._follow_up(doc):
                pending.asked = True
                words = [t.lower_ for t in doc if not t.is_punct]
                pending.closed = bool(words) and words[0] not in self._exp_more().open_question
            else:
                context.pop(PENDING, None)
            return
        group = doc.spans.get("EXPECTATION")
        hits = group.attrs["journeytape"] if group is not None and len(group) else []
        context.pop(PENDING, None)
        if hits and self._without_outcome(doc, hits[-1]):
            context[PENDING] = Pending(doc, len(hits) - 1, self._expected_seconds(doc, hits[-1]))

    def _follow_up(self, doc) -> bool:
        """ "And was it?", "En hoe lang werd het?": short, and no new checklist item."""
        words = [t for t in doc if not (t.is_punct or t.is_space)]
        return len(words) <= FOLLOW_UP_WORDS and not checklist_hits(doc)

    def _without_outcome(self, doc, hit: Hit) -> bool:
        """An expectation stated and left open: a cue reading, not met/exceeded, no duration
        of what happened, and no verdict or contrast after it ("… But no.")."""
        if hit.rule.rsplit(":", 1)[-1] not in OPEN_READINGS or hit.value != "unmet":
            return False
        if hit.attrs.get("actual_seconds") is not None:
            return False
        after = [(kind, s) for kind, s, _ in self.exp_status_m(doc) if s >= hit.start]
        if any(kind != "trouble" for kind, _ in after):
            return False
        return not any(t.lower_ in self.exp_but for t in doc[hit.start :])

    def _expected_seconds(self, doc, hit: Hit) -> float | None:
        """The expected duration: the rule's, else the first said after the cue ("… gerechnet.
        Mindestens eine halbe Stunde.")."""
        if hit.attrs.get("expected_seconds"):
            return float(hit.attrs["expected_seconds"])
        later = [d for d in self.durations(doc) if d[0] >= hit.start]
        return later[0][2] if later else None
