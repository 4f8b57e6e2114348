"""What the interviewer marked live in ``journeytape record``, used as evidence in annotation.

The transcript (schema 1.1) carries the session's ``markers`` and checklist ``ticks``:

- a tick is coverage evidence: the item counts as covered and says "ticked live" even when
  the speech never names it (the interviewer heard it; the model may have missed it);
- a marker labelled like a peak ("peak moment", "low point", "dieptepunt", "Höhepunkt"…)
  becomes a PEAK candidate on the speech where it was pressed (or, when the rules already
  found a PEAK there, that tag notes that it was marked live).
"""

from __future__ import annotations

import re
from typing import Any

from journeytape.annotate.annotations import CoverageItem, Tag, tag_id

#: a marker label that names a peak, and which way when it says so (EN/NL/DE)
PEAK_LABEL = re.compile(
    r"peak|high ?point|low ?point|highlight|best|worst|hoogtepunt|dieptepunt|piek|"
    r"h(ö|oe)hepunkt|tiefpunkt|\bpiek\b",
    re.IGNORECASE,
)
LOW = re.compile(r"low|worst|bad|dieptepunt|slecht|tiefpunkt|schlecht", re.IGNORECASE)
HIGH = re.compile(r"high|best|good|hoogtepunt|h(ö|oe)hepunkt|goed|gut\b", re.IGNORECASE)
RULE = "session-marker:peak"
#: a marker is pressed just after the moment: look this far back for the speech it marks
LOOKBACK = 30.0


def is_peak_label(label: str) -> bool:
    return bool(label and PEAK_LABEL.search(label))


def _direction(label: str, emotions: list[Tag]) -> str | None:
    if LOW.search(label):
        return "low"
    if HIGH.search(label):
        return "high"
    pol = sum(float(t.attrs.get("polarity", 0.0)) for t in emotions)
    return None if pol == 0 else ("low" if pol < 0 else "high")


def _segment_at(transcript: Any, t: float):
    """The segment the marker points at: the one spoken at ``t``, else the last one that
    started within LOOKBACK seconds before it, preferring the respondent's."""
    segs = [s for s in transcript.segments if s.text.strip()]
    for s in segs:
        if s.start <= t <= s.end:
            return s
    before = [s for s in segs if t - LOOKBACK <= s.start <= t]
    return before[-1] if before else None


def marker_peaks(transcript: Any, tags: list[Tag], roles: dict[str, str | None]) -> list[Tag]:
    """PEAK candidates from peak-like markers; marks existing PEAK tags as marked live."""
    out: list[Tag] = []
    for m in getattr(transcript, "markers", None) or []:
        label = str(m.get("label") or "")
        if not is_peak_label(label):
            continue
        seg = _segment_at(transcript, float(m["t"]))
        if seg is None:
            continue
        marker = {"t": m["t"], "label": label}
        existing = [t for t in tags + out if t.label == "PEAK" and t.segment_id == seg.id]
        if existing:
            for t in existing:
                t.attrs.setdefault("marked_live", marker)
            continue
        emotions = [t for t in tags if t.label == "EMOTION" and t.segment_id == seg.id]
        value = _direction(label, emotions)
        text = seg.text
        start_char = len(text) - len(text.lstrip())
        end_char = len(text.rstrip())
        out.append(
            Tag(
                id=tag_id("PEAK", seg.id, start_char, end_char, value),
                label="PEAK",
                value=value,
                segment_id=seg.id,
                start_char=start_char,
                end_char=end_char,
                text=text[start_char:end_char],
                start=round(seg.start, 3),
                end=round(seg.end, 3),
                speaker=seg.speaker,
                role=roles.get(seg.speaker) if seg.speaker else None,
                rule=RULE,
                confidence=0.6,
                attrs={"marked_live": marker, "candidate": True},
            )
        )
    return out


def apply_ticks(coverage: list[CoverageItem], ticks: list[dict[str, Any]] | None) -> None:
    """A checklist item ticked live counts as covered, with the time it was ticked."""
    when = {}
    for t in ticks or []:
        when.setdefault(t.get("item"), float(t["t"]))
    for c in coverage:
        if c.item in when:
            c.ticked_live = round(when[c.item], 3)
            c.covered = True
