"""Second pass on the weak cells of issue #20 (EXPECTATION en/nl, EMOTION en): relative days
("the next day", "another month", "de volgende dag", "am nächsten Tag") are durations; two
durations in one turn decide the status over a later verdict ("it worked out in the end");
"just what I had hoped for" is a met expectation; an "-ed" feeling word that describes a noun
("a worried dog") is that noun's feeling, not the respondent's."""

from __future__ import annotations

import pytest

from .conftest import only

EXPECTATIONS = [
    # expected a relative day, got something much later: unmet, even if it "worked out"
    (
        "en",
        "I was hoping they'd swap it the next day, but it took two weeks. "
        "It worked out in the end.",
        "unmet",
    ),
    (
        "nl",
        "Ik hoopte dat ze de fiets de volgende dag zouden brengen, maar het werd een week later. "
        "Ik wilde gewoon met een nieuwe fiets op vakantie.",
        "unmet",
    ),
    (
        "de",
        "Ich hatte gehofft, dass es am nächsten Tag kommt, aber es dauerte zwei Wochen.",
        "unmet",
    ),
    # expected another wait, got it at once: exceeded
    (
        "en",
        "I was thinking I'd be waiting another month for the scan, "
        "and I got it that same afternoon.",
        "exceeded",
    ),
    # the verdict refers back to what was hoped for: met
    (
        "en",
        "The nurse sorted everything in ten minutes. That was exactly what I had hoped for.",
        "met",
    ),
    (
        "nl",
        "De monteur kwam gewoon op tijd. Dat was precies waar ik op had gehoopt.",
        "met",
    ),
]


@pytest.mark.parametrize(("lang", "text", "value"), EXPECTATIONS)
def test_relative_days_and_verdicts(tag_text, lang, text, value):
    exps = only(tag_text(lang, text), "EXPECTATION")
    assert [t.value for t in exps] == [value], (text, exps)


@pytest.mark.parametrize(
    "text",
    [
        "We had three kids and a very confused cat in the back of the car.",
        "A worried neighbour came over to ask about the van.",
    ],
)
def test_a_feeling_that_describes_a_noun_is_not_the_respondents(tag_text, text):
    assert only(tag_text("en", text), "EMOTION") == []


def test_the_respondents_own_feeling_stays(tag_text):
    emos = only(tag_text("en", "I was very confused by the letter, and worried too."), "EMOTION")
    assert {t.value for t in emos} >= {"confused", "worried"}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Honestly, it was not what I had hoped for."),
        ("nl", "Het was echt niet wat ik had verwacht."),
    ],
)
def test_a_negated_verdict_is_unmet(tag_text, lang, text):
    assert [t.value for t in only(tag_text(lang, text), "EXPECTATION")] == ["unmet"]


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        # a bare grade after "I'd say" / "or" / "zeg maar" / "oder" answers the question
        (
            "en",
            "I: Out of ten, the branch?\nR: The branch, I'd say four, because of the wait.",
            "4",
        ),
        (
            "en",
            "I: Out of ten?\nR: Maybe a nine. Or eight and a half. Let's say eight and a half.",
            "8.5",
        ),
        ("nl", "I: Welk cijfer, van één tot tien?\nR: Een zeven. Of zes, zeg maar zes.", "6"),
        (
            "de",
            "I: Auf einer Skala von eins bis zehn?\nR: Eine Acht. Oder sieben, sagen wir sieben.",
            "7",
        ),
    ],
)
def test_a_bare_grade_after_say_or_or(tag_text, lang, text, value):
    assert [t.value for t in only(tag_text(lang, text), "SCORE")] == [value], text


def test_the_expected_duration_follows_the_cue(tag_text):
    text = (
        "They did the blood test the same morning, and I was thinking I'd have to wait, "
        "like, another week for the results, and I had them the same day."
    )
    assert [t.value for t in only(tag_text("en", text), "EXPECTATION")] == ["exceeded"]


def test_a_duration_after_a_contrast_is_what_happened(tag_text):
    text = "Two days, I expected, and it took three weeks."
    assert [t.value for t in only(tag_text("en", text), "EXPECTATION")] == ["unmet"]
