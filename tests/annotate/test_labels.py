"""Each label in each language on short spoken sentences, with real spaCy pipelines."""

from __future__ import annotations

import pytest

from .conftest import only

CHANNELS = [
    ("en", "Um, so I rang the helpdesk and, uh, they never picked up.", {"phone", "service_desk"}),
    ("en", "I just walked over to the guy who knows everything about laptops.", {"colleague"}),
    ("en", "My boss sent them an e-mail for me.", {"manager", "email"}),
    (
        "nl",
        "Ik heb de helpdeskmedewerker gebeld, en toen een mailtje gestuurd.",
        {"service_desk", "phone", "email"},
    ),
    ("nl", "Ik ben naar de jongen die alles van laptops weet gelopen.", {"colleague"}),
    (
        "de",
        "Ich habe die Hotline angerufen und dann dem Servicedesk-Team gemailt.",
        {"phone", "service_desk", "email"},
    ),
    ("de", "Ich bin zu dem Typen, der sich mit Laptops auskennt.", {"colleague"}),
    ("de", "Meine Kollegin hat mir den Chatbot gezeigt.", {"colleague", "chat"}),
]


@pytest.mark.parametrize(("lang", "text", "items"), CHANNELS)
def test_channels_normalised_to_checklist(tag_text, lang, text, items):
    ann = tag_text(lang, text)
    assert {t.value for t in only(ann, "CHANNEL")} == items
    for t in only(ann, "CHANNEL"):
        seg = text
        assert seg[t.start_char : t.end_char] == t.text
        assert t.rule.startswith(f"checklist:{t.value}:{lang}:")
        assert 0 < t.confidence <= 1


@pytest.mark.parametrize(
    ("lang", "text", "item"),
    [
        ("en", "My laptop wasn't there on day one.", "laptop_delivered"),
        ("en", "I had to wait a week for my access card.", "access_pass"),
        ("nl", "Ik kreeg binnen een uur een leenlaptop.", "loan_laptop"),
        ("nl", "Mijn toegangspas werkte niet.", "access_pass"),
        ("de", "Das Konto war am zweiten Tag freigeschaltet.", "account_activated"),
        ("de", "Ich bekam ein Leihgerät.", "loan_laptop"),
    ],
)
def test_touchpoints(tag_text, lang, text, item):
    assert item in {t.value for t in only(tag_text(lang, text), "TOUCHPOINT")}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Honestly I just wanted to be fully productive in my first week."),
        ("nl", "Nou, ik wilde voor vijf uur dat bestand versturen."),
        ("de", "Ich wollte nur noch diese eine Datei rausschicken."),
    ],
)
def test_goal_respondent_only(tag_text, lang, text):
    assert len(only(tag_text(lang, text), "GOAL")) == 1
    assert only(tag_text(lang, "I: " + text), "GOAL") == []


def test_goal_needs_a_deadline_for_had_to(tag_text):
    assert only(tag_text("en", "I had to be let in by reception every morning."), "GOAL") == []
    assert only(tag_text("nl", "Ik moest die dag een presentatie geven."), "GOAL")


EMOTIONS = [
    # lang, text, headword, sign, negated
    ("en", "I was so frustrated.", "frustrated", -1, False),
    ("en", "I wasn't really frustrated, to be honest.", "frustrated", 0, True),  # codebook
    ("en", "Not happy about the chatbot.", "happy", -1, True),
    ("en", "Really relieved, honestly.", "relieved", 1, False),
    ("nl", "Ik was echt gefrustreerd.", "gefrustreerd", -1, False),
    ("nl", "Ik was niet blij met die chat.", "blij", -1, True),
    ("nl", "Ik was niet ontevreden.", "ontevreden", 0, True),
    ("nl", "Blij was ik niet.", "blij", -1, True),
    ("nl", "Dat was echt een opluchting.", "opgelucht", 1, False),
    ("nl", "Nou, top. Weer geen laptop.", "geweldig", -1, False),  # sarcasm; not the "top." abbr.
    ("de", "Ich war total genervt.", "genervt", -1, False),
    ("de", "Ich war nicht zufrieden.", "zufrieden", -1, True),
    ("de", "Zufrieden war ich nicht.", "zufrieden", -1, True),
    ("de", "Das hat mich total geärgert.", "ärgerlich", -1, False),
    ("de", "Ich war so erleichtert.", "erleichtert", 1, False),
]


@pytest.mark.parametrize(("lang", "text", "value", "sign", "negated"), EMOTIONS)
def test_emotion_polarity_and_negation(tag_text, lang, text, value, sign, negated):
    emos = only(tag_text(lang, text), "EMOTION")
    assert [t.value for t in emos] == [value]
    a = emos[0].attrs
    assert (a["polarity"] > 0) - (a["polarity"] < 0) == sign
    assert a["negated"] is negated
    assert 0 <= a["intensity"] <= 1


def test_intensifier_raises_intensity(tag_text):
    plain = only(tag_text("en", "I was annoyed."), "EMOTION")[0].attrs["intensity"]
    strong = only(tag_text("en", "I was extremely annoyed."), "EMOTION")[0].attrs["intensity"]
    weak = only(tag_text("en", "I was a bit annoyed."), "EMOTION")[0].attrs["intensity"]
    assert weak < plain < strong


