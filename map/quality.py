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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from journeytape.presentation import clock, md_escape
from journeytape.review.exports import selected_tags
from journeytape.review.store import InterviewView, TagView

from .evidence import evidence, withhold_quotes

CLASSES = ("open", "closed", "leading", "hypothetical")

# -- question classification -------------------------------------------------------------------
_P = re.compile

#: a push towards an answer: negative or tag questions, assumptions, a feeling or judgement put
#: into the respondent's mouth as a yes/no question
LEADING = {
    "en": [
        _P(
            r"^(?:and |so )?(?:wasn'?t|isn'?t|didn'?t|don'?t|doesn'?t|weren'?t|aren'?t|"
            r"wouldn'?t|couldn'?t|shouldn'?t|haven'?t|hasn'?t)\b"
        ),
        _P(
            r"\b(?:don'?t you think|wouldn'?t you say|you must have|surely|i assume|i suppose|"
            r"i guess you|i bet)\b"
        ),
        _P(r",\s*(?:right|isn'?t it|wasn'?t it|didn'?t you|don'?t you|no)\s*\?$"),
        _P(
            r"^(?:was|were|is|did|would you say|do you agree)\b.*\b(?:frustrat\w*|annoy\w*|"
            r"angry|upset|stressful|slow|great|helpful|awful|terrible|easy|hard|difficult|"
            r"disappoint\w*|too long|better|worse|the problem|good)\b"
        ),
    ],
    "nl": [
        _P(
            r"^(?:en |dus )?(?:was dat niet|is dat niet|vond je (?:het|dat) niet|"
            r"had je niet|ben je niet|heb je niet)\b"
        ),
        _P(r"\b(?:toch|zeker|neem ik aan|vast)\b"),
        _P(
            r"^(?:was|is|vond je|werd|ging|hielp\w*)\b.*\b(?:frustrerend|vervelend|irritant|"
            r"lastig|ingewikkeld|traag|lang|goed|fijn|prettig|moeilijk|slecht|teleurstellend|"
            r"boos|netjes|snel)\b"
        ),
    ],
    "de": [
        _P(
            r"^(?:und |also )?(?:war das nicht|ist das nicht|fanden sie (?:das|es) nicht|"
            r"hatten sie nicht|haben sie nicht|waren sie nicht)\b"
        ),
        _P(r"\b(?:sicher|bestimmt|doch|vermutlich|nehme ich an|oder nicht)\b"),
        _P(r",\s*(?:oder|nicht wahr|gell)\s*\?$"),
        _P(
            r"^(?:war|ist|fanden sie|wurde|hat)\b.*\b(?:frustrierend|ärgerlich|nervig|"
            r"kompliziert|umständlich|langsam|zu lang|gut|schlecht|schwierig|enttäuschend|"
            r"hilfreich|ordentlich)\b"
        ),
    ],
}
#: asking about an imagined future instead of what happened
HYPOTHETICAL = {
    "en": [
        _P(
            r"\bwould you (?:ever|use|prefer|like|want|consider|have preferred|be willing|"
            r"recommend|switch|pay|try|go)\b"
        ),
        _P(
            r"\b(?:if you could|what if|imagine|suppose|if there were|if there was|"
            r"would it help|in the future)\b"
        ),
    ],
    "nl": [
        _P(r"\bzou je\b(?!.*\b(?:geven|cijfer|beoordelen|waarderen|scoren)\b)"),
        _P(
            r"\b(?:stel dat|als je zou|als er .* zou|stel je voor|in de toekomst|zou het helpen|"
            r"zou u)\b(?!.*\b(?:geven|cijfer)\b)"
        ),
    ],
    "de": [
        _P(r"\bwürden sie\b(?!.*\b(?:geben|vergeben|bewerten|benoten|note|schulnote)\b)"),
        _P(
            r"\b(?:stellen sie sich vor|wenn es .* gäbe|angenommen|in zukunft|hätten sie lieber|"
            r"wäre es|könnten sie sich vorstellen)\b"
        ),
    ],
}
#: open: what, how, why …, "tell me about", and the elliptical prompts that invite a story
OPEN = {
    "en": [
        _P(
            r"^(?:and |so |then |okay,? |ok,? )?(?:what|how|why|which|who|where|when|in what way)\b"
        ),
        _P(
            r"\b(?:tell me|describe|walk me through|talk me through|can you tell|could you tell|"
            r"can you describe|could you describe)\b"
        ),
        _P(r"^(?:and|so) (?:then|after that|next|the [\w-]+(?: [\w-]+)?|your [\w-]+)\s*\?$"),
        _P(r"^(?:to|with|from|for|at) (?:whom|what|which)\b"),
        # "If you look back, what …", "On a scale of one to ten, how would you rate …"
        _P(r"^[^,?]{3,60},\s*(?:and |so )?(?:what|how|why|which|who|where|when)\b"),
        _P(
            r"^(?:and )?(?:the )?(?:best|worst|high|low)\w*(?: and \w+)? "
            r"(?:moment|point|part)s?\s*\?$"
        ),
    ],
    "nl": [
        _P(
            r"^(?:en |dus |oké,? |ok,? )?(?:wat|hoe|waarom|welk|welke|wie|waar|wanneer|waardoor|"
            r"waarmee|hoezo)\b"
        ),
        _P(
            r"\b(?:vertel|kun je vertellen|kan je vertellen|kunt u vertellen|beschrijf|"
            r"kun je beschrijven|neem me mee)\b"
        ),
        _P(r"^en (?:toen|daarna|verder|in de tussentijd|de|het|je|jouw|uw)\b[^?]*\?$"),
        _P(r"^(?:bij|met|naar|van|voor|aan) (?:wie|wat|welk\w*)\b"),
    ],
    "de": [
        _P(
            r"^(?:und |also |okay,? )?(?:was|wie|warum|wieso|weshalb|welche|welcher|welches|"
            r"welchen|welchem|wer|wen|wem|wo|wann|womit|wodurch|inwiefern)\b"
        ),
        _P(
            r"\b(?:erzählen sie|erzähl|beschreiben sie|können sie erzählen|können sie beschreiben|"
            r"schildern sie)\b"
        ),
        _P(
            r"^und (?:dann|danach|weiter|jetzt|in der zwischenzeit|die|der|das|ihr|ihre|ihren)\b"
            r"[^?]*\?$"
        ),
        _P(r"^(?:an|mit|bei|von|für|zu) (?:wem|wen|was|welche\w*)\b"),
        _P(r"^(?:können|könnten) sie .*\b(?:erzählen|beschreiben|schildern)\b"),
    ],
}


