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
        ("en", "I wasn't angry, just puzzled by the form.", [("angry", 0)]),
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


def scores(ann) -> list[float]:
    return [float(t.value) for t in only(ann, "SCORE")]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # 1–5 when the interviewer asked for one to five: × 2
        ("en", "I: On a scale of one to five?\nR: A four, I'd say.", [8.0]),
        ("nl", "I: Op een schaal van 1 tot 5?\nR: Een drie.", [6.0]),
        ("de", "I: Von eins bis fünf, wie viele Sterne?\nR: Vier.", [8.0]),
        # German school grade (6 − g) × 2, range midpoint, "zeven en een half"
        ("de", "I: Welche Schulnote?\nR: Eine Zwei bis Drei.", [7.0]),
        ("nl", "I: Welk cijfer?\nR: Zeven en een half.", [7.5]),
        ("en", "I: Out of ten?\nR: Six or seven.", [6.5]),
        # a self-correction: only the final grade
        ("en", "I: Out of ten?\nR: A seven. No, actually, make that a six.", [6.0]),
        ("nl", "I: Welk cijfer?\nR: Een zeven, nee, eigenlijk een zes.", [6.0]),
        ("de", "I: Welche Note?\nR: Eine Zwei, nein, eher eine Drei.", [6.0]),
        # not scores: durations, times, counts
        ("en", "It was sorted after eight working days.", []),
        ("en", "I tried six channels in total.", []),
        ("nl", "Ik had om acht een afspraak.", []),
        ("de", "Ich war um acht da.", []),
        ("en", "I: Out of ten?\nR: Seven. The call took two minutes though.", [7.0]),
    ],
)
def test_score_scales_and_non_scores(tag_text, lang, text, expected):
    assert scores(tag_text(lang, text)) == pytest.approx(expected)


def test_grade_questions_carry_over_follow_ups(tag_text):
    """The interviewer asks once for grades and then names each moment in short follow-ups."""
    ann = tag_text(
        "en",
        "I: Could you give each step a grade out of ten? The booking first.\n"
        "R: Booking, uh, a five.\n"
        "I: The day itself?\n"
        "R: Seven, yeah.\n"
        "I: And the whole thing?\n"
        "R: Somewhere between six and seven. If there was a ten I'd give it a ten, no.",
    )
    got = [(float(t.value), t.attrs["scope"]) for t in only(ann, "SCORE")]
    assert got == [(5.0, "moment"), (7.0, "moment"), (6.5, "overall")]


def test_restated_grade_counts_once(tag_text):
    ann = tag_text("nl", "I: Welk cijfer?\nR: Een acht. Nee, een negen. Een negen, ja.")
    assert [float(t.value) for t in only(ann, "SCORE")] == [9.0]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "I: What was the low point?\nR: Probably that email with the IBAN.", ["low"]),
        ("nl", "I: En het hoogtepunt?\nR: Dat ik binnen twintig minuten een nummer had.", ["high"]),
        ("de", "I: Und der Tiefpunkt?\nR: Ganz klar der Abend mit dem Video.", ["low"]),
        ("en", "I: The best and the worst moment?\nR: That email, I guess.", []),
    ],
)
def test_peak_named_in_answer_to_the_question(tag_text, lang, text, expected):
    assert [t.value for t in only(tag_text(lang, text), "PEAK")] == expected


@pytest.mark.parametrize(
    ("lang", "text", "names"),
    [
        ("en", "I asked Sam, he knows laptops.", ["Sam"]),
        ("nl", "Ik heb het aan Pieter gevraagd, die weet alles van laptops.", ["Pieter"]),
        ("de", "Meine Kollegin Anna hat mir geholfen.", ["Anna"]),
        ("de", "Ich habe das Konto am Montag gefragt.", []),
    ],
)
def test_a_person_named_without_a_role_is_an_implicit_colleague(tag_text, lang, text, names):
    implicit = [t for t in only(tag_text(lang, text), "CHANNEL") if t.attrs.get("implicit")]
    assert [t.text for t in implicit] == names
    assert all(t.value == "colleague" for t in implicit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I: Welche Note geben Sie insgesamt?\nR: Ich würde die Note gut vergeben.", [8.0]),
        ("I: Welche Schulnote?\nR: Ausreichend, mehr nicht.", [4.0]),
        ("I: Welche Note insgesamt?\nR: Dreieinhalb, wegen der Stühle.", [5.0]),  # (6 − 3.5) × 2
        ("I: Und einzeln, als Schulnote?\nR: Servicedesk eins. Hotline vier.", [10.0, 4.0]),
        ("R: Das Essen war gut.", []),
    ],
)
def test_german_grades_said_as_words(tag_text, text, expected):
    assert scores(tag_text("de", text)) == pytest.approx(expected)
