"""One journey across all interviews of a study, built from the reviewed tags.

The map reads the review workspace (:class:`~journeytape.review.store.Workspace`), so
every human decision is applied exactly as the review app and the exports apply it: rejected
tags are left out, edits and added tags are used, tags nobody looked at yet are kept but marked
``unreviewed``. Nothing here writes back; nothing upstream reads the map.

How the pieces are derived (the JSON schema ``journey-map.schema.json`` documents the fields):

- **Touchpoints in lived order.** In each interview the touchpoints are ranked by their first
  mention and the rank is scaled to 0..1 (first..last); a touchpoint's place on the map is the
  median of that across the interviews that mention it. Talking order is the best evidence of
  living order an interview gives, and the median keeps one respondent who told the story
  backwards from reordering everyone's journey.
- **Channels at a touchpoint**: channel mentions in the same turn as a mention of it, or in the
  turn before (the question that led to it) or after.
- **Emotion points**: each respondent emotion (0..10 = 5 + 5 × polarity, negation already in
  the polarity) and each grade given for a moment (its 0..10 score) is placed at the touchpoint
  mentioned nearest to it in that interview.
- **Pain points**: touchpoints whose median emotion is below neutral, and unmet expectations
  (expected vs actual, durations parsed by the annotator).
- **Moments of truth**: the peaks respondents named (high and low), at the touchpoint the peak
  is about.

Where each part is built: :mod:`.interviews` (one interview's tags, indexed),
:mod:`.touchpoints` (touchpoints, channels, stages, coverage), :mod:`.emotions` (emotion points,
the curve, the scores), :mod:`.findings` (pain points, moments of truth) and :mod:`.evidence`
(evidence objects, quotes and their withholding). This module puts them together and owns the
contract (schema, version, validation).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journeytape import __version__, contracts
from journeytape.guide import Guide
from journeytape.review.exports import load_views
from journeytape.review.store import InterviewView, Workspace

from .emotions import curve, emotion_per_touchpoint, emotion_points_of, scores_of
from .evidence import evidence, review_state, withhold_quotes
from .findings import moments_of_truth, pain_points
from .interviews import Interview
from .touchpoints import coverage, lived_touchpoints, stages_of

__all__ = ["JourneyMapError", "build", "evidence", "load_map", "validate", "withhold_quotes"]

SCHEMA_VERSION = "1.0"
SCHEMA_MAJOR = 1
KIND = "journeytape.journey_map"


class JourneyMapError(ValueError):
    """A journey map that does not match its schema, or a study that cannot be mapped."""


# -- the study --------------------------------------------------------------------------------


def build(
    ws: Workspace,
    guide: Guide,
    names: list[str] | None = None,
    views: list[InterviewView] | None = None,
) -> dict[str, Any]:
    """The journey map (a dict that validates against ``journey-map.schema.json``);
    ``views`` saves re-reading the workspace when the caller has them already."""
    views = [v for v in (views if views is not None else load_views(ws, names)) if v.annotated]
    if not views:
        raise JourneyMapError(f"{ws.folder}: no annotated interviews to map")
    lang = _main_language(views, guide)
    tp_ids = {it.id for it in guide.touchpoints}
    ivs = [Interview(v, tp_ids) for v in views]

    touchpoints = lived_touchpoints(ivs, guide, lang)
    stages = stages_of(touchpoints, guide, lang)  # may regroup touchpoints by stage
    order = {tp["id"]: i for i, tp in enumerate(touchpoints)}
    emotion_points = emotion_points_of(ivs, order)
    emotion_per_touchpoint(touchpoints, emotion_points)
    scores = scores_of(ivs)
    out = {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "journey": guide.journey,
        "language": lang,
        "guide": {"path": guide.path, "sha256": guide.sha256},
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "journeytape_version": __version__,
        "interviews": [_interview_entry(iv) for iv in ivs],
        "review": _review_counts(ivs),
        "stages": stages,
        "touchpoints": touchpoints,
        "emotion_points": emotion_points,
        "emotion_curve": curve(touchpoints, emotion_points, [iv.view.name for iv in ivs]),
        "scores": scores,
        "pain_points": pain_points(ivs, touchpoints, emotion_points, order),
        "moments_of_truth": moments_of_truth(ivs, order, touchpoints),
        "coverage": coverage(ivs, guide, lang),
        "warnings": _warnings(ws, ivs, guide),
    }
    withhold_quotes(out, {v.name for v in views if v.quotes_withheld})
    validate(out)
    return out


def _warnings(ws: Workspace, ivs: list[Interview], guide: Guide) -> list[str]:
    """Things a reader of the map must know: interviews tagged with another guide (their
    checklist ids may not match) or from an older transcript."""
    out = []
    other = []
    for iv in ivs:
        row = ws.conn.execute(
            "SELECT annotations_path FROM interviews WHERE name = ?", (iv.view.name,)
        ).fetchone()
        try:
            d = json.loads(Path(row["annotations_path"]).read_text("utf-8"))
            sha = d["guide"]["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if guide.sha256 and sha != guide.sha256:
            other.append(iv.view.name)
        if iv.view.stale:
            out.append(f"{iv.view.name}: annotated from an older transcript (re-annotate)")
    if other:
        out.insert(
            0,
            f"{len(other)} interview(s) were annotated with another version of the "
            f"guide ({', '.join(other[:5])}{'…' if len(other) > 5 else ''}); "
            "re-annotate them with this guide if its checklist changed",
        )
    return out


def _main_language(views: list[InterviewView], guide: Guide) -> str:
    """Labels come in the study's most common language (the guide's first as a tie-break)."""
    counts = Counter(v.language for v in views if v.language)
    if not counts:
        return guide.languages[0]
    best = max(counts.values())
    for lang in guide.languages:
        if counts.get(lang) == best:
            return lang
    return counts.most_common(1)[0][0]


def _interview_entry(iv: Interview) -> dict[str, Any]:
    v = iv.view
    return {
        "name": v.name,
        "language": v.language,
        "duration": round(v.duration or 0.0, 2),
        "tags": len(iv.tags),
        "reviewed": sum(1 for t in iv.tags if review_state(t) != "unreviewed"),
        "stale": v.stale,
    }


def _review_counts(ivs: list[Interview]) -> dict[str, int]:
    c: Counter[str] = Counter()
    for iv in ivs:
        c.update(review_state(t) for t in iv.tags)
        c["rejected"] += sum(1 for t in iv.view.tags if t.status == "rejected")
    return {k: c.get(k, 0) for k in ("accepted", "edited", "added", "unreviewed", "rejected")}


# -- the contract -----------------------------------------------------------------------------


def schema() -> dict[str, Any]:
    return contracts.load_schema("journeytape.map", "journey-map.schema.json")


def validate(d: dict[str, Any]) -> None:
    contracts.validate(d, schema(), error=JourneyMapError, noun="journey map")


def load_map(path: str | Path) -> dict[str, Any]:
    d = contracts.read_json(path, error=JourneyMapError)
    contracts.check_version(
        d,
        kind=KIND,
        major=SCHEMA_MAJOR,
        error=JourneyMapError,
        noun="journey map",
        fix="re-run `journeytape map`",
    )
    validate(d)
    return d
