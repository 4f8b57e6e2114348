"""The emotion curve: feelings and grades on one 0..10 axis, placed at touchpoints.

Each respondent emotion becomes 5 + 5 × polarity (negation already in the polarity) and each
grade given for a moment its 0..10 score; a point belongs to the touchpoint mentioned nearest
to it. Per respondent the mean per touchpoint is their line; across respondents the median and
quartiles of those means make the curve (one respondent, one vote per touchpoint).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from journeytape.review.exports import polarity, score
from journeytape.review.store import TagView

from .evidence import evidence
from .interviews import Interview, nearest_mention, respondent_said

#: the middle of the 0..10 feeling scale: below it is a bad moment
NEUTRAL = 5.0


def emotion_value(t: TagView) -> float | None:
    """A feeling on 0..10 (5 + 5 × polarity), or a grade for a moment; None for anything else
    (an overall grade is about the journey, not a moment on it)."""
    p = polarity(t)
    if p is not None:
        return round(max(0.0, min(10.0, NEUTRAL + 5.0 * p)), 2)
    if t.label == "SCORE" and t.attrs.get("scope") == "moment":
        return score(t)
    return None


def emotion_points_of(ivs: list[Interview], order: dict[str, int]) -> list[dict[str, Any]]:
    """Every respondent feeling and moment grade, at its nearest touchpoint (or none)."""
    points = []
    for iv in ivs:
        for t in iv.tags:
            if t.label not in ("EMOTION", "SCORE") or not respondent_said(iv.view, t):
                continue
            value = emotion_value(t)
            if value is None:
                continue
            near = nearest_mention([m for m in iv.mentions if m.item in order], t, iv.turn_of)
            points.append(
                {
                    "interview": iv.view.name,
                    "touchpoint": near.item if near else None,
                    "source": "grade" if t.label == "SCORE" else "emotion",
                    "value": value,
                    "label": str(t.attrs.get("emotion") or t.value or t.text),
                    "negated": bool(t.attrs.get("negated", False)),
                    **({"intensity": t.attrs["intensity"]} if "intensity" in t.attrs else {}),
                    "evidence": evidence(iv.view, t),
                }
            )
    return points


def emotion_per_touchpoint(touchpoints: list[dict[str, Any]], points: list[dict[str, Any]]) -> None:
    """Set each touchpoint's ``emotion`` to the spread of the points placed at it."""
    for tp in touchpoints:
        vals = [p["value"] for p in points if p["touchpoint"] == tp["id"]]
        tp["emotion"] = spread(vals)


def spread(vals: list[float]) -> dict[str, Any] | None:
    """Median, quartiles, range and count (inclusive quartiles: small samples stay in range)."""
    if not vals:
        return None
    q = statistics.quantiles(vals, n=4, method="inclusive") if len(vals) > 1 else [vals[0]] * 3
    return {
        "median": round(statistics.median(vals), 2),
        "q1": round(q[0], 2),
        "q3": round(q[2], 2),
        "min": round(min(vals), 2),
        "max": round(max(vals), 2),
        "n": len(vals),
    }


def curve(
    touchpoints: list[dict[str, Any]], points: list[dict[str, Any]], names: list[str]
) -> dict[str, Any]:
    """Per respondent the mean at each touchpoint (their line), and across respondents the
    median and quartiles of those means (one respondent, one vote per touchpoint)."""
    per: dict[str, list[dict[str, Any]]] = {}
    by: dict[tuple[str, str], list[float]] = defaultdict(list)
    for p in points:
        if p["touchpoint"] is not None:
            by[(p["interview"], p["touchpoint"])].append(p["value"])
    for name in names:
        line = [
            {"touchpoint": tp["id"], "value": round(statistics.fmean(by[(name, tp["id"])]), 2)}
            for tp in touchpoints
            if (name, tp["id"]) in by
        ]
        if line:
            per[name] = line
    median = []
    for tp in touchpoints:
        vals = [statistics.fmean(by[(n, tp["id"])]) for n in names if (n, tp["id"]) in by]
        s = spread(vals)
        if s:
            median.append({"touchpoint": tp["id"], **s})
    return {"respondents": per, "median": median}


def scores_of(ivs: list[Interview]) -> dict[str, Any]:
    """Overall grades (one per interview: the last one said, the codebook's 'final grade')
    and grades per moment; plus the count of positive and negative moments, because more good
    moments than bad ones does not make the overall experience good."""
    overall = []
    for iv in ivs:
        grades = [
            t
            for t in iv.tags
            if t.label == "SCORE"
            and t.attrs.get("scope", "overall") == "overall"
            and respondent_said(iv.view, t)
            and score(t) is not None
        ]
        if grades:
            t = grades[-1]
            overall.append(
                {
                    "interview": iv.view.name,
                    "value": score(t),
                    "raw": t.attrs.get("raw", t.text),
                    "evidence": evidence(iv.view, t),
                }
            )
    vals = [o["value"] for o in overall]
    emos = [
        p
        for iv in ivs
        for t in iv.tags
        if t.label == "EMOTION" and respondent_said(iv.view, t) and (p := polarity(t)) is not None
    ]
    return {
        "overall": overall,
        "overall_summary": spread(vals),
        "positive_moments": sum(1 for p in emos if p > 0.05),
        "negative_moments": sum(1 for p in emos if p < -0.05),
    }
