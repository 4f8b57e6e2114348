"""Who said which word: merge Whisper's words with diarization turns.

Whisper segments follow pauses and sentence shape, not speakers: a short "yes" from the
respondent is often glued to the interviewer's question (noScribe #152, WhisperX #56). So
speakers are assigned per *word* (the turn it overlaps most, the nearest turn if none) and
segments are split wherever the speaker changes. Words spoken while someone else talks too are
marked ``overlap``. Pure Python: no models, so it is cheap to test and to re-run.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Any

from journeytape.transcribe.transcript import Segment, Speaker, SpeakerTurn, Transcript, Word

#: a word counts as overlapped speech when at least this share of it is
OVERLAP_SHARE = 0.3


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    speaker: str

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass
class Diarization:
    """Who spoke when, however it was found (clustering or one voice per channel)."""

    #: speech turns; turns of different speakers may overlap
    turns: list[Turn]
    #: the same with at most one speaker at any time (used to attribute words)
    exclusive: list[Turn]
    #: "pyannote" | "stereo-channels" | "none"
    method: str
    #: speaker id -> embedding (numpy array), for role assignment by voice
    embeddings: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def speakers(self) -> list[str]:
        """Speaker ids in order of first speech."""
        seen: dict[str, float] = {}
        for t in self.turns:
            seen[t.speaker] = min(seen.get(t.speaker, t.start), t.start)
        return sorted(seen, key=lambda s: (seen[s], s))

    def talk_time(self) -> dict[str, float]:
        """Seconds each speaker is heard: from the exclusive turns when there are any, since
        ``turns`` hold the floor through pauses (``turns.smooth_turns``)."""
        out: dict[str, float] = {}
        for t in self.exclusive or self.turns:
            out[t.speaker] = out.get(t.speaker, 0.0) + t.duration
        return out

    def relabel_by_first_speech(self, prefix: str = "SPEAKER_") -> Diarization:
        """Rename speakers SPEAKER_00, SPEAKER_01, ... in order of first speech, so that the
        ids read naturally (clusterers number speakers arbitrarily)."""
        mapping = {s: f"{prefix}{i:02d}" for i, s in enumerate(self.speakers)}

        def ren(turns: list[Turn]) -> list[Turn]:
            return [Turn(t.start, t.end, mapping[t.speaker]) for t in turns if t.speaker in mapping]

        return replace(
            self,
            turns=ren(self.turns),
            exclusive=ren(self.exclusive),
            embeddings={mapping[k]: v for k, v in self.embeddings.items() if k in mapping},
            details={**self.details, "relabelled": mapping},
        )


class _Index:
    """Turns sorted by start for fast overlap queries (recordings can have thousands)."""

    def __init__(self, turns: list[Turn]):
        self.turns = sorted(turns, key=lambda t: (t.start, t.end))
        self.starts = [t.start for t in self.turns]
        longest = max((t.duration for t in self.turns), default=0.0)
        self.longest = longest

    def overlapping(self, start: float, end: float) -> list[Turn]:
        lo = bisect.bisect_left(self.starts, start - self.longest)
        hi = bisect.bisect_right(self.starts, end)
        return [t for t in self.turns[lo:hi] if t.end > start and t.start < end]

    def nearest(self, start: float, end: float) -> Turn | None:
        if not self.turns:
            return None
        mid = 0.5 * (start + end)
        i = bisect.bisect_left(self.starts, mid)
        candidates = self.turns[max(0, i - 50) : i + 2]  # a turn ending just before mid
        return min(candidates, key=lambda t: max(t.start - mid, mid - t.end, 0.0))


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def speaker_for_span(index: _Index, start: float, end: float) -> str | None:
    """The speaker who talks most during [start, end]; the nearest turn's if nobody does."""
    if end <= start:
        end = start + 0.01
    totals: dict[str, float] = {}
    for t in index.overlapping(start, end):
        totals[t.speaker] = totals.get(t.speaker, 0.0) + _overlap(start, end, t.start, t.end)
    if totals:
        return max(sorted(totals), key=totals.__getitem__)
    near = index.nearest(start, end)
    return near.speaker if near else None


def overlap_regions(turns: list[Turn]) -> list[tuple[float, float]]:
    """Time spans where two or more different speakers talk at once (sweep over edges)."""
    events: list[tuple[float, int, str]] = []
    for t in turns:
        if t.duration > 0:
            events.append((t.start, 1, t.speaker))
            events.append((t.end, -1, t.speaker))
    events.sort(key=lambda e: (e[0], e[1]))
    active: dict[str, int] = {}
    out: list[tuple[float, float]] = []
    start: float | None = None
    for time, delta, spk in events:
        active[spk] = active.get(spk, 0) + delta
        if active[spk] == 0:
            del active[spk]
        if len(active) >= 2 and start is None:
            start = time
        elif len(active) < 2 and start is not None:
            if time > start:
                out.append((start, time))
            start = None
    return out


def _overlapped(regions: list[tuple[float, float]], starts: list[float], w: Word) -> bool:
    dur = max(w.end - w.start, 0.01)
    i = bisect.bisect_right(starts, w.end)
    covered = sum(_overlap(w.start, w.end, a, b) for a, b in regions[max(0, i - 3) : i])
    return covered >= OVERLAP_SHARE * dur


def _text(words: list[Word]) -> str:
    return "".join(w.word for w in words).strip()


def split_segment(seg: Segment) -> list[Segment]:
    """Split a segment whose words (already attributed) change speaker; keeps the text of
    each part as the concatenation of its words (Whisper's words carry their spaces)."""
    if not seg.words:
        return [seg]
    groups: list[list[Word]] = [[seg.words[0]]]
    for w in seg.words[1:]:
        if w.speaker == groups[-1][-1].speaker:
            groups[-1].append(w)
        else:
            groups.append([w])
    if len(groups) == 1:
        return [replace(seg, speaker=groups[0][0].speaker)]
    parts = []
    for k, g in enumerate(groups):
        parts.append(
            replace(
                seg,
                start=seg.start if k == 0 else g[0].start,
                end=seg.end if k == len(groups) - 1 else g[-1].end,
                text=_text(g),
                speaker=g[0].speaker,
                words=g,
            )
        )
    return parts


def assign_speakers(transcript: Transcript, diarization: Diarization) -> Transcript:
    """Attribute every word and segment to a speaker, split segments at speaker changes and
    list the speakers with their talk time, and keep diarization's turns (``turns``: the
    exact who-spoke-when, also where Whisper heard no words). Returns a new transcript."""
    exclusive = _Index(diarization.exclusive or diarization.turns)
    regions = overlap_regions(diarization.turns)
    region_starts = [a for a, _ in regions]
    segments: list[Segment] = []
    for seg in transcript.segments:
        if seg.words:
            words = [
                replace(
                    w,
                    speaker=speaker_for_span(exclusive, w.start, w.end),
                    overlap=_overlapped(regions, region_starts, w),
                )
                for w in seg.words
            ]
            segments.extend(split_segment(replace(seg, words=words)))
        else:
            segments.append(replace(seg, speaker=speaker_for_span(exclusive, seg.start, seg.end)))
    for i, seg in enumerate(segments):
        seg.id = i
    talk = diarization.talk_time()
    speakers = [
        Speaker(id=s, label=s, talk_time=round(talk.get(s, 0.0), 3)) for s in diarization.speakers
    ]
    turns = [
        SpeakerTurn(t.start, t.end, t.speaker)
        for t in sorted(diarization.turns, key=lambda t: (t.start, t.end, t.speaker))
    ]
    return replace(transcript, segments=segments, speakers=speakers, turns=turns)
