"""GOAL near-misses and phrasings from the tags4 dev interviews (issue #20): what sounds like a
goal but is not (closed questions, hypothetical or action questions, "was about to", ways of
speaking, waiting and bringing as steps, hindsight wishes, "ohne/zonder" in passing) and goals
said in ways the cues missed ("vor allem", an adjective inside the cue, a bare "Ziel war", the
guides' own goal questions). Every case is in en/nl/de where the language has it."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeytape.guide import example_guide_path, load_guide

from .conftest import only

GUIDES = Path(__file__).resolve().parents[2] / "bench" / "corpus" / "guides"


def goals(tag_text, lang: str, text: str) -> list:
    return only(tag_text(lang, text), "GOAL")


@pytest.mark.parametrize(
    "lang,text",
    [
        # a yes/no question with "erreichen/bereiken/need the" asks whether, not what for
        (
            "de",
            "I: Konnten Sie die Werkstatt danach erreichen?\n"
            "R: Ich habe dreimal angerufen, immer besetzt.",
        ),
        ("de", "I: Wollten Sie das alles in der Filiale erledigen?\nR: Nicht unbedingt, nein."),
        (
            "nl",
            "I: Kon u iemand bereiken bij de klantenservice?\nR: Na veertig minuten in de wacht.",
        ),
        ("nl", "I: Wilde u meteen iemand bellen?\nR: Ik heb eerst een formulier ingevuld."),
        ("en", "I: Did you need the car that week?\nR: My wife took it to work on most days."),
        # a hypothetical question asks for a wish about the service
        (
            "de",
            "I: Was wäre Ihnen für die Zukunft wichtig?\n"
            "R: Man sollte Patienten ehrlich sagen, wie lange man wartet.",
        ),
        (
            "nl",
            "I: Wat zou voor u het belangrijkste zijn, een volgende keer?\n"
            "R: Dat ze eerlijk zeggen hoe lang het duurt.",
        ),
        (
            "en",
            "I: What would you most need from them next time?\nR: Being told how long the wait is.",
        ),
        # a question for what was done or brought
        ("de", "I: Was wollten Sie in dem Moment tun?\nR: Ich habe mich in Geduld geübt."),
        ("nl", "I: Wat wilde u toen doen?\nR: Ik heb de klantenservice gebeld."),
        ("en", "I: What did you need to bring?\nR: The referral and a list of my meds."),
        # "what was it about" opens the story; "worum ging es Ihnen" asks the goal
        (
            "de",
            "I: Schön, dass Sie da sind. Worum ging es bei Ihnen?\n"
            "R: Ich bin im Frühjahr nach Leipzig gezogen, wegen der neuen Stelle.",
        ),
    ],
)
def test_questions_that_do_not_ask_the_goal(tag_text, lang, text):
    assert goals(tag_text, lang, text) == []


@pytest.mark.parametrize(
    "lang,text",
    [
        (
            "de",
            "I: Worum ging es Ihnen bei der Bestellung?\n"
            "R: Dass der Roller rechtzeitig zum Geburtstag da ist.",
        ),
        ("nl", "I: Wat wilde u bereiken?\nR: Dat de stoel er maandag stond."),
        ("en", "I: What did you need most?\nR: A working car by Monday morning."),
    ],
)
def test_open_goal_questions_still_count(tag_text, lang, text):
    assert [t.value for t in goals(tag_text, lang, text)] == ["answer"]


@pytest.mark.parametrize(
    "lang,text",
    [
        # about to
        ("de", "Ich wollte gerade zustimmen, da meinte der Chef, das lohnt sich nicht."),
        ("nl", "Ik wilde net de deur opendoen voor de glazenwasser."),
        ("en", "I was just about to call again when the letter arrived."),
        # ways of speaking, complaining
        ("de", "Ich will mich gar nicht groß beschweren, die Leute können ja nichts dafür."),
        ("de", "Ich möchte betonen, dass ich damit gut leben kann."),
        ("nl", "Ik wil ook even zeggen dat de bezorger heel aardig was."),
        ("en", "I wanted to, um, just say the nurses were great."),
        # waiting and bringing are steps
        ("de", "Ich wollte erst mal abwarten, ob er beim Nachbarn ist."),
        ("de", "Ich musste bis acht Uhr nüchtern bleiben und ein Langzeit-EKG mitbringen."),
        ("nl", "Ik wilde eerst even afwachten of hij nog kwam."),
        ("nl", "Ik moest voor acht uur nuchter zijn en mijn medicijnen meenemen."),
        ("en", "I had to bring my passport by Friday."),
        # a hindsight wish about the service
        ("de", "Ich hätte gerne eine kurze E-Mail vorab bekommen, das hätte mir Unruhe erspart."),
        ("en", "I'd have liked to get a text beforehand, to be honest."),
        # "ohne/zonder" in passing after a date is no deadline with a consequence
        ("de", "Vor drei Wochen ist mir der Keilriemen gerissen, ohne jede Vorwarnung."),
        ("nl", "Woensdag geleverd. Zonder schroeven, trouwens."),
        ("nl", "Het dieptepunt was die eerste maandag, zonder laptop en zonder pas."),
    ],
)
def test_not_goals(tag_text, lang, text):
    assert goals(tag_text, lang, text) == []


@pytest.mark.parametrize(
    "lang,text",
    [
        ("de", "Am Montag fing meine Schicht an. Ohne Auto komme ich nicht ins Krankenhaus."),
        ("nl", "Maandag begon mijn nieuwe baan. Zonder auto kom ik daar niet."),
        ("en", "Race in April. No scan by the end of February, I lose the entry fee."),
    ],
)
def test_deadline_with_a_consequence_is_an_indirect_goal(tag_text, lang, text):
    assert [t.value for t in goals(tag_text, lang, text)] == ["indirect"]


@pytest.mark.parametrize(
    "lang,text",
    [
        ("de", "Mir ging es vor allem darum, dass ich am Montag wieder zur Arbeit komme."),
        ("de", "Es ging mir hauptsächlich darum, dass mein Gehalt ankommt."),
        ("de", "Mein vorrangiges Ziel war, Klarheit zu bekommen."),
        ("de", "Mein Wunsch war, vor der Operation genau zu wissen, was auf mich zukommt."),
        ("de", "Ziel war, dass der Roller vor dem Geburtstag da ist."),
        ("nl", "Het ging mij in de eerste plaats om een stoel die goed zit."),
        ("nl", "Mijn belangrijkste doel was een stoel die goed zit."),
        ("nl", "Mijn grootste wens was een snelle bezorging."),
        ("en", "Above all, what I needed was a date for the scan."),
        ("en", "My main goal was being able to run the half marathon."),
        ("en", "My one wish was a straight answer about the knee."),
    ],
)
def test_goal_phrasings(tag_text, lang, text):
    assert len(goals(tag_text, lang, text)) == 1


def _goal_questions():
    out = []
    answers = {
        "en": "A working heater before the winter.",
        "nl": "Een werkende verwarming voor de winter.",
        "de": "Eine funktionierende Heizung vor dem Winter.",
    }
    for path in [*sorted(GUIDES.glob("*.yaml")), example_guide_path()]:
        guide = load_guide(path)
        for q in guide.questions:
            if q.id == "goal":
                for lang, text in q.text.by_lang.items():
                    out.append(
                        pytest.param(
                            lang, f"I: {text}\nR: {answers[lang]}", id=f"{path.stem}-{lang}"
                        )
                    )
    return out


@pytest.mark.parametrize("lang,text", _goal_questions())
def test_every_guides_goal_question_is_a_goal_question(tag_text, lang, text):
    """The guides' own goal question (asked word for word) makes its answer the goal."""
    assert [t.value for t in goals(tag_text, lang, text)] == ["answer"]


