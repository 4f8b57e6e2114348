"""EXPECTATION status told in a later turn (issue #20): "I'd assumed a morning's work." …
I: "And was it?" R: "No, a week." The tag stays on the turn that states the expectation (the
codebook's "stretch that says what was expected") and takes the status the respondent's next
turn gives: a duration compared with the expected one, a verdict ("viel reuze mee"), or a
yes/no to a short follow-up question. Families from the dev interviews
bench/corpus/interviews/*_train_refund_03.txt, de_train_refund_01.txt, *_car_repair_03.txt,
nl_car_repair_02.txt (worded differently here)."""

from __future__ import annotations

import pytest

from .conftest import only


def expectations(tag_text, lang: str, text: str) -> list[tuple[int, str | None]]:
    """(segment, status) of every EXPECTATION tag."""
    return [(t.segment_id, t.value) for t in only(tag_text(lang, text), "EXPECTATION")]


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        # a yes to a closed follow-up question: met
        (
            "en",
            "R: I thought they'd be able to print the form for me at the counter.\n"
            "I: And could they?\nR: Yes, took them two minutes.",
            "met",
        ),
        (
            "en",
            "R: So I was expecting it back by Thursday.\nI: And was it ready?\n"
            "R: It was, yeah. Thursday afternoon.",
            "met",
        ),
        (
            "de",
            "R: Ich bin davon ausgegangen, dass ich es am Schalter abgeben kann.\n"
            "I: Ging das?\nR: Ja, das ging problemlos.",
            "met",
        ),
        (
            "nl",
            "R: Ze zeiden vijf werkdagen, en daar rekende ik ook op.\nI: Klopte dat?\n"
            "R: Ja hoor, op de dag af.",
            "met",
        ),
        # a duration in the next turn against the expected one
        (
            "en",
            "R: I thought the tow truck would take an hour, maybe two.\nI: How long was it?\n"
            "R: Twenty minutes. The driver was lovely.",
            "exceeded",
        ),
        (
            "de",
            "R: Ich hatte mit einem langen Telefonat gerechnet, mindestens eine halbe Stunde.\n"
            "I: Und?\nR: Nach fünf Minuten war alles geklärt.",
            "exceeded",
        ),
        (
            "nl",
            "R: Ik verwachtte dat ik weer een half uur in de wacht zou hangen.\nI: En?\n"
            "R: Viel mee. Hooguit vijf minuten.",
            "exceeded",
        ),
        # a verdict in the next turn
        (
            "nl",
            "R: Ik ging ervan uit dat het een tegoedbon zou worden, geen echt geld.\nI: En?\n"
            "R: Gewoon teruggestort op mijn rekening. Viel reuze mee.",
            "exceeded",
        ),
        # the respondent's next segment without a question in between
        (
            "en",
            "R: I'd assumed it would take a day or so.\nR: In the end it was done in an hour.",
            "exceeded",
        ),
    ],
)
def test_status_told_in_a_later_turn_settles_the_earlier_tag(tag_text, lang, text, value):
    assert expectations(tag_text, lang, text) == [(0, value)], text


def test_the_tag_says_where_its_status_came_from(tag_text):
    text = "R: I thought the tow truck would take an hour.\nI: How long was it?\nR: Twenty minutes."
    (tag,) = only(tag_text("en", text), "EXPECTATION")
    assert tag.attrs["status_from"] == "later turn"
    assert tag.attrs["outcome"] == "Twenty minutes"
    assert tag.attrs["met"] is None  # exceeded: neither met nor unmet


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        # another topic in between: the question names something new and is long
        (
            "en",
            "R: I thought they'd call me back within the week.\n"
            "I: Did your manager or a colleague help you with the laptop?\n"
            "R: Yes, on the first day.",
            "unmet",
        ),
        # a yes to an open question is no verdict on the expectation
        (
            "nl",
            "R: Ik hoopte dat ze me zouden terugbellen.\nI: Hoe voelde dat?\n"
            "R: Ja, best wel vervelend.",
            "unmet",
        ),
        # an expectation whose own turn tells the outcome is not pending
        (
            "en",
            "R: I expected two days, and it took three weeks.\nI: And?\n"
            "R: Yes, well, that's how it goes.",
            "unmet",
        ),
        # two turns later is too late
        (
            "de",
            "R: Ich bin davon ausgegangen, dass die mich zurückrufen.\nI: Und dann?\n"
            "R: Dann habe ich eine E-Mail geschrieben.\nI: Und?\nR: Ja, die kam nach zwei Tagen.",
            "unmet",
        ),
    ],
)
def test_a_later_turn_leaves_an_expectation_alone(tag_text, lang, text, value):
    assert expectations(tag_text, lang, text) == [(0, value)], text
