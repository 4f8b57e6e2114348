"""Phrasing families found in dev interviews written in voices the corpus lacked (formal
elderly, blunt sardonic, chatty hedging; bench/corpus/interviews/*_03.txt): who wants
something, goals said as "the one thing that mattered", hopes that are goals, reported
thoughts, expected trouble that did not come, verdicts that point back, sarcasm opened by
"oh", and a scale kept across "on the same scale"."""

from __future__ import annotations

import pytest

from .conftest import only


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The one thing that mattered was getting the keys before the weekend."),
        ("en", "The only thing that really mattered to me was a working phone by Friday."),
        ("nl", "Het enige wat telde was dat we voor de kerst in het nieuwe huis zaten."),
    ],
)
def test_the_one_thing_that_mattered_is_a_goal(tag_text, lang, text):
    assert len(only(tag_text(lang, text), "GOAL")) == 1, text


@pytest.mark.parametrize(
    "text",
    [
        "They wanted my passport and a utility bill.",
        "The bank wanted the form signed twice.",
    ],
)
def test_what_someone_else_wanted_is_no_goal(tag_text, text):
    assert only(tag_text("en", text), "GOAL") == []


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        ("en", "I had imagined it would be done in one visit, but it took five weeks.", "unmet"),
        (
            "en",
            "I'd assumed the handover would be a nightmare, but it took ten minutes.",
            "exceeded",
        ),
        (
            "nl",
            "Ik was bang dat het een drama zou worden, maar het was in een uur geregeld.",
            "exceeded",
        ),
        ("nl", "De aansluiting werkte binnen een dag, en dat had ik ook zo verwacht.", "met"),
        ("en", "The refund came within a week, which is what I expected.", "met"),
    ],
)
def test_expectation_voices(tag_text, lang, text, value):
    assert [t.value for t in only(tag_text(lang, text), "EXPECTATION")] == [value], text


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "What I was hoping to achieve was a card before my trip."),
        ("en", "I sat there and I thought: I'll never manage this on my own."),
    ],
)
def test_goals_and_reported_thoughts_are_not_expectations(tag_text, lang, text):
    assert only(tag_text(lang, text), "EXPECTATION") == []


def test_oh_opens_a_sarcastic_feeling(tag_text):
    emos = only(tag_text("en", "Oh, I was thrilled. Forty minutes of hold music."), "EMOTION")
    assert [t.attrs["polarity"] < 0 for t in emos] == [True]


def test_a_scale_is_kept_on_the_same_scale(tag_text):
    ann = tag_text(
        "en",
        "I: One to five, the branch?\nR: A four.\nI: And the whole, on the same scale?\n"
        "R: Three and a half, I should think.",
    )
    assert [t.value for t in only(ann, "SCORE")] == ["8", "7"]


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("Nothing says welcome home like hold music.", 0),
        ("They sent a welcome email with the login.", 0),
        ("The staff made me feel welcome straight away.", 1),
    ],
)
def test_welcome_is_a_feeling_only_when_felt(tag_text, text, n):
    assert len(only(tag_text("en", text), "EMOTION")) == n, text


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        (
            "en",
            "I: Out of ten, the delivery?\nR: The delivery, um, six? Maybe six or seven.",
            "6.5",
        ),
        ("nl", "I: Welk cijfer geeft u de levering?\nR: Een zes? Misschien een zeven.", "7"),
    ],
)
def test_a_tentative_grade_then_another_keeps_the_last(tag_text, lang, text, value):
    assert [t.value for t in only(tag_text(lang, text), "SCORE")] == [value], text


def test_rather_inside_an_expectation_cue(tag_text):
    text = "I had rather imagined it would be done in one visit. In the end it was five weeks."
    assert [t.value for t in only(tag_text("en", text), "EXPECTATION")] == ["unmet"]


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("Honestly I just felt lost with all those forms.", -1),
        ("That second letter really took the wind out of my sails.", -1),
        ("When the card came I felt independent again.", 1),
    ],
)
def test_feelings_said_as_felt_x_and_idioms(tag_text, text, sign):
    emos = only(tag_text("en", text), "EMOTION")
    assert [t.attrs["polarity"] * sign > 0 for t in emos] == [True], text
