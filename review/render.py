"""What the review pages show, computed in Python (pure, tested without a browser): a
segment's text as tagged spans, the emotion curve, the side bar's counts, the study summary.

The transcript page of a two-hour interview has ~50,000 word spans: they are built here,
not in a template loop (which took seconds).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from journeytape.annotate.annotations import LABELS
from journeytape.presentation import clock

from . import exports
from .store import InterviewSummary, InterviewView, SegmentView, TagView, Workspace

_SENTENCE_END = re.compile(r"[.?!…]['\")\]]*$")


@dataclass(slots=True)
class Piece:
    text: str
    s: int  # span in the segment's original text
    e: int
    t: float  # seconds: the word's start (or the segment's)
    te: float
    ss: float  # start of the sentence this piece belongs to
    word: int | None
    fixed: bool = False
    labels: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def sentence_starts(seg: SegmentView) -> list[float]:
    """For each word, the start time of the sentence it belongs to."""
    out, current, new = [], seg.start, True
    for w in seg.words:
        if new:
            current = w.start
        out.append(current)
        new = bool(_SENTENCE_END.search(w.word.strip()))
    return out


def pieces(seg: SegmentView, tags: list[TagView]) -> list[Piece]:
    """Split a segment into spans that share one word, one set of tags, one fix."""
    n = len(seg.original_text)
    visible = [t for t in tags if t.visible]
    bounds = {0, n}
    for w in seg.words:
        if w.start_char >= 0:
            bounds.update((w.start_char, w.end_char))
    for t in visible:
        bounds.update((max(0, min(n, t.start_char)), max(0, min(n, t.end_char))))
    for f in seg.fixes:
        bounds.update((f.start_char, f.end_char))
    # nothing may cut a corrected span
    if seg.fixes:
        bounds = {b for b in bounds if not any(f.start_char < b < f.end_char for f in seg.fixes)}
    cuts = sorted(bounds)
    ss = sentence_starts(seg)
    words = sorted((w for w in seg.words if w.start_char >= 0), key=lambda w: w.start_char)
    starts = [w.start_char for w in words]
    fix_at = {f.start_char: f for f in seg.fixes}
    out: list[Piece] = []
    for p, q in zip(cuts, cuts[1:], strict=False):
        fix = fix_at.get(p)
        text = fix.new if fix else seg.original_text[p:q]
        # the word holding offset p (words are located in order and do not overlap)
        k = bisect.bisect_right(starts, p) - 1
        word = words[k] if k >= 0 and p < words[k].end_char else None
        if word is None and fix is not None:
            word = next((w for w in words if w.start_char < q and w.end_char > p), None)
        covering = [t for t in visible if t.start_char <= p and t.end_char >= q] if visible else []
        ids = [t.id for t in covering]
        prev = out[-1] if out else None
        if (
            word is None
            and fix is None
            and prev is not None
            and not prev.fixed
            and prev.tags == ids
        ):
            # spaces and punctuation join the word before them: half the spans on a page
            prev.text += text
            prev.e = q
            continue
        out.append(
            Piece(
                text=text,
                s=p,
                e=q,
                t=word.start if word else (prev.te if prev else seg.start),
                te=word.end if word else (prev.te if prev else seg.start),
                ss=ss[word.index] if word else (prev.ss if prev else seg.start),
                word=word.index if word else None,
                fixed=fix is not None,
                labels=list(dict.fromkeys(t.label for t in covering)) if covering else [],
                tags=ids,
            )
        )
    return out


def text_html(seg: SegmentView, tags: list[TagView]) -> Markup:
    """The segment's text as spans (what ``pieces`` computes), built in Python: a two-hour
    interview has ~50,000 of them and a template loop would take seconds. Everything from
    the files is escaped."""
    out = []
    by_id = {t.id: t for t in tags}
    for p in pieces(seg, tags):
        cls = "w" + "".join(f" hl-{escape(lab)}" for lab in p.labels)
        if "EMOTION" in p.labels:
            emos = [by_id[i] for i in p.tags if by_id[i].label == "EMOTION"]
            cls += "".join(f" {v}" for v in dict.fromkeys(valence(t) for t in emos) if v)
            if any(t.attrs.get("negated") for t in emos):
                cls += " negated"
        if p.fixed:
            cls += " fixed"
        extra = ""
        if p.tags:
            extra = f' data-tags="{escape(" ".join(p.tags))}" title="{escape(", ".join(p.labels))}"'
        out.append(
            f'<span class="{cls}" data-s="{p.s}" data-e="{p.e}" data-t="{p.t:g}" '
            f'data-te="{p.te:g}" data-ss="{p.ss:g}"{extra}>{escape(p.text)}</span>'
        )
    return Markup("".join(out))


def valence(t: TagView) -> str:
    """CSS class for an emotion's direction: "pos" (relieved, delighted), "neg"
    (frustrated), "neutral"; "" for other labels. Colour follows valence, not the label."""
    p = exports.polarity(t)
    if p is None:
        return ""
    return "pos" if p > 0.05 else "neg" if p < -0.05 else "neutral"


def emotion_curve(view: InterviewView, width: int = 320, height: int = 130) -> dict[str, Any]:
    """Coordinates for the inline SVG: emotion polarity (and scores) over the interview."""
    pad_l, pad_r, pad_t, pad_b = 28, 8, 10, 18
    dur = max(view.duration or 0, max((t.end for t in view.tags), default=0), 1.0)
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b

    def x(t: float) -> float:
        return round(pad_l + plot_w * min(max(t / dur, 0), 1), 1)

    def y(p: float) -> float:  # polarity -1..1 → bottom..top
        return round(pad_t + plot_h * (1 - (max(-1.0, min(1.0, p)) + 1) / 2), 1)

    points, scores = [], []
    for t in view.tags:
        if not t.visible:
            continue
        if (p := exports.polarity(t)) is not None:
            points.append(
                {
                    "x": x(t.start),
                    "y": y(p),
                    "t": t.start,
                    "p": p,
                    "label": t.value or "",
                    "quote": t.text,
                }
            )
        elif (s := exports.score(t)) is not None:
            scores.append(
                {"x": x(t.start), "y": y(s / 5 - 1), "t": t.start, "s": s, "quote": t.text}
            )
    ticks = []
    step = next((s for s in (10, 30, 60, 120, 300, 600, 1200) if dur / s <= 6), 1800)
    k = 0
    while k * step <= dur:
        ticks.append({"x": x(k * step), "label": clock(k * step)})
        k += 1
    marks = [
        {"x": x(float(m["t"])), "t": float(m["t"]), "label": m.get("label") or "marker"}
        for m in view.markers
    ]
    return {
        "width": width,
        "height": height,
        "points": points,
        "markers": marks,
        "scores": scores,
        "line": " ".join(f"{pt['x']},{pt['y']}" for pt in points),
        "zero": y(0),
        "top": y(1),
        "bottom": y(-1),
        "left": pad_l,
        "right": width - pad_r,
        "ticks": ticks,
        "tick_y": height - 4,
    }


def interview_parts(view: InterviewView) -> dict[str, Any]:
    """What the transcript page and its side bar show besides the segments."""
    by_seg = view.tags_by_segment()
    turns: list[dict[str, Any]] = []
    for seg in view.segments:
        if not turns or turns[-1]["speaker"] != seg.speaker:
            turns.append({"speaker": seg.speaker, "start": seg.start, "segments": []})
        turns[-1]["segments"].append(seg)
    decided = sum(1 for t in view.tags if t.status != "pending")
    return {
        "by_seg": by_seg,
        "turns": turns,
        "curve": emotion_curve(view),
        "decided": decided,
        "counts": {
            lab: sum(1 for t in view.tags if t.label == lab and t.visible) for lab in LABELS
        },
    }


def study_summary(w: Workspace, items: list[InterviewSummary]) -> dict[str, Any]:
    """What the whole study looks like: counts, hours, review progress, and per checklist
    item how many interviews talked about it (the gaps a researcher plans the next ones by)."""
    names: dict[str, tuple[str, str]] = {}
    for row in w.conn.execute("SELECT coverage FROM interviews WHERE present = 1"):
        for ci in json.loads(row["coverage"]):
            names.setdefault(ci["item"], (ci["label"], ci["kind"]))
    annotated = [i for i in items if i.checklist]
    coverage = [
        {
            "item": item,
            "label": label,
            "kind": kind,
            "interviews": sum(1 for i in annotated if item in i.covered_items),
        }
        for item, (label, kind) in names.items()
    ]
    coverage.sort(key=lambda c: (c["interviews"], c["label"]))
    return {
        "interviews": len(items),
        "hours": sum(i.duration or 0 for i in items) / 3600,
        "tags": sum(i.n_tags for i in items),
        "decided": sum(i.n_decided for i in items),
        "reviewed": sum(1 for i in items if i.status == "reviewed"),
        "annotated": len(annotated),
        "languages": sorted({i.language or "?" for i in items}),
        "statuses": sorted({i.status for i in items}),
        "coverage": coverage,
    }


def slug(text: str) -> str:
    """A file-name-safe version of a name or label (download names)."""
    return re.sub(r"[^\w.-]+", "_", text).strip("._")[:80] or "clip"
