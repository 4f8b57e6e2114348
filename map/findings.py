"""What the map points at: pain points (worst first) and moments of truth (lows first).

Pain points are touchpoints whose median feeling is below neutral, plus unmet expectations
(expected vs actual, durations parsed by the annotator) at the touchpoint mentioned nearest;
moments of truth are the peaks respondents named, at the touchpoint the peak is about.
"""

from __future__ import annotations

from typing import Any

from journeytape.review.store import InterviewView, TagView

from .emotions import NEUTRAL
from .evidence import MAX_QUOTES, evidence
from .interviews import Interview, nearest_mention, respondent_said


def _strength(e: dict[str, Any]) -> tuple:
    """Order quotes: vouched for by a person first, then the strongest feeling, then earliest."""
    rank = {"added": 0, "edited": 0, "accepted": 0, "unreviewed": 1}
    return (
        rank.get(e["evidence"]["review"], 1),
        -abs(e.get("value", NEUTRAL) - NEUTRAL),
        e["evidence"]["interview"],
        e["evidence"]["start"],
    )


def pain_points(
    ivs: list[Interview],
    touchpoints: list[dict[str, Any]],
    points: list[dict[str, Any]],
    order: dict[str, int],
) -> list[dict[str, Any]]:
    """Touchpoints felt as bad (median below neutral) and unmet expectations, worst first."""
    pains: dict[str, dict[str, Any]] = {}
    for tp in touchpoints:
        e = tp.get("emotion")
        neg = [p for p in points if p["touchpoint"] == tp["id"] and p["value"] < NEUTRAL]
        if e and e["median"] < NEUTRAL and neg:
            pains[tp["id"]] = _pain(tp, "negative emotion", neg)
    for iv in ivs:
        for t in iv.tags:
            if t.label != "EXPECTATION" or t.attrs.get("met") is not False:
                continue
            if not respondent_said(iv.view, t):
                continue
            near = nearest_mention(iv.mentions, t, iv.turn_of)
            tp_id = near.item if near else None
            tp = next((x for x in touchpoints if x["id"] == tp_id), None)
            key = tp_id or "journey"
            if key not in pains:
                base = tp or {"id": None, "label": "The journey as a whole", "emotion": None}
                pains[key] = _pain(base, "unmet expectation", [])
            pains[key]["expectations"].append(_expectation(iv.view, t))
            if "unmet expectation" not in pains[key]["kinds"]:
                pains[key]["kinds"].append("unmet expectation")
    out = list(pains.values())
    for p in out:
        p["respondents"] = len(
            {q["interview"] for q in p["quotes"]}
            | {x["evidence"]["interview"] for x in p["expectations"]}
        )
        p["quotes"] = p["quotes"][:MAX_QUOTES]
        p["expectations"] = _best_expectations(p["expectations"])
    # the worst first: lowest median feeling, then most respondents
    out.sort(key=lambda p: ((p["emotion"] or {}).get("median", NEUTRAL), -p["respondents"]))
    return out


def _pain(tp: dict[str, Any], kind: str, neg: list[dict[str, Any]]) -> dict[str, Any]:
    neg = sorted(neg, key=_strength)
    seen: set[str] = set()
    quotes = []
    for p in neg:  # one quote per interview first: the map speaks for the study
        if p["interview"] not in seen:
            seen.add(p["interview"])
            quotes.append(p["evidence"])
    quotes += [p["evidence"] for p in neg if p["evidence"] not in quotes]
    return {
        "touchpoint": tp["id"],
        "label": tp["label"],
        "kinds": [kind],
        "emotion": tp.get("emotion"),
        "quotes": quotes,
        "expectations": [],
    }


def _expectation(view: InterviewView, t: TagView) -> dict[str, Any]:
    a = t.attrs
    return {
        "expected": a.get("expected"),
        "actual": a.get("actual"),
        "expected_seconds": a.get("expected_seconds"),
        "actual_seconds": a.get("actual_seconds"),
        "evidence": evidence(view, t),
    }


def _best_expectations(exps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One per interview and segment (the annotator may tag a sentence and its neighbour),
    the most complete (expected and actual) first."""
    seen, out = set(), []
    for e in sorted(exps, key=lambda e: (e["expected"] is None, e["actual"] is None)):
        key = (e["evidence"]["interview"], e["evidence"]["segment"])
        i, seg = key
        if {key, (i, seg - 1), (i, seg + 1)} & seen:
            continue
        seen.add(key)
        out.append(e)
    return out


def moments_of_truth(
    ivs: list[Interview], order: dict[str, int], touchpoints: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The peaks respondents named, at the touchpoint they are about (their own ``about``,
    else the nearest mention), lows first."""
    labels = {tp["id"]: tp["label"] for tp in touchpoints}
    out = []
    for iv in ivs:
        for t in iv.tags:
            if t.label != "PEAK" or not respondent_said(iv.view, t):
                continue
            about = [a for a in (t.attrs.get("about") or []) if a in order]
            if not about:
                near = nearest_mention(iv.mentions, t, iv.turn_of)
                about = [near.item] if near and near.item in order else []
            tp = about[0] if about else None
            out.append(
                {
                    "kind": "high" if t.value == "high" else "low",
                    "touchpoint": tp,
                    "label": labels.get(tp, "The journey"),
                    "moment": t.attrs.get("moment") or t.text,
                    "evidence": evidence(iv.view, t),
                }
            )
    out.sort(key=lambda m: (m["kind"] != "low", order.get(m["touchpoint"], 99)))
    return out
