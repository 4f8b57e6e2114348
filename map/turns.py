"""Speaker turns of an interview (consecutive segments of one speaker) and segment evidence,
the units every interview-quality check reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeytape.review.store import InterviewView


@dataclass
class Turn:
    """Consecutive segments of one speaker (``role`` None when roles are unknown)."""

    role: str | None
    start: float
    end: float
    segments: list[Any]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


def speaker_turns(view: InterviewView) -> list[Turn]:
    """The interview as turns: a new turn whenever the speaker changes."""
    out: list[Turn] = []
    for s in view.segments:
        sp = view.speakers.get(s.speaker) if s.speaker else None
        role = sp.role if sp else None
        if out and out[-1].role == role and out[-1].segments[-1].speaker == s.speaker:
            out[-1].segments.append(s)
            out[-1].end = s.end
        else:
            out.append(Turn(role, s.start, s.end, [s]))
    return out


def segment_evidence(view: InterviewView, seg: Any, quote: str | None = None) -> dict[str, Any]:
    """Evidence for a whole segment (the checks judge what was said, not a tag)."""
    return {
        "interview": view.name,
        "segment": seg.id,
        "start": round(seg.start, 2),
        "end": round(seg.end, 2),
        "quote": quote or seg.text,
    }