def test_a_goal_to_avoid_something_stays_a_goal(tag_text):
    """Skipping "to" to find the verb must not turn "to not think" into a negated cue."""
    text = "I just wanted to not think about my feet on the fells, I suppose."
    assert len(goals(tag_text, "en", text)) == 1


@pytest.mark.parametrize(
    "lang,text",
    [
        ("en", "I: Why did you need the account?\nR: And by when?\nR: For my salary, by the 25th."),
        (
            "nl",
            "I: Waarvoor had u de rekening nodig?\nR: En wanneer?\nR: Voor mijn salaris, de 25e.",
        ),
        ("de", "I: Wofür brauchten Sie das Konto?\nR: Und bis wann?\nR: Für mein Gehalt, zum 25."),
    ],
)
def test_a_question_given_to_the_respondent_is_no_goal_answer(tag_text, lang, text):
    """Speech: diarization gives the tail of the interviewer's question to the respondent; the
    goal is the answer after it, not the question."""
    found = goals(tag_text, lang, text)
    assert [(t.segment_id, t.value) for t in found] == [(2, "answer")]


@pytest.mark.parametrize(
    "lang,text",
    [
        # a deadline word in a set phrase or before a duration is no deadline
        ("de", "Ich musste vor Ort eine Nummer ziehen und zwei Stunden sitzen."),
        ("de", "Ich musste vor drei Wochen einen neuen Antrag stellen lassen."),
        ("nl", "Ik moest voor mij een nieuwe pas laten maken, zei ze."),
        ("en", "I had to get the forms by post, which took ages."),
        # venting is no goal
        ("de", "Ich wollte schon schimpfen, dann haben sie es gleich selbst poliert."),
        ("nl", "Ik wilde al gaan schelden, maar toen belde ze terug."),
        ("en", "I wanted to shout at someone, honestly."),
    ],
)
def test_set_phrases_and_venting_are_no_goals(tag_text, lang, text):
    assert goals(tag_text, lang, text) == []