def test_interviewer_emotions_are_not_tagged(tag_text):
    assert only(tag_text("en", "I: Were you frustrated?"), "EMOTION") == []


SCORES = [
    ("en", "I: How would you rate it overall?\nR: Seven out of ten.", 7.0, "overall"),
    ("en", "I: And a score?\nR: Maybe a six and a half.", 6.5, "overall"),
    ("en", "R: I'd give the phone call four out of five.", 8.0, "moment"),
    ("en", "R: Overall 7/10.", 7.0, "overall"),
    ("nl", "I: Welk cijfer geef je het?\nR: Eh, een zesje.", 6.0, "overall"),
    ("nl", "I: Welk cijfer?\nR: Een 8 voor de telefonische hulp.", 8.0, "overall"),
    ("nl", "R: Voor de leenlaptop een 8.", 8.0, "moment"),
    ("nl", "R: Ik geef het een zeven.", 7.0, "overall"),
    ("nl", "R: Zeven uit tien, denk ik.", 7.0, "overall"),
    ("de", "I: Welche Schulnote?\nR: Eine Zwei.", 8.0, "overall"),
    ("de", "R: Insgesamt eher eine Vier.", 4.0, "overall"),
    ("de", "R: Für den Chatbot eine Fünf.", 2.0, "moment"),
    ("de", "R: Acht von zehn, würde ich sagen.", 8.0, "overall"),
    ("de", "I: Welche Note?\nR: Eine Zwei minus.", 7.4, "overall"),
    ("de", "I: Welche Note?\nR: Eine Drei bis Vier.", 5.0, "overall"),
    ("de", "I: Welche Note?\nR: Zwei, würde ich sagen.", 8.0, "overall"),
    ("de", "R: Ich gebe eine 2.", 8.0, "overall"),  # Whisper writes digits
    ("de", "R: Also ne 2- würde ich geben.", 7.4, "overall"),
    ("de", "I: Von eins bis zehn?\nR: Eine 7.", 7.0, "overall"),
    ("en", "I: And overall, out of ten?\nR: Six, I'd say.", 6.0, "overall"),
    ("en", "R: For the phone call, three out of ten.", 3.0, "moment"),
    ("nl", "I: Welk cijfer?\nR: Een zes à zeven.", 6.5, "overall"),
]


@pytest.mark.parametrize(("lang", "text", "score", "scope"), SCORES)
def test_scores_normalised_to_ten(tag_text, lang, text, score, scope):
    scores = only(tag_text(lang, text), "SCORE")
    assert len(scores) == 1, scores
    assert float(scores[0].value) == pytest.approx(score, abs=0.05)
    assert scores[0].attrs["score_0_10"] == pytest.approx(score, abs=0.05)
    if "Een 8 voor" not in text:
        assert scores[0].attrs["scope"] == scope


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I waited a five minute break and then two people came."),
        ("nl", "Na een paar dagen kwam er een monteur."),
        ("de", "Nach zwei Wochen kam eine Mail."),
    ],
)
def test_no_scores_in_plain_numbers(tag_text, lang, text):
    assert only(tag_text(lang, text), "SCORE") == []


EXPECTATIONS = [
    (
        "en",
        "It took three weeks, which was way too long. I expected two days.",
        "unmet",
        172800.0,
        1814400.0,
    ),
    ("en", "It was much faster than I expected.", "exceeded", None, None),
    (
        "nl",
        "Ik had verwacht dat het een dag zou duren, maar het werd twee weken.",
        "unmet",
        86400.0,
        1209600.0,
    ),
    ("nl", "Dat was sneller dan ik had verwacht.", "exceeded", None, None),
    (
        "de",
        "Ich hatte mit einer Stunde gerechnet, es waren nur zehn Minuten.",
        "exceeded",
        3600.0,
        600.0,
    ),
    ("de", "Das hat länger gedauert als erwartet.", "unmet", None, None),
    ("nl", "Ze zeiden een week, het werden er drie.", "unmet", 604800.0, 1814400.0),
    ("nl", "Ik had gehoopt dat alles op dag één geregeld zou zijn.", "unmet", None, None),
    ("en", "I'd hoped they would fix it remotely.", "unmet", None, None),
]


@pytest.mark.parametrize(("lang", "text", "value", "expected_s", "actual_s"), EXPECTATIONS)
def test_expectations_with_durations(tag_text, lang, text, value, expected_s, actual_s):
    exps = only(tag_text(lang, text), "EXPECTATION")
    assert [t.value for t in exps] == [value]
    if expected_s is not None:
        assert exps[0].attrs["expected_seconds"] == pytest.approx(expected_s)
        assert exps[0].attrs["actual_seconds"] == pytest.approx(actual_s)


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        ("en", "The low point was standing outside in the rain.", "low"),
        ("en", "The best moment was getting that loaner.", "high"),
        ("nl", "Het dieptepunt was die eerste maandag zonder laptop.", "low"),
        ("nl", "Het hoogtepunt was toen ik mijn laptop kreeg.", "high"),
        ("de", "Der Tiefpunkt war der erste Montag.", "low"),
        ("de", "Der Höhepunkt war, als ich endlich wieder einloggen konnte.", "high"),
    ],
)
def test_peaks(tag_text, lang, text, value):
    peaks = only(tag_text(lang, text), "PEAK")
    assert [t.value for t in peaks] == [value]
    assert not only(tag_text(lang, text), "EMOTION"), "a superlative in a peak is no emotion"


