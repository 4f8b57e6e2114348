"""What readers of the workspace get: interviews, segments, tags and speakers with every review
decision applied (:mod:`.replay` computes them, :mod:`.queries` reads them).

Plain dataclasses, no SQLite: the web app's templates, the exports and the journey map read
these and never the database, so the schema can change without touching them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from journeytape.annotate.annotations import Tag


class WorkspaceError(ValueError):
    """Bad input to the workspace: unknown interview, tag, label or a span out of range."""


@dataclass
class WordView:
    index: int
    start: float
    end: float
    word: str
    #: character span within the segment's *original* text (-1 when it could not be located)
    start_char: int
    end_char: int


@dataclass
class Fix:
    start_char: int
    end_char: int
    old: str
    new: str
    who: str
    at: str


@dataclass
class SegmentView:
    id: int
    start: float
    end: float
    speaker: str | None
    #: the transcriber's text; tags and fixes use character offsets into this
    original_text: str
    words: list[WordView]
    fixes: list[Fix] = field(default_factory=list)
    #: text with word fixes applied (what readers see and what exports quote)
    text: str = ""
    _starts: list[int] = field(default_factory=list, repr=False)
    _deltas: list[int] = field(default_factory=list, repr=False)

    def apply_fixes(self, fixes: list[Fix]) -> None:
        """Keep non-overlapping fixes (the latest wins) and compute the displayed text."""
        chosen: list[Fix] = []
        for f in sorted(fixes, key=lambda f: f.at, reverse=True):
            if all(f.end_char <= c.start_char or f.start_char >= c.end_char for c in chosen):
                chosen.append(f)
        chosen.sort(key=lambda f: f.start_char)
        self.fixes = chosen
        parts, pos, delta = [], 0, 0
        self._starts, self._deltas = [], []
        for f in chosen:
            parts.append(self.original_text[pos : f.start_char])
            parts.append(f.new)
            pos = f.end_char
            delta += len(f.new) - (f.end_char - f.start_char)
            self._starts.append(f.end_char)
            self._deltas.append(delta)
        parts.append(self.original_text[pos:])
        self.text = "".join(parts)

    def map_char(self, pos: int, *, end: bool = False) -> int:
        """Map an offset in the original text to the displayed text.

        Offsets inside a fixed word snap to the fix's start (for a span start) or its end
        (for a span end), so a tag never cuts a corrected word in half.
        """
        for f in self.fixes:
            if f.start_char < pos < f.end_char:
                pos = f.end_char if end else f.start_char
                break
        i = bisect.bisect_right(self._starts, pos) - 1
        return pos + (self._deltas[i] if i >= 0 else 0)

    def display(self, start_char: int, end_char: int) -> str:
        return self.text[self.map_char(start_char) : self.map_char(end_char, end=True)]


@dataclass
class TagView(Tag):
    """A tag as the reviewer sees it: the annotator's fields (``text`` is the quote with word
    fixes applied) plus the review state."""

    #: "auto" (from the annotator) or "user" (added in review)
    origin: str = "auto"
    status: str = "pending"
    #: label/value before a human edit (None when not edited)
    original_label: str | None = None
    original_value: str | None = None
    note: str | None = None
    #: who made the latest decision on this tag, and when
    who: str | None = None
    at: str | None = None

    @property
    def edited(self) -> bool:
        return self.original_label is not None

    @property
    def visible(self) -> bool:
        return self.status != "rejected"


@dataclass
class SpeakerView:
    id: str
    label: str
    role: str | None
    original_label: str


@dataclass
class CoverageView:
    item: str
    kind: str
    label: str
    covered: bool
    mentions: int
    first_mention: float | None
    #: seconds at which the interviewer ticked it live in `journeytape record` (None: not)
    ticked_live: float | None = None


@dataclass
class InterviewSummary:
    id: int
    name: str
    status: str  # "transcribed" | "annotated" | "in review" | "reviewed"
    language: str | None
    duration: float | None
    n_tags: int
    n_decided: int
    covered: int
    checklist: int
    audio_path: str | None
    stale: bool = False
    #: speaker names (after renames), for the list's filter
    speakers: list[str] = field(default_factory=list)
    #: checklist item ids this interview covers (after review), for the study summary
    covered_items: list[str] = field(default_factory=list)


@dataclass
class InterviewView:
    id: int
    name: str
    language: str | None
    duration: float | None
    audio_path: str | None
    annotated: bool
    #: the annotations were made from another version of the transcript (re-annotate)
    stale: bool
    pipeline: dict[str, Any] | None
    segments: list[SegmentView]
    tags: list[TagView]
    speakers: dict[str, SpeakerView]
    coverage: list[CoverageView]
    orphans: list[dict[str, Any]]
    #: the interviewee's consent excludes quotes in reports: exports withhold them
    quotes_withheld: bool = False
    #: markers set live in `journeytape record` ({"t", "label"}), from the transcript (1.1)
    markers: list[dict[str, Any]] = field(default_factory=list)

    def speaker_label(self, speaker_id: str | None) -> str:
        if speaker_id is None:
            return "?"
        s = self.speakers.get(speaker_id)
        return s.label if s else speaker_id

    def segment(self, seg_id: int) -> SegmentView:
        for s in self.segments:
            if s.id == seg_id:
                return s
        raise WorkspaceError(f"interview {self.name!r} has no segment {seg_id}")

    def value_label(self, t: TagView) -> str:
        """What a person reads for a tag's value: the checklist item's name for CHANNEL and
        TOUCHPOINT ("laptop delivered", not ``laptop_delivered``), else the value."""
        if t.label in ("CHANNEL", "TOUCHPOINT"):
            for c in self.coverage:
                if c.item == t.value:
                    return c.label
        return t.value or ""

    def checklist_choices(self, kind: str) -> list[tuple[str, str]]:
        """(id, name) of the guide's checklist items of ``kind`` ("channel"/"touchpoint")."""
        return [(c.item, c.label) for c in self.coverage if c.kind == kind]

    def tags_by_segment(self) -> dict[int, list[TagView]]:
        out: dict[int, list[TagView]] = {}
        for t in self.tags:
            out.setdefault(t.segment_id, []).append(t)
        return out


@dataclass
class ScanReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: decisions whose tag or word is gone after a re-index: {"interview", "kind", "target", ...}
    orphans: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Hit:
    interview_id: int
    interview: str
    segment_id: int
    start: float
    end: float
    speaker: str
    #: list of (text, matched) pieces: the caller escapes the text (never trust it as HTML)
    pieces: list[tuple[str, bool]]
    tags: list[TagView]
    #: what a person reads for each tag's value (checklist names), in the order of ``tags``
    names: list[str] = field(default_factory=list)


class Hits(list):
    """Search hits; ``truncated`` says the search stopped at its limit (more exist)."""

    truncated: bool = False
    limit: int = 0