def test_a_date_then_a_consequence_is_an_indirect_goal(tag_text):
    text = "Der Mietvertrag begann am ersten. Sonst hätte ich zwei Monate doppelt gezahlt."
    assert [t.value for t in goals(tag_text, "de", text)] == ["indirect"]


@pytest.mark.parametrize(
    "lang,text",
    [
        (
            "de",
            "Das Gehalt kam am dreißigsten. Wenn das Konto bis dahin nicht steht, "
            "geht das Geld zurück nach Polen.",
        ),
        ("nl", "Als de stoel er maandag niet is, zit ik weer op de keukenstoel."),
        ("en", "The race is in April. If the scan isn't done by March, I lose my entry."),
    ],
)
def test_a_missed_deadline_as_a_condition_is_an_indirect_goal(tag_text, lang, text):
    assert [t.value for t in goals(tag_text, lang, text)] == ["indirect"]


@pytest.mark.parametrize(
    "lang,text",
    [
        ("de", "Wenn ich nicht am Montag angerufen hätte, wäre nichts passiert."),
        ("nl", "Als ik niet voor maandag had gebeld, was er niks gebeurd."),
        ("en", "If I hadn't called by Monday, nothing would have happened."),
    ],
)
def test_a_counterfactual_condition_is_no_goal(tag_text, lang, text):
    assert goals(tag_text, lang, text) == []


def test_round_two_german_families(tag_text):
    """The second set of fresh German dev interviews: a first step is no goal ("zunächst", like
    "erst/zuerst"), "früher als zugesagt" beats a promise, "verstimmt" is a feeling."""
    assert goals(tag_text, "de", "Ich wollte zunächst ein zweites Angebot einholen.") == []
    ann = tag_text("de", "Ich habe den Wagen abgeholt. Das war einen Tag früher als zugesagt.")
    assert [t.value for t in only(ann, "EXPECTATION")] == ["exceeded"]
    feel = only(tag_text("de", "Ich war verstimmt, das gebe ich zu."), "EMOTION")
    assert [t.attrs["polarity"] < 0 for t in feel] == [True]
