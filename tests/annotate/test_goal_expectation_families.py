"""GOAL and EXPECTATION however people say them (issue #20): families of phrasings, with
fillers inside the cue and Dutch/German verb brackets, in all three languages."""

from __future__ import annotations

import pytest

from .conftest import only

GOALS = [
    ("en", "What I really needed was a laptop that worked before the board meeting."),
    ("en", "The whole point was to get my deposit back before we moved."),
    ("en", "I want to send a file to an important customer before 5 pm."),
    ("en", "Honestly, all I wanted was for someone to tell me when the parcel would come."),
    ("en", "It was important to me that the claim was paid before the holidays."),
    ("en", "The main thing for me was, uh, being able to work from home that week."),
    ("en", "I was trying to get the permit sorted before the builders arrived."),
    ("nl", "Het ging mij erom dat ik mijn pakket voor het weekend had."),
    ("nl", "Het ging me eigenlijk vooral erom dat de schade snel vergoed werd."),
    ("nl", "Ik wil zo snel mogelijk volledig inzetbaar zijn."),
    ("nl", "Wat ik nodig had was gewoon een werkende pas."),
    ("nl", "Ik had eigenlijk echt een nieuwe afspraak nodig voor vrijdag."),
    ("nl", "Voor mij was het belangrijk dat de verhuizing in één dag klaar was."),
    ("nl", "Mijn doel was om voor de eerste van de maand een rekening te hebben."),
    ("de", "Mir war wichtig, dass die Versicherung den Schaden schnell bezahlt."),
    ("de", "Mir war es wirklich wichtig, dass ich vor dem Umzug die Genehmigung habe."),
    ("de", "Es ging mir eigentlich nur darum, dass das Paket rechtzeitig ankommt."),
    ("de", "Ich wollte das Konto bis Ende des Monats eröffnen."),
    ("de", "Das Wichtigste für mich war, dass der Termin noch diese Woche klappt."),
    ("de", "Worauf es mir ankam, war eine schnelle Antwort."),
]


@pytest.mark.parametrize(("lang", "text"), GOALS)
def test_goal_phrasing_families(tag_text, lang, text):
    goals = only(tag_text(lang, text), "GOAL")
    assert len(goals) == 1, (text, goals)
    assert goals[0].role == "respondent"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I needed to request it myself through the portal."),
        ("en", "I had to call them three times."),
        ("nl", "Ik moest het formulier zelf invullen."),
        ("de", "Ich musste den Antrag noch einmal ausfüllen."),
        ("en", "I had to be let in by reception every morning."),
    ],
)
def test_steps_and_routines_are_not_goals(tag_text, lang, text):
    assert only(tag_text(lang, text), "GOAL") == []


EXPECTATIONS = [
    ("en", "I'd have thought a day, tops.", "unmet"),
    ("en", "Three weeks was too long; a realistic wait would be two days.", "unmet"),
    ("en", "I was, uh, kind of hoping someone would call me back the same day.", "unmet"),
    ("en", "I assumed the courier would ring the bell, but he just left a card.", "unmet"),
    ("en", "I thought it would take ages, but it was actually even faster.", "exceeded"),
    ("en", "They promised a call back within the hour, and it did come on time.", "met"),
    ("nl", "Ik hoopte eigenlijk dat ze dezelfde dag zouden terugbellen.", "unmet"),
    ("nl", "Ik ging ervan uit dat de monteur 's ochtends zou komen.", "unmet"),
    ("nl", "Ik had eigenlijk wel verwacht dat ze me zouden bellen.", "unmet"),
    ("nl", "Een week, hooguit, dat vond ik redelijk, maar het werden er vier.", "unmet"),
    ("nl", "Ik dacht dat het weken zou duren, maar ik was positief verrast.", "exceeded"),
    ("de", "Ich bin davon ausgegangen, dass das Geld in einer Woche da ist.", "unmet"),
    ("de", "Ich hatte eigentlich fest damit gerechnet, dass jemand zurückruft.", "unmet"),
    ("de", "Ich hätte gedacht, zwei Tage höchstens, aber es waren drei Wochen.", "unmet"),
    ("de", "Ich dachte, das würde ewig dauern, aber ich war positiv überrascht.", "exceeded"),
]


@pytest.mark.parametrize(("lang", "text", "value"), EXPECTATIONS)
def test_expectation_phrasing_families(tag_text, lang, text, value):
    exps = only(tag_text(lang, text), "EXPECTATION")
    assert [t.value for t in exps] == [value], text


def test_answer_to_an_expectation_question(tag_text):
    ann = tag_text("en", "I: What would have been a reasonable wait?\nR: Two days, maybe.")
    assert [t.value for t in only(ann, "EXPECTATION")] == ["unmet"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I thought the portal was confusing."),
        ("nl", "Ik dacht: waarom is dit zo ingewikkeld?"),
        ("de", "Ich dachte, das Portal ist unübersichtlich."),
        ("en", "I: What did you expect?"),
    ],
)
def test_opinions_are_not_expectations(tag_text, lang, text):
    assert only(tag_text(lang, text), "EXPECTATION") == []


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "I: What did you need the order for?\nR: Uh. My daughter's birthday on the Saturday.",
        ),
        (
            "nl",
            "I: Wat wilde je bereiken?\nR: Nou ja. Dat de kinderen naar school konden.",
        ),
        (
            "de",
            "I: Und was war das Ziel?\nR: Na ja. Dass das Gehalt pünktlich auf dem Konto landet.",
        ),
    ],
)
def test_the_answer_to_a_goal_question_states_the_goal(tag_text, lang, text):
    goals = only(tag_text(lang, text), "GOAL")
    assert len(goals) == 1 and goals[0].attrs.get("answer") is True
    assert len(goals[0].text.split()) >= 3
