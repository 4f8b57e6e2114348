"""How good was the interview? Checks of the interviewer's craft, per interview and per study.

The advice this checks is the practice of journey interviewing: ask open questions about what
really happened (not leading "wasn't that frustrating?" pushes, not hypothetical "would you
ever…?"), let the respondent talk, explain purpose and use, walk one journey in detail, ask
for feelings, the peak, a grade per moment and overall, expectations, and "anything else?";
and when a respondent names a feeling and then plays it down ("frustrating… but not really
important"), take the invitation and ask about it.

Questions are classified by rules per language (EN/NL/DE), checked against the labelled sets
in ``data/questions_{lang}.txt`` (``python -m bench.interview_quality``). Steps use the
interviewer's words and the respondent's reviewed tags (a GOAL tag means the goal came up).

One module per family of checks: :mod:`.questions` (question classes), :mod:`.steps` (the ten
steps), :mod:`.downplay` (feelings played down), talk time here; :mod:`.turns` gives them the
speaker turns and :mod:`.quality_report` writes ``interview-quality.md``.
"""

from __future__ import annotations

from typing import Any

from journeytape.review.exports import selected_tags
from journeytape.review.store import InterviewView

from .downplay import downplayed
from .evidence import withhold_quotes
from .questions import CLASSES, classify, questions_in
from .steps import STEPS, steps_of
from .turns import Turn, segment_evidence, speaker_turns

# classify and CLASSES stay importable from here (bench.interview_quality, older callers)
__all__ = ["CLASSES", "check_interview", "check_study", "classify"]


def check_interview(view: InterviewView) -> dict[str, Any]:
    """The quality checks for one interview (needs speaker roles: an interview whose
    interviewer was not recognised gets ``"roles": false`` and no question checks)."""
    lang = view.language or "en"
    turns = speaker_turns(view)
    has_roles = any(t.role == "interviewer" for t in turns)
    tags = selected_tags(view, include_pending=True)
    questions = []
    for t in turns:
        if t.role != "interviewer":
            continue
        for seg in t.segments:
            for q in questions_in(seg.text, lang):
                questions.append(
                    {
                        "text": q,
                        "class": classify(q, lang),
                        "evidence": segment_evidence(view, seg, q),
                    }
                )
    counts = {c: sum(1 for q in questions if q["class"] == c) for c in CLASSES}
    return {
        "interview": view.name,
        "language": lang,
        "roles": has_roles,
        "questions": {
            "total": len(questions),
            "counts": counts,
            "examples": {c: [q for q in questions if q["class"] == c][:3] for c in CLASSES},
            "all": questions,
        },
        "talk": _talk(view, turns),
        "steps": steps_of(view, turns, tags, lang),
        "downplayed": downplayed(view, turns, tags, lang),
    }


def _talk(view: InterviewView, turns: list[Turn]) -> dict[str, Any]:
    spoken = {"interviewer": 0.0, "respondent": 0.0}
    for t in turns:
        for s in t.segments:
            spoken[t.role if t.role in spoken else "respondent"] += max(0.0, s.end - s.start)
    total = sum(spoken.values()) or 1.0
    longest = max(
        (t for t in turns if t.role == "interviewer"), key=lambda t: t.end - t.start, default=None
    )
    mono = {"seconds": 0.0, "evidence": None}
    if longest is not None:
        seg = longest.segments[0]
        mono = {
            "seconds": round(longest.end - longest.start, 1),
            "words": len(longest.text.split()),
            "evidence": {
                **segment_evidence(view, seg, longest.text[:300]),
                "end": round(longest.end, 2),
            },
        }
    return {
        "interviewer_seconds": round(spoken["interviewer"], 1),
        "respondent_seconds": round(spoken["respondent"], 1),
        "interviewer_share": round(spoken["interviewer"] / total, 3),
        "longest_monologue": mono,
    }


def check_study(views: list[InterviewView]) -> dict[str, Any]:
    per = [check_interview(v) for v in views if v.annotated or v.segments]
    total = {c: sum(p["questions"]["counts"][c] for p in per) for c in CLASSES}
    n_q = sum(total.values())
    steps = {
        sid: {
            "label": label,
            "done_in": [
                p["interview"] for p in per if next(s for s in p["steps"] if s["id"] == sid)["done"]
            ],
        }
        for sid, label in STEPS
    }
    shares = [p["talk"]["interviewer_share"] for p in per if p["roles"]]
    out = {
        "kind": "journeytape.interview_quality",
        "schema_version": "1.0",
        "interviews": per,
        "study": {
            "interviews": len(per),
            "questions": n_q,
            "counts": total,
            "open_share": round(total["open"] / n_q, 3) if n_q else None,
            "median_interviewer_share": round(sorted(shares)[len(shares) // 2], 3)
            if shares
            else None,
            "steps": steps,
            "downplayed_not_followed": sum(len(p["downplayed"]) for p in per),
        },
    }
    withhold_quotes(out, {v.name for v in views if v.quotes_withheld})
    return out
