"""Non-expectation families from the tags3 dev interviews (car repair, train refund): hedges
and bare cues are no goals, "felt a bit silly" is a feeling, and counts or judgements that
look like grades are none."""

from __future__ import annotations

import pytest

from .conftest import only


@pytest.mark.parametrize(
    "text",
    [
        "We sat there for, I want to say, two hours? Maybe a bit less.",
        "My brother drove me to my mum's. So the whole point, gone.",
    ],
)
def test_hedges_and_bare_cues_are_no_goals(tag_text, text):
    assert only(tag_text("en", text), "GOAL") == []


def test_felt_a_bit_silly_is_a_feeling(tag_text):
    tags = only(tag_text("en", "I felt a bit silly, talking to a bot."), "EMOTION")
    assert [t.attrs["polarity"] < 0 for t in tags] == [True]


def test_eentje_is_a_count_unless_a_grade_was_asked(tag_text):
    text = "Ze stuurden appjes. Eentje toen hij binnen was, eentje met de diagnose."
    assert only(tag_text("nl", text), "SCORE") == []
    asked = "I: Welk cijfer geeft u het?\nR: Een eentje. Echt waardeloos."
    assert [t.value for t in only(tag_text("nl", asked), "SCORE")] == ["1"]


def test_a_negated_grade_word_is_no_grade(tag_text):
    text = (
        "I: Welche Note geben Sie dem Ganzen?\n"
        "R: Eine Drei, würde ich sagen. Nicht schlecht, nicht gut."
    )
    assert [t.value for t in only(tag_text("de", text), "SCORE")] == ["6"]
