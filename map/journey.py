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
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journeytape import __version__, contracts
from journeytape.erasure import QUOTES_WITHHELD
from journeytape.guide import Guide
from journeytape.review.exports import load_views, polarity, score, selected_tags, turns
from journeytape.review.store import InterviewView, TagView, Workspace

SCHEMA_VERSION = "1.0"
SCHEMA_MAJOR = 1
KIND = "journeytape.journey_map"
NEUTRAL = 5.0
#: quotes kept per touchpoint / pain point / moment: enough to choose from, short to read
MAX_QUOTES = 3
QUOTE_CHARS = 240


class JourneyMapError(ValueError):
    """A journey map that does not match its schema, or a study that cannot be mapped."""


# -- evidence -------------------------------------------------------------------------------


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


def _strength(e: dict[str, Any]) -> tuple:
    """Order quotes: vouched for by a person first, then the strongest feeling, then earliest."""
    rank = {"added": 0, "edited": 0, "accepted": 0, "unreviewed": 1}
    return (
        rank.get(e["evidence"]["review"], 1),
        -abs(e.get("value", NEUTRAL) - NEUTRAL),
        e["evidence"]["interview"],
        e["evidence"]["start"],
    )


# -- per interview ----------------------------------------------------------------------------


@dataclass
class _Mention:
    item: str
    tag: TagView
    turn: int


def _respondent(view: InterviewView, t: TagView) -> bool:
    """Feelings and grades count only when the respondent said them (codebook); a transcript
    without roles (one speaker found) is taken as the respondent's."""
    roles = {s.role for s in view.speakers.values() if s.role}
    return t.role == "respondent" or (t.role is None and "respondent" not in roles)


#: how many turns away a touchpoint mention may be and still be what a feeling is about
NEAR_TURNS = 3


def _nearest(mentions: list[_Mention], t: TagView, turn_of: dict[int, int]) -> _Mention | None:
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


def _emotion_value(t: TagView) -> float | None:
    p = polarity(t)
    if p is not None:
        return round(max(0.0, min(10.0, NEUTRAL + 5.0 * p)), 2)
    if t.label == "SCORE" and t.attrs.get("scope") == "moment":
        return score(t)
    return None


class _Interview:
    """One interview's reviewed tags, indexed for the study-level passes."""

    def __init__(self, view: InterviewView, touchpoint_ids: set[str]) -> None:
        self.view = view
        self.tags = selected_tags(view, include_pending=True)
        self.turn_of = turns(view)
        self.mentions = [
            _Mention(t.value, t, self.turn_of.get(t.segment_id, 0))
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
    ivs = [_Interview(v, tp_ids) for v in views]

    touchpoints = _touchpoints(ivs, guide, lang)
    stages = _stages(touchpoints, guide, lang)  # may regroup touchpoints by stage
    order = {tp["id"]: i for i, tp in enumerate(touchpoints)}
    emotion_points = _emotion_points(ivs, order)
    _emotion_per_touchpoint(touchpoints, emotion_points)
    scores = _scores(ivs)
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
        "emotion_curve": _curve(touchpoints, emotion_points, [iv.view.name for iv in ivs]),
        "scores": scores,
        "pain_points": _pain_points(ivs, touchpoints, emotion_points, order),
        "moments_of_truth": _moments(ivs, order, touchpoints),
        "coverage": _coverage(ivs, guide, lang),
        "warnings": _warnings(ws, ivs, guide),
    }
    withhold_quotes(out, {v.name for v in views if v.quotes_withheld})
    validate(out)
    return out


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


def _warnings(ws: Workspace, ivs: list[_Interview], guide: Guide) -> list[str]:
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


def _interview_entry(iv: _Interview) -> dict[str, Any]:
    v = iv.view
    return {
        "name": v.name,
        "language": v.language,
        "duration": round(v.duration or 0.0, 2),
        "tags": len(iv.tags),
        "reviewed": sum(1 for t in iv.tags if review_state(t) != "unreviewed"),
        "stale": v.stale,
    }


def _review_counts(ivs: list[_Interview]) -> dict[str, int]:
    c: Counter[str] = Counter()
    for iv in ivs:
        c.update(review_state(t) for t in iv.tags)
        c["rejected"] += sum(1 for t in iv.view.tags if t.status == "rejected")
    return {k: c.get(k, 0) for k in ("accepted", "edited", "added", "unreviewed", "rejected")}


