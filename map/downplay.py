"""Feelings played down and not followed up: a respondent names a feeling and shrugs it off
("frustrating… but not really important") or hedges it ("a bit annoying"), and the interviewer's
next turn neither asks about it nor repeats it. Such a sentence is an invitation to go deeper.
"""

from __future__ import annotations

import re
from typing import Any

from journeytape.review.store import InterviewView, TagView

from .questions import SENTENCE_BREAK
from .turns import Turn, segment_evidence

_P = re.compile

#: the respondent plays a feeling down …
DOWNPLAY = {
    "en": _P(
        r"\b(?:but (?:not really|not that|it'?s fine|fine|whatever|that'?s ok|it'?s ok)|"
        r"not really important|not a big deal|no big deal|i guess everyone|it'?s fine)\b"
    ),
    "nl": _P(
        r"\b(?:maar (?:niet echt|goed|prima|het is oké)|niet echt belangrijk|"
        r"maakt niet uit|niet zo erg|viel wel mee)\b"
    ),
    "de": _P(
        r"\b(?:aber (?:nicht so|nicht wirklich|egal|okay|ok)|nicht so wichtig|"
        r"nicht so schlimm|halb so wild|egal)\b"
    ),
}
#: … or hedges it right before naming it ("merely relieved", "a bit annoying")
HEDGE = {
    "en": _P(r"\b(?:merely|slightly|a (?:little )?bit|kind of|sort of|somewhat|only a little)\s*$"),
    "nl": _P(r"\b(?:(?:wel )?een beetje|enigszins|ietwat|een tikje)\s*$"),
    "de": _P(r"\b(?:ein bisschen|ein wenig|etwas|leicht|ein bißchen)\s*$"),
}
#: … and the interviewer takes it up (asks why, asks more, names the feeling)
FOLLOW_UP = {
    "en": _P(r"\b(?:why|what made|tell me more|what do you mean|how so|say more|in what way)\b"),
    "nl": _P(r"\b(?:waarom|hoezo|vertel eens meer|wat bedoel|wat maakte|kun je dat uitleggen)\b"),
    "de": _P(r"\b(?:warum|wieso|weshalb|erzählen sie mehr|was meinen sie|inwiefern)\b"),
}


def downplayed(
    view: InterviewView, turns: list[Turn], tags: list[TagView], lang: str
) -> list[dict[str, Any]]:
    """Feelings named then played down in the same sentence, with no follow-up question."""
    rx = DOWNPLAY.get(lang, DOWNPLAY["en"])
    follow = FOLLOW_UP.get(lang, FOLLOW_UP["en"])
    emos = [t for t in tags if t.label == "EMOTION"]
    out = []
    for i, turn in enumerate(turns):
        if turn.role == "interviewer":
            continue
        for seg in turn.segments:
            for sent in SENTENCE_BREAK.split(seg.text):
                low = sent.lower()
                emo = next(
                    (t for t in emos if t.segment_id == seg.id and t.text.lower() in low), None
                )
                if emo is None:
                    continue
                before = low[: low.find(emo.text.lower())]
                m = rx.search(low) or HEDGE.get(lang, HEDGE["en"]).search(before)
                if not m:
                    continue
                nxt = next((t for t in turns[i + 1 :] if t.role == "interviewer"), None)
                followed = bool(
                    nxt
                    and (follow.search(nxt.text.lower()) or emo.text.lower() in nxt.text.lower())
                )
                if followed:
                    continue
                out.append(
                    {
                        "feeling": emo.text,
                        "downplay": m.group(0).strip(),
                        "evidence": segment_evidence(view, seg, sent),
                        "next_question": nxt.text if nxt else None,
                    }
                )
    return out
