"""One interview's reviewed tags, indexed for the study-level passes of the journey map.

The map works on :class:`Interview` objects: the tags a reviewer kept (pending ones included,
marked as such), the speaker turn of every segment, the touchpoint mentions in talking order
(the lived order, scaled 0..1), and the two questions every builder asks of a tag: did the
respondent say it, and which touchpoint is it about.
"""

from __future__ import annotations

from dataclasses import dataclass

from journeytape.review.exports import selected_tags, turns
from journeytape.review.store import InterviewView, TagView


@dataclass
class Mention:
    """One mention of a checklist touchpoint (``item``): its tag and the speaker turn it is in."""

    item: str
    tag: TagView
    turn: int


def respondent_said(view: InterviewView, t: TagView) -> bool:
    """Feelings and grades count only when the respondent said them (codebook); a transcript
    without roles (one speaker found) is taken as the respondent's."""
    roles = {s.role for s in view.speakers.values() if s.role}
    return t.role == "respondent" or (t.role is None and "respondent" not in roles)


#: how many turns away a touchpoint mention may be and still be what a feeling is about
NEAR_TURNS = 3


def nearest_mention(mentions: list[Mention], t: TagView, turn_of: dict[int, int]) -> Mention | None:
    """The touchpoint mention nearest to ``t`` in turns, then in time; earlier wins a tie
    (a feeling usually follows the story of the moment). None when every mention is more than
    :data:`NEAR_TURNS` turns away: better off the curve than on the wrong touchpoint."""
    turn = turn_of.get(t.segment_id, 0)
    near = [m for m in mentions if abs(m.turn - turn) <= NEAR_TURNS]
    if not near:
        return None
    return min(
        near,
        key=lambda m: (abs(m.turn - turn), m.tag.start > t.start, abs(m.tag.start - t.start)),
    )


class Interview:
    """One interview's reviewed tags, indexed for the study-level passes."""

    def __init__(self, view: InterviewView, touchpoint_ids: set[str]) -> None:
        self.view = view
        self.tags = selected_tags(view, include_pending=True)
        self.turn_of = turns(view)
        self.mentions = [
            Mention(t.value, t, self.turn_of.get(t.segment_id, 0))
            for t in self.tags
            if t.label == "TOUCHPOINT" and t.value in touchpoint_ids
        ]
        first: dict[str, float] = {}
        for m in self.mentions:
            first.setdefault(m.item, m.tag.start)
        ordered = sorted(first, key=first.get)
        n = len(ordered)
        #: touchpoint id -> rank of its first mention scaled to 0..1
        self.position = {tp: (i / (n - 1) if n > 1 else 0.5) for i, tp in enumerate(ordered)}