def _touchpoints(ivs: list[_Interview], guide: Guide, lang: str) -> list[dict[str, Any]]:
    out = []
    for item in guide.touchpoints:
        who = [iv for iv in ivs if item.id in iv.position]
        if not who:
            continue
        channels: Counter[str] = Counter()
        channel_resp: dict[str, set[str]] = defaultdict(set)
        mentions = []
        for iv in who:
            turns_here = {m.turn for m in iv.mentions if m.item == item.id}
            near = {t + d for t in turns_here for d in (-1, 0, 1)}
            for t in iv.tags:
                if t.label == "CHANNEL" and iv.turn_of.get(t.segment_id) in near and t.value:
                    channels[t.value] += 1
                    channel_resp[t.value].add(iv.view.name)
            mentions += [evidence(iv.view, m.tag) for m in iv.mentions if m.item == item.id]
        out.append(
            {
                "id": item.id,
                "label": item.label(lang),
                "position": round(statistics.median(iv.position[item.id] for iv in who), 3),
                "respondents": len(who),
                "interviews": [iv.view.name for iv in who],
                "channels": [
                    {
                        "id": ch,
                        "label": _label(guide, ch, lang),
                        "mentions": n,
                        "respondents": len(channel_resp[ch]),
                    }
                    for ch, n in sorted(channels.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
                "evidence": mentions,
            }
        )
    out.sort(key=lambda tp: (tp["position"], -tp["respondents"], tp["id"]))
    return out


def _label(guide: Guide, item_id: str, lang: str) -> str:
    try:
        return guide.item(item_id).label(lang)
    except KeyError:
        return item_id


def _stages(touchpoints: list[dict[str, Any]], guide: Guide, lang: str) -> list[dict[str, Any]]:
    """The guide's named stages when it has them (touchpoints it does not place form an
    "Other" stage), else one stage per touchpoint. Stages are ordered by the median place of
    their touchpoints and ``touchpoints`` is reordered so each stage's members sit side by
    side, in lived order within the stage."""
    if not guide.stages:
        return [
            {"id": tp["id"], "label": tp["label"], "touchpoints": [tp["id"]]} for tp in touchpoints
        ]
    pos = {tp["id"]: tp["position"] for tp in touchpoints}
    out = []
    placed: set[str] = set()
    for st in guide.stages:
        ids = sorted((i for i in st.items if i in pos), key=lambda i: (pos[i], i))
        placed.update(ids)
        if ids:
            out.append({"id": st.id, "label": st.label(lang), "touchpoints": ids})
    for tp in touchpoints:  # unplaced touchpoints stand alone, where they were lived
        if tp["id"] not in placed:
            out.append({"id": tp["id"], "label": tp["label"], "touchpoints": [tp["id"]]})
    out.sort(key=lambda s: statistics.median(pos[i] for i in s["touchpoints"]))
    rank = {i: k for k, i in enumerate(i for s in out for i in s["touchpoints"])}
    touchpoints.sort(key=lambda tp: rank[tp["id"]])
    return out


def _emotion_points(ivs: list[_Interview], order: dict[str, int]) -> list[dict[str, Any]]:
    points = []
    for iv in ivs:
        for t in iv.tags:
            if t.label not in ("EMOTION", "SCORE") or not _respondent(iv.view, t):
                continue
            value = _emotion_value(t)
            if value is None:
                continue
            near = _nearest([m for m in iv.mentions if m.item in order], t, iv.turn_of)
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


def _emotion_per_touchpoint(touchpoints: list[dict[str, Any]], points: list[dict[str, Any]]):
    for tp in touchpoints:
        vals = [p["value"] for p in points if p["touchpoint"] == tp["id"]]
        tp["emotion"] = _spread(vals)


def _spread(vals: list[float]) -> dict[str, Any] | None:
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


def _curve(
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
        s = _spread(vals)
        if s:
            median.append({"touchpoint": tp["id"], **s})
    return {"respondents": per, "median": median}


def _scores(ivs: list[_Interview]) -> dict[str, Any]:
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
            and _respondent(iv.view, t)
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
        if t.label == "EMOTION" and _respondent(iv.view, t) and (p := polarity(t)) is not None
    ]
    return {
        "overall": overall,
        "overall_summary": _spread(vals),
        "positive_moments": sum(1 for p in emos if p > 0.05),
        "negative_moments": sum(1 for p in emos if p < -0.05),
    }


def _pain_points(ivs, touchpoints, points, order) -> list[dict[str, Any]]:
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
            if not _respondent(iv.view, t):
                continue
            near = _nearest(iv.mentions, t, iv.turn_of)
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


def _moments(ivs, order, touchpoints) -> list[dict[str, Any]]:
    labels = {tp["id"]: tp["label"] for tp in touchpoints}
    out = []
    for iv in ivs:
        for t in iv.tags:
            if t.label != "PEAK" or not _respondent(iv.view, t):
                continue
            about = [a for a in (t.attrs.get("about") or []) if a in order]
            if not about:
                near = _nearest(iv.mentions, t, iv.turn_of)
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


def _coverage(ivs: list[_Interview], guide: Guide, lang: str) -> dict[str, Any]:
    """Interviews × checklist items, from the reviewed tags (a rejected mention does not
    cover an item; an added one does)."""
    rows = []
    for iv in ivs:
        counts: Counter[str] = Counter(
            t.value for t in iv.tags if t.label in ("CHANNEL", "TOUCHPOINT")
        )
        rows.append(
            {
                "interview": iv.view.name,
                "mentions": {i.id: counts.get(i.id, 0) for i in guide.checklist},
            }
        )
    items = [{"id": i.id, "kind": i.kind, "label": i.label(lang)} for i in guide.checklist]
    never = [i["id"] for i in items if all(r["mentions"][i["id"]] == 0 for r in rows)]
    return {"items": items, "rows": rows, "never_discussed": never}


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