def test_times_come_from_word_timestamps(tag_text):
    ann = tag_text("en", "I: Hello there.\nR: Well, then I called the service desk.")
    phone = next(t for t in ann.tags if t.value == "phone")
    seg_words = {w.word.strip(): w for w in ann_segment_words(tag_text)}
    assert phone.start == pytest.approx(seg_words["called"].start)
    assert phone.end == pytest.approx(seg_words["called"].end)
    assert phone.role == "respondent" and phone.speaker == "SPEAKER_01"


def ann_segment_words(tag_text):
    from journeytape.annotate.devtext import transcript_from_text

    t, _ = transcript_from_text("I: Hello there.\nR: Well, then I called the service desk.", "en")
    return t.segments[1].words


def test_coverage_lists_what_was_never_discussed(tag_text, guide):
    ann = tag_text("en", "I: Did you use the intranet?\nR: No, I phoned the service desk.")
    cov = {c.item: c for c in ann.coverage}
    assert set(cov) == {it.id for it in guide.checklist}
    assert cov["intranet"].covered and cov["phone"].covered and cov["service_desk"].covered
    assert not cov["chat"].covered and cov["chat"].mentions == 0
    assert cov["chat"].first_mention is None
    assert (
        cov["phone"].tag_ids
        and cov["intranet"].first_mention == 0.0 + cov["intranet"].first_mention
    )
    assert cov["email"].label == "Email"


def test_pipeline_is_recorded(tag_text):
    en = tag_text("en", "Fine.").pipeline
    nl = tag_text("nl", "Prima.").pipeline
    assert en["kind"] == "trained" and en["name"].startswith("en_core_web")
    assert nl["kind"] in ("trained", "blank+lookups")
    if nl["kind"] == "blank+lookups":
        assert nl["lemmas"] == "simplemma lookup"


def test_doc_spans_hold_the_tags(annotator):
    """Each label's component writes its own span group; the hits ride in its attrs."""
    la = annotator.for_language("en")
    doc = la.nlp("I was not happy, so I called the helpdesk.")
    found = {label: [s.text for s in doc.spans[label]] for label in doc.spans if doc.spans[label]}
    assert found == {"EMOTION": ["not happy"], "CHANNEL": ["called", "helpdesk"]}
    (emotion,) = doc.spans["EMOTION"].attrs["journeytape"]
    assert emotion.attrs["negated"] is True and emotion.value == "happy"
    assert [h.label for h in la.hits(doc)] == ["CHANNEL", "CHANNEL", "EMOTION"]


def test_without_speaker_roles_questions_are_not_answers(annotator):
    """One voice, no diarization: 'What was the low point?' is the interviewer's question."""
    from journeytape.annotate.devtext import transcript_from_text

    t, _ = transcript_from_text(
        "R: What was the low point? The low point was the waiting. Were you frustrated? "
        "Yes, I was frustrated.",
        "en",
    )
    for s in t.speakers:
        s.role = None
    ann = annotator.annotate(t)
    assert [x.text for x in only(ann, "PEAK")] == ["low point was the waiting"]
    assert [x.text for x in only(ann, "EMOTION")] == ["frustrated"]
    assert only(ann, "EMOTION")[0].start_char > 60
    assert all(x.role is None for x in ann.tags)


def test_emolex_only_adds_words(guide, tmp_path):
    """An NRC-EmoLex-shaped file adds words; journeytape's own entries keep precedence."""
    import json

    from journeytape.annotate.annotator import Annotator
    from journeytape.annotate.devtext import transcript_from_text

    lex = tmp_path / "dutch.json"
    lex.write_text(
        json.dumps(
            {
                "gelukzalig": ["joy", "anticipation"],
                "blij": ["anger"],  # journeytape's own entry wins
                "accu": ["anger"],  # a checklist word ("nieuwe accu"): never an emotion
                "account": ["trust"],  # trust alone is too vague to count
            }
        )
    )
    a = Annotator(guide, emolex=str(lex))
    t, _ = transcript_from_text("R: Ik was gelukzalig en blij, mijn account en accu ook.", "nl")
    emos = {x.value: x for x in a.annotate(t).tags if x.label == "EMOTION"}
    assert emos["gelukzalig"].attrs["lexicon"] == "nrc-emolex"
    assert emos["gelukzalig"].attrs["polarity"] > 0
    assert emos["blij"].attrs["lexicon"] == "journeytape" and emos["blij"].attrs["polarity"] > 0
    assert set(emos) == {"gelukzalig", "blij"}
