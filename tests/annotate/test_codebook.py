"""The codebook's conventions (../shared/CODEBOOK.md) on short spoken sentences."""

from __future__ import annotations

import pytest

from .conftest import only


def signs(ann) -> list[tuple[str, int]]:
    out = []
    for t in only(ann, "EMOTION"):
        p = t.attrs["polarity"]
        out.append((t.value, (p > 0) - (p < 0)))
    return out


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # negation: negative → neutral, positive → negative
        ("en", "I wasn't angry, just tired of waiting.", [("angry", 0)]),
        ("nl", "Ik was niet boos, wel moe.", [("boos", 0)]),
        ("de", "Ich war nicht wütend.", [("wütend", 0)]),
        ("de", "Ich war nicht froh darüber.", [("froh", -1)]),
        # sarcasm turns positive into negative; evaluative words count only then
        ("en", "Oh great, another form to fill in.", [("great", -1)]),
        ("en", "Fantastic, just fantastic.", [("great", -1)]),
        ("en", "I was thrilled, not.", [("delighted", -1)]),
        ("nl", "Nou, geweldig, weer een week wachten.", [("geweldig", -1)]),
        ("de", "Na toll, wieder kein Termin.", [("toll", -1)]),
        ("de", "Das hast du ja toll gemacht.", [("toll", -1)]),
        # purely evaluative: no emotion
        ("en", "The agent was great and the portal was nice.", []),
        ("nl", "De afhandeling was prima, echt top.", []),
        ("de", "Der Service war super.", []),
        # a counterfactual keeps the feeling; negating the target keeps it too
        ("en", "I wouldn't have panicked if they had told me.", [("panic", -1)]),
        ("en", "I was angry, but not at the agent.", [("angry", -1)]),
        # downplayed: still the feeling
        ("en", "It was frustrating, but not really important.", [("frustrated", -1)]),
        # other people's feelings
        ("en", "My daughter was upset, but I was relieved.", [("relieved", 1)]),
        ("nl", "Hij was ook gefrustreerd.", []),
        ("de", "Meine Frau war total genervt.", []),
        ("en", "They made me so angry.", [("angry", -1)]),
        # a positive surprise is positive
        ("en", "It was a positive surprise.", [("surprised", 1)]),
    ],
)
def test_emotion_polarity_in_context(tag_text, lang, text, expected):
    assert signs(tag_text(lang, text)) == expected
