"""Evidence: where every point of the map comes from, and the words it quotes.

Every point of the journey map and of the interview-quality report carries an evidence object
``{interview, segment, start, end}`` (plus the tag, its review state, the speaker and the
sentence) so a reader can check it against the transcript. Quotes are withheld here, in one
pass over the finished structure, for interviewees whose consent excludes them.
"""

from __future__ import annotations

from typing import Any

from journeytape.erasure import QUOTES_WITHHELD
from journeytape.review.store import InterviewView, TagView

#: quotes kept per touchpoint / pain point / moment: enough to choose from, short to read
MAX_QUOTES = 3
QUOTE_CHARS = 240


def review_state(t: TagView) -> str:
    """How far a person has vouched for a tag: added / edited / accepted / unreviewed."""
    if t.origin == "user":
        return "added"
    if t.status == "accepted":
        return "edited" if t.edited else "accepted"
    return "edited" if t.edited else "unreviewed"


def evidence(view: InterviewView, t: TagView, quote: bool = True) -> dict[str, Any]:
    """Where a point comes from: the interview, segment and time span of its tag, and the
    sentence it was said in (the quote) so a reader can judge it without the transcript."""
    ev: dict[str, Any] = {
        "interview": view.name,
        "segment": t.segment_id,
        "start": round(t.start, 2),
        "end": round(t.end, 2),
        "tag": t.id,
        "review": review_state(t),
        "speaker": view.speaker_label(t.speaker),
    }
    if quote:
        ev["quote"] = _quote(view, t)
    return ev


def _quote(view: InterviewView, t: TagView) -> str:
    """The sentence(s) of the segment around the tag, trimmed to a readable length."""
    try:
        text = view.segment(t.segment_id).text.strip()
    except Exception:  # an added tag on a segment that vanished: fall back to the span
        text = t.text
    if len(text) <= QUOTE_CHARS:
        return text
    # keep the tagged words in view
    mid = max(0, min(len(text) - QUOTE_CHARS, t.start_char - QUOTE_CHARS // 3))
    cut = text[mid : mid + QUOTE_CHARS].strip()
    return ("…" if mid else "") + cut + "…"


#: the fields of an evidence object that carry the interviewee's (or the interview's) words
QUOTE_FIELDS = ("quote", "text", "feeling", "next_question", "raw", "moment", "expected", "actual")


def withhold_quotes(node: Any, names: set[str], inside: bool = False) -> None:
    """Replace the words of every point whose interview's consent excludes quotes in reports
    (everything below a node that names such an interview).

    One pass over the finished structure (journey map or interview quality) rather than a
    check in each builder, so a field added later cannot leak them."""
    if not names:
        return
    if isinstance(node, dict):
        inside = inside or node.get("interview") in names
        for k, v in node.items():
            if inside and k in QUOTE_FIELDS and isinstance(v, str):
                node[k] = QUOTES_WITHHELD
            else:
                withhold_quotes(v, names, inside)
    elif isinstance(node, list):
        for v in node:
            withhold_quotes(v, names, inside)
