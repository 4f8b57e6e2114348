"""Expectation families found in dev interviews about new journeys (car repair, train refund;
bench/corpus/interviews/*_car_repair_01.txt, *_train_refund_01.txt): surprise said as a
negated expectation, what is usual, a result compared with a quote, yes/no answers to a
closed expectation question, verdicts that point back at a promise, vague amounts, and
negators that belong to a verdict."""

from __future__ import annotations

import pytest

from .conftest import only


def expectations(tag_text, lang: str, text: str) -> list[str | None]:
    return [t.value for t in only(tag_text(lang, text), "EXPECTATION")]


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        ("nl", "Vrijdag was hij al klaar. Dat had ik echt niet verwacht.", "exceeded"),
        ("nl", "Het volledige bedrag, dat had ik eerlijk gezegd niet verwacht.", "exceeded"),
        ("nl", "Hij was duurder geworden. Dat had ik niet zien aankomen.", "unmet"),
        (
            "de",
            "Das hätte ich nicht gedacht, dass die das anbieten. Ich war erleichtert.",
            "exceeded",
        ),
        ("de", "Damit hatte ich nicht gerechnet, es wurde noch teurer.", "unmet"),
        ("en", "They rang back the same day. I wasn't expecting that, I was relieved.", "exceeded"),
        ("en", "I didn't expect it to get worse, and it took longer again.", "unmet"),
    ],
)
def test_surprise_is_an_expectation_its_turn_tells_the_way(tag_text, lang, text, value):
    assert expectations(tag_text, lang, text) == [value], text


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        (
            "nl",
            "Normaal gesproken duurt dat een half uur, zeggen ze, maar het werd anderhalf uur.",
            "unmet",
        ),
        (
            "en",
            "Normally these things take a couple of weeks, and it did take about two weeks.",
            "met",
        ),
        ("de", "Normalerweise dauert das zwei Tage, diesmal waren es zehn Tage.", "unmet"),
    ],
)
def test_what_is_usual_is_what_was_expected(tag_text, lang, text, value):
    assert expectations(tag_text, lang, text) == [value], text


def test_an_earlier_duration_of_another_order_is_not_what_happened(tag_text):
    text = "In de wacht, twintig minuten. Toen zeiden ze: normaal gesproken duurt het twee weken."
    assert expectations(tag_text, "nl", text) == ["unmet"]


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        ("nl", "De rekening was hoger dan de offerte, zo'n honderd euro.", "unmet"),
        ("en", "In the end it was cheaper than the quote.", "exceeded"),
        ("de", "Die Rechnung war höher als der Kostenvoranschlag.", "unmet"),
    ],
)
def test_a_result_compared_with_the_quote(tag_text, lang, text, value):
    assert expectations(tag_text, lang, text) == [value], text


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        ("nl", "I: Was dat wat u verwachtte?\nR: Ja, dat wel. Zo hoort het ook.", "met"),
        (
            "en",
            "I: Was that what you expected?\nR: No, not at all. Three weeks of nothing.",
            "unmet",
        ),
        ("de", "I: War das so, wie Sie es erwartet hatten?\nR: Nein, überhaupt nicht.", "unmet"),
        ("en", "I: Did it take as long as you expected?\nR: No, it was much faster.", "exceeded"),
    ],
)
def test_yes_or_no_to_a_closed_expectation_question(tag_text, lang, text, value):
    assert expectations(tag_text, lang, text) == [value], text


def test_an_open_expectation_question_takes_no_yes_no_answer(tag_text):
    assert expectations(tag_text, "en", "I: What did you expect?\nR: No idea, honestly.") == []


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "Entsprach ziemlich genau dem Kostenvoranschlag."),
        (
            "de",
            "Ich bin davon ausgegangen, dass jemand binnen einer Stunde kommt, und so war es auch.",
        ),
        ("en", "The car was ready on Friday, as promised."),
        ("nl", "De monteur kwam om negen uur, zoals afgesproken."),
    ],
)
def test_verdicts_that_point_at_a_promise_are_met(tag_text, lang, text):
    assert expectations(tag_text, lang, text) == ["met"], text


def test_a_negator_inside_a_verdict_does_not_negate_it(tag_text):
    text = (
        "Ich hatte befürchtet, dass ich wieder Monate warten müsste; das war "
        "erfreulicherweise nicht der Fall."
    )
    assert expectations(tag_text, "de", text) == ["exceeded"]


def test_trouble_expected_then_a_contrast(tag_text):
    text = (
        "Ik ging ervan uit dat het een paar dagen zou duren, want dat is niet niks. "
        "Maar ze hadden het onderdeel op voorraad."
    )
    assert expectations(tag_text, "nl", text) == ["exceeded"]


@pytest.mark.parametrize(
    ("lang", "text", "seconds"),
    [
        ("en", "It should take a couple of weeks.", 2 * 604800),
        ("nl", "Dat zou een paar dagen duren.", 2 * 86400),
        ("de", "Das sollte ein paar Tage dauern.", 2 * 86400),
    ],
)
def test_a_couple_of_is_two(annotator, lang, text, seconds):
    la = annotator.for_language(lang)
    doc = la.nlp(text)
    assert [d[2] for d in la.component("EXPECTATION").durations(doc)] == [seconds]


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        (
            "en",
            "The refund came two days after that. I was under the impression it'd take "
            "another fortnight, so, fair play.",
            "exceeded",
        ),
        ("en", "Their own site says refunds are paid within fourteen days.", "unmet"),
        ("en", "It was meant to be simple.", "unmet"),
        ("nl", "Er stond in dat het binnen tien werkdagen op mijn rekening zou staan.", "unmet"),
        ("nl", "Ik rekende erop dat iemand zou kunnen zeggen waar het bleef, maar nee.", "unmet"),
        ("en", "The bill was exactly what they'd quoted, to the penny.", "met"),
    ],
)
def test_what_a_site_said_and_what_was_counted_on(tag_text, lang, text, value):
    assert expectations(tag_text, lang, text) == [value], text


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I was humiliated, frankly, like I was trying to con them."),
        ("nl", "Hij keek me aan alsof ik wilde frauderen."),
    ],
)
def test_a_comparison_is_no_goal(tag_text, lang, text):
    assert only(tag_text(lang, text), "GOAL") == []
