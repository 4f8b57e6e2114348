"""What a label component knows about the turn it tags, and where its results go.

A transcript is tagged one segment (one spaCy ``Doc``) at a time, but a turn is read in the
light of the conversation: "Six." is a grade only after "out of ten?", and "Probably that email"
names the low point only after "What was the worst moment?". :class:`Turn` carries who spoke
(role, and whether that role can be trusted) and the conversation so far (``context``, one dict
shared by every turn of a transcript) into the pipeline as ``doc._.journeytape_turn``.

Each label component writes its results to ``doc.spans[LABEL]`` (a spaCy ``SpanGroup``); the
rule's details (value, rule name, confidence, attrs) ride along in the group's
``attrs["journeytape"]``: one :class:`~journeytape.annotate.hits.Hit` per span, in span order.
(Not ``span._`` extensions: spaCy keys those by character offsets only, so two labels' or two
items' spans over the same words would share one value.) A span's ``id`` is its rank in the
component's output, so readers restore the order in which the component found them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from journeytape.annotate.hits import Hit

#: the key of the hits in a span group's attrs
HITS = "journeytape"
#: the extension on Doc that holds the turn
TURN_EXTENSION = "journeytape_turn"
#: the labels of the checklist component, in the order the annotator reports them
CHECKLIST_LABELS = ("CHANNEL", "TOUCHPOINT")
#: confidence factor of respondent labels on a speaker whose role is unknown or uncertain
UNSURE_ROLE_FACTOR = 0.7


def new_context() -> dict[str, Any]:
    """The conversation before its first turn: no question asked, no durations told."""
    return {"question": "", "previous_durations": []}


@dataclass
class Turn:
    """Who said a segment and what was said before it.

    ``role_sure=False``: the speaker's role may be wrong (one voice found, a weak interviewer
    guess), so respondent labels are looked for in their turns too, with lower confidence.
    """

    role: str | None = "respondent"
    role_sure: bool = True
    context: dict[str, Any] = field(default_factory=new_context)

    @property
    def respondent_labels(self) -> bool:
        """Are GOAL, EMOTION, SCORE, EXPECTATION and PEAK looked for in this turn?"""
        return self.role != "interviewer" or not self.role_sure

    def asks(self, doc) -> bool:
        """Is this turn the interviewer's (or, without roles, a question)? Its words then set
        the context of the answers that follow."""
        return self.role == "interviewer" or (self.role is None and doc.text.rstrip().endswith("?"))

    def settle(self, doc, hits: list[Hit]) -> list[Hit]:
        """Respondent labels found in a turn of an uncertain speaker: a question is the
        interviewer's (no roles, no diarization), and what is left has lower confidence."""
        if self.role is not None and self.role_sure:
            return hits
        kept = [h for h in hits if not doc[h.start].sent.text.rstrip().endswith("?")]
        for h in kept:
            h.confidence *= UNSURE_ROLE_FACTOR
            h.attrs["role_uncertain"] = True
        return kept


def register_extensions() -> None:
    """``doc._.journeytape_turn`` (idempotent)."""
    from spacy.tokens import Doc

    if not Doc.has_extension(TURN_EXTENSION):
        Doc.set_extension(TURN_EXTENSION, default=None)


def turn_of(doc) -> Turn:
    """The doc's turn; a doc made without one is a respondent's first turn."""
    turn = doc._.get(TURN_EXTENSION)
    if turn is None:
        turn = Turn()
        doc._.set(TURN_EXTENSION, turn)
    return turn


def set_hits(doc, label: str, hits: list[Hit], ids: list[int] | None = None) -> None:
    """``doc.spans[label]``: one span per hit, the hits in the group's attrs; ``ids``: each
    span's rank among the component's results (default: its place in ``hits``)."""
    from spacy.tokens import Span, SpanGroup

    ranks = ids if ids is not None else list(range(len(hits)))
    spans = [
        Span(doc, h.start, h.end, label=h.label, kb_id=h.value or "", span_id=k)
        for k, h in zip(ranks, hits, strict=True)
    ]
    doc.spans[label] = SpanGroup(doc, name=label, attrs={HITS: list(hits)}, spans=spans)


def refresh_hits(doc, label: str) -> None:
    """Rebuild ``doc.spans[label]`` after its hits were changed in place (a later turn settled
    an EXPECTATION's status), keeping each span's rank."""
    group = doc.spans[label]
    set_hits(doc, label, list(group.attrs[HITS]), [span.id for span in group])


def hits_of(doc, *labels: str) -> list[Hit]:
    """The hits of ``labels`` in the order their components found them."""
    found = [
        (span.id, hit)
        for label in labels
        if label in doc.spans
        for span, hit in zip(doc.spans[label], doc.spans[label].attrs[HITS], strict=True)
    ]
    if len(labels) > 1:
        found.sort(key=lambda pair: pair[0])
    return [hit for _, hit in found]


def checklist_hits(doc) -> list[Hit]:
    """CHANNEL and TOUCHPOINT hits, as the checklist component found them (what the SCORE and
    PEAK rules look for: "For the badge, three out of ten")."""
    return hits_of(doc, *CHECKLIST_LABELS)
