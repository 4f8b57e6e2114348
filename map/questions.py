"""Question classes: is an interviewer's question open, closed, leading or hypothetical?

Rules per language (EN/NL/DE), checked against the labelled sets in
``data/questions_{lang}.txt`` (``python -m bench.interview_quality``): patterns are data here,
one table per class, so a new language or a missed phrasing is one line.
"""

from __future__ import annotations

import re

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


SENTENCE_BREAK = re.compile(r"(?<=[.?!…])\s+")
#: an imperative that asks for a story counts as a question without a question mark
_ASK_NO_MARK = {
    "en": _P(r"^(?:tell me|describe|walk me through|talk me through)\b"),
    "nl": _P(r"^(?:vertel|beschrijf|neem me mee)\b"),
    "de": _P(r"^(?:erzählen sie|erzähl|beschreiben sie|schildern sie)\b"),
}


def questions_in(text: str, lang: str) -> list[str]:
    out = []
    for s in SENTENCE_BREAK.split(text.strip()):
        s = s.strip()
        low = s.lower()
        mark = _ASK_NO_MARK.get(lang, _ASK_NO_MARK["en"])
        if s.endswith("?") or mark.search(low):
            out.append(s)
    return out
