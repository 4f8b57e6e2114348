"""The ten steps of a good journey interview, each found in the interviewer's words or in the
respondent's reviewed tags (a GOAL tag means the goal came up), with where it happened."""

from __future__ import annotations

import re
from typing import Any

from journeytape.review.store import InterviewView, TagView

from .evidence import evidence
from .turns import Turn, segment_evidence

# -- steps of a good interview ------------------------------------------------------------------
STEPS = (
    ("purpose", "Purpose explained"),
    ("use", "Use explained (what for, what not)"),
    ("goal", "Goal of the journey asked"),
    ("journey", "One journey told in detail"),
    ("feelings", "Feelings asked (good and bad moments)"),
    ("peak", "Peak moment asked"),
    ("grade_moment", "A grade for a moment"),
    ("overall_score", "An overall score"),
    ("expectations", "Expectations asked"),
    ("anything_else", "“Anything else?” asked"),
)
_WORDS = {
    "purpose": {
        "en": r"\b(?:improve|we want to understand|purpose|we(?:'re| are) talking to|study|"
        r"research)\b",
        "nl": r"\b(?:verbeteren|willen begrijpen|wil begrijpen|doel van|onderzoek|praten met)\b",
        "de": r"\b(?:verbessern|verstehen|zweck|studie|forschung|sprechen mit)\b",
    },
    "use": {
        "en": r"\b(?:only used|not used|won'?t be used|will not be used|not to (?:assess|judge)|"
        r"anonymous|without your name|your name won'?t|only to improve|not to judge)\b",
        "nl": r"\b(?:alleen (?:daarvoor|om|voor)|niet om (?:jou|je|u)|anoniem|"
        r"zonder (?:je|uw) naam|niet gebruikt)\b",
        "de": r"\b(?:nur dafür|nur, um|nur um|nicht zur bewertung|anonym|ohne ihren namen|"
        r"verwenden das nur|nicht verwendet)\b",
    },
    "goal": {
        "en": r"\b(?:goal|trying to (?:get done|achieve|do)|wanted to achieve|what did you need)\b",
        "nl": r"\b(?:doel|bereiken|voor elkaar krijgen|wat wilde je)\b",
        "de": r"\b(?:ziel|erledigen|erreichen|was wollten sie)\b",
    },
    "feelings": {
        "en": r"\b(?:feel|felt|feeling|how was that for you|how did that make you)\b",
        "nl": r"\b(?:voel\w*|hoe was dat voor je|hoe vond je dat|hoe voelde)\b",
        "de": r"\b(?:gefühlt|fühlen|fühlten|wie war das für sie|wie ging es ihnen)\b",
    },
    "peak": {
        "en": r"\b(?:best moment|worst|high point|low point|peak|highlight)\b",
        "nl": r"\b(?:hoogtepunt|dieptepunt|beste moment|slechtste moment|ergste)\b",
        "de": r"\b(?:höhepunkt|tiefpunkt|schönste moment|schlimmste|beste moment)\b",
    },
    "grade_moment": {
        "en": r"\b(?:grade|score|rate|mark)\b.*\b(?:moment|that part|that step|that call|that)\b",
        "nl": r"\b(?:cijfer|score)\b.*\b(?:moment|dat deel|die stap|dat gesprek)\b",
        "de": r"\b(?:note|bewert\w*)\b.*\b(?:moment|schritt|teil|gespräch)\b",
    },
    "expectations": {
        "en": r"\b(?:expect\w*|hoped|thought it would)\b",
        "nl": r"\b(?:verwacht\w*|gehoopt|gedacht dat)\b",
        "de": r"\b(?:erwartet\w*|gerechnet|gehofft)\b",
    },
    "anything_else": {
        "en": r"\b(?:anything else|anything you(?:'d| would)? (?:like|want) to (?:add|share)|"
        r"anything to add)\b",
        "nl": r"\b(?:nog iets|verder nog|iets toevoegen)\b",
        "de": r"\b(?:sonst noch|noch etwas|etwas hinzufügen)\b",
    },
}


def _rx(step: str, lang: str) -> re.Pattern[str]:
    words = _WORDS[step]
    return re.compile(words.get(lang, words["en"]), re.IGNORECASE)


def _first_match(
    view: InterviewView,
    turns: list[Turn],
    rx: re.Pattern[str],
    role: str = "interviewer",
    before: float | None = None,
) -> dict[str, Any] | None:
    """Evidence of the first segment of ``role`` that matches, if it starts before ``before``."""
    for t in turns:
        if t.role != role:
            continue
        for s in t.segments:
            if before is not None and s.start > before:
                return None
            if rx.search(s.text):
                return segment_evidence(view, s)
    return None


def steps_of(
    view: InterviewView, turns: list[Turn], tags: list[TagView], lang: str
) -> list[dict[str, Any]]:
    """Each of :data:`STEPS`: done or not, with its evidence (purpose and use count only in
    the first 30 % of the interview: said at the end they explain nothing)."""
    dur = view.duration or (turns[-1].end if turns else 0.0)
    early = dur * 0.3 if dur else None

    def tag_ev(pred) -> dict[str, Any] | None:
        t = next((t for t in tags if pred(t)), None)
        return evidence(view, t) if t else None

    def ask(step: str, before: float | None = None):
        return _first_match(view, turns, _rx(step, lang), before=before)

    feelings = [
        s
        for t in turns
        if t.role == "interviewer"
        for s in t.segments
        if _rx("feelings", lang).search(s.text)
    ]
    tps = {t.value for t in tags if t.label == "TOUCHPOINT"}
    found: dict[str, dict[str, Any] | None] = {
        "purpose": ask("purpose", early),
        "use": ask("use", early),
        "goal": ask("goal") or tag_ev(lambda t: t.label == "GOAL"),
        "journey": tag_ev(lambda t: t.label == "TOUCHPOINT") if len(tps) >= 3 else None,
        "feelings": segment_evidence(view, feelings[0]) if len(feelings) >= 2 else None,
        "peak": ask("peak") or tag_ev(lambda t: t.label == "PEAK"),
        "grade_moment": tag_ev(lambda t: t.label == "SCORE" and t.attrs.get("scope") == "moment")
        or ask("grade_moment"),
        "overall_score": tag_ev(
            lambda t: t.label == "SCORE" and t.attrs.get("scope", "overall") == "overall"
        ),
        "expectations": ask("expectations") or tag_ev(lambda t: t.label == "EXPECTATION"),
        "anything_else": ask("anything_else"),
    }
    notes = {
        "journey": f"{len(tps)} touchpoints told (3 or more count as one journey in detail)",
        "feelings": f"asked {len(feelings)} time(s) (twice or more: at good and bad moments)",
    }
    return [
        {
            "id": sid,
            "label": label,
            "done": found[sid] is not None,
            "evidence": found[sid],
            **({"note": notes[sid]} if sid in notes else {}),
        }
        for sid, label in STEPS
    ]