def classify(question: str, lang: str) -> str:
    """open / closed / leading / hypothetical for one interviewer question.

    Leading wins over everything (a leading "what" question still pushes), then
    hypothetical, then open; a question that is none of these is closed (yes/no, either/or).
    """
    q = " ".join(question.lower().split())
    lang = lang if lang in OPEN else "en"
    for cls, table in (("leading", LEADING), ("hypothetical", HYPOTHETICAL), ("open", OPEN)):
        if any(p.search(q) for p in table[lang]):
            return cls
    return "closed"


_SENT = re.compile(r"(?<=[.?!…])\s+")
#: an imperative that asks for a story counts as a question without a question mark
_ASK_NO_MARK = {
    "en": _P(r"^(?:tell me|describe|walk me through|talk me through)\b"),
    "nl": _P(r"^(?:vertel|beschrijf|neem me mee)\b"),
    "de": _P(r"^(?:erzählen sie|erzähl|beschreiben sie|schildern sie)\b"),
}


def questions_in(text: str, lang: str) -> list[str]:
    out = []
    for s in _SENT.split(text.strip()):
        s = s.strip()
        low = s.lower()
        mark = _ASK_NO_MARK.get(lang, _ASK_NO_MARK["en"])
        if s.endswith("?") or mark.search(low):
            out.append(s)
    return out


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


def _rx(step: str, lang: str) -> re.Pattern[str]:
    words = _WORDS[step]
    return re.compile(words.get(lang, words["en"]), re.IGNORECASE)


@dataclass
class _Turn:
    role: str | None
    start: float
    end: float
    segments: list[Any]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


def _turns(view: InterviewView) -> list[_Turn]:
    out: list[_Turn] = []
    for s in view.segments:
        sp = view.speakers.get(s.speaker) if s.speaker else None
        role = sp.role if sp else None
        if out and out[-1].role == role and out[-1].segments[-1].speaker == s.speaker:
            out[-1].segments.append(s)
            out[-1].end = s.end
        else:
            out.append(_Turn(role, s.start, s.end, [s]))
    return out


def _seg_evidence(view: InterviewView, seg: Any, quote: str | None = None) -> dict[str, Any]:
    return {
        "interview": view.name,
        "segment": seg.id,
        "start": round(seg.start, 2),
        "end": round(seg.end, 2),
        "quote": quote or seg.text,
    }


def check_interview(view: InterviewView) -> dict[str, Any]:
    """The quality checks for one interview (needs speaker roles: an interview whose
    interviewer was not recognised gets ``"roles": false`` and no question checks)."""
    lang = view.language or "en"
    turns = _turns(view)
    has_roles = any(t.role == "interviewer" for t in turns)
    tags = selected_tags(view, include_pending=True)
    questions = []
    for t in turns:
        if t.role != "interviewer":
            continue
        for seg in t.segments:
            for q in questions_in(seg.text, lang):
                questions.append(
                    {"text": q, "class": classify(q, lang), "evidence": _seg_evidence(view, seg, q)}
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
        "steps": _steps(view, turns, tags, lang),
        "downplayed": _downplayed(view, turns, tags, lang),
    }


def _talk(view: InterviewView, turns: list[_Turn]) -> dict[str, Any]:
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
                **_seg_evidence(view, seg, longest.text[:300]),
                "end": round(longest.end, 2),
            },
        }
    return {
        "interviewer_seconds": round(spoken["interviewer"], 1),
        "respondent_seconds": round(spoken["respondent"], 1),
        "interviewer_share": round(spoken["interviewer"] / total, 3),
        "longest_monologue": mono,
    }


def _first_match(view, turns, rx, role="interviewer", before: float | None = None):
    for t in turns:
        if t.role != role:
            continue
        for s in t.segments:
            if before is not None and s.start > before:
                return None
            if rx.search(s.text):
                return _seg_evidence(view, s)
    return None


def _steps(view: InterviewView, turns: list[_Turn], tags: list[TagView], lang: str):
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
        "feelings": _seg_evidence(view, feelings[0]) if len(feelings) >= 2 else None,
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


def _downplayed(view, turns, tags, lang) -> list[dict[str, Any]]:
    """Feelings named then played down in the same sentence, with no follow-up question."""
    rx = DOWNPLAY.get(lang, DOWNPLAY["en"])
    follow = FOLLOW_UP.get(lang, FOLLOW_UP["en"])
    emos = [t for t in tags if t.label == "EMOTION"]
    out = []
    for i, turn in enumerate(turns):
        if turn.role == "interviewer":
            continue
        for seg in turn.segments:
            for sent in _SENT.split(seg.text):
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
                        "evidence": _seg_evidence(view, seg, sent),
                        "next_question": nxt.text if nxt else None,
                    }
                )
    return out


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


def markdown(q: dict[str, Any]) -> str:
    """interview-quality.md: the study first, then one section per interview."""
    st = q["study"]
    c = st["counts"]
    n = st["interviews"]
    lines = [
        "# Interview quality",
        "",
        f"{n} interviews, {st['questions']} interviewer questions: {c['open']} open, "
        f"{c['closed']} closed, {c['leading']} leading, {c['hypothetical']} hypothetical.",
        "",
        "Ask open questions about what really happened; avoid pushing an answer (leading) and "
        "asking about an imagined future (hypothetical). Let the respondent do the talking.",
        "",
        "## Steps of a good interview, across the study",
        "",
        "| step | interviews | missing in |",
        "|---|---:|---|",
    ]
    names = [p["interview"] for p in q["interviews"]]
    for s in st["steps"].values():
        missing = [x for x in names if x not in s["done_in"]]
        lines.append(f"| {s['label']} | {len(s['done_in'])}/{n} | {', '.join(missing) or '–'} |")
    lines += [
        "",
        "| interview | questions | open | closed | leading | hypothetical | interviewer talk "
        "| longest monologue | steps | feelings not followed up |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in q["interviews"]:
        pc = p["questions"]["counts"]
        steps = sum(1 for s in p["steps"] if s["done"])
        lines.append(
            f"| {p['interview']} | {p['questions']['total']} | {pc['open']} | {pc['closed']} | "
            f"{pc['leading']} | {pc['hypothetical']} | "
            f"{100 * p['talk']['interviewer_share']:.0f}% | "
            f"{p['talk']['longest_monologue']['seconds']:.0f} s | {steps}/{len(STEPS)} | "
            f"{len(p['downplayed'])} |"
        )
    for p in q["interviews"]:
        lines += ["", f"## {p['interview']} ({p['language']})", ""]
        if not p["roles"]:
            lines += ["No interviewer recognised in this transcript: question checks skipped.", ""]
        for cls in CLASSES:
            ex = p["questions"]["examples"][cls]
            if ex and cls != "open":
                lines.append(
                    f"- **{cls}**: "
                    + "; ".join(
                        f"“{md_escape(e['text'])}” ({clock(e['evidence']['start'])})" for e in ex
                    )
                )
        mono = p["talk"]["longest_monologue"]
        if mono.get("evidence"):
            lines.append(
                f"- longest interviewer monologue: {mono['seconds']:.0f} s, {mono['words']} "
                f"words at {clock(mono['evidence']['start'])}"
            )
        missing = [s["label"] for s in p["steps"] if not s["done"]]
        lines.append("- steps missing: " + (", ".join(missing) if missing else "none"))
        for d in p["downplayed"]:
            lines.append(
                f"- **feeling played down, not followed up** at {clock(d['evidence']['start'])}: "
                f"“{md_escape(d['evidence']['quote'])}” — next question: "
                f"“{md_escape(d['next_question'] or '(none)')}”"
            )
    return "\n".join(lines) + "\n"
