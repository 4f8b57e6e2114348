"""The annotator as spaCy components: one registered factory per label, results on doc.spans,
the conversation carried from turn to turn."""

from __future__ import annotations

import pytest

from journeytape.annotate.annotator import LanguageAnnotator
from journeytape.annotate.components import CHECKLIST, CONVERSATION, LABEL_COMPONENTS
from journeytape.annotate.turns import Turn, checklist_hits, hits_of, new_context
from journeytape.guide import GuideError, parse_guide

GUIDE = """\
journey: Components
languages: [en]
checklist:
  - id: helpdesk
    kind: channel
    synonyms: {en: [helpdesk]}
  - id: ticket
    kind: touchpoint
    synonyms: {en: [ticket]}
  - id: account
    kind: touchpoint
    synonyms: {en: [account]}
"""


@pytest.fixture(scope="module")
def la(annotator):
    return annotator.for_language("en")


def test_every_label_is_a_registered_component_in_the_pipeline(la):
    from spacy.language import Language

    names = [CHECKLIST, *LABEL_COMPONENTS.values(), CONVERSATION]
    assert all(Language.has_factory(n) for n in names)
    # the language's own components first (lemmas for the matchers), the conversation last
    assert la.nlp.pipe_names[-len(names) :] == names
    assert "lemmatizer" in la.nlp.pipe_names[: -len(names)]


def test_each_component_writes_its_own_span_group(la):
    doc = la.nlp(
        "I called the helpdesk. I was furious. I'd give it a four out of ten. "
        "I expected two days and it took three weeks. The worst moment was the waiting."
    )
    found = {label: [s.text for s in doc.spans[label]] for label in doc.spans}
    assert found["CHANNEL"] == ["called", "helpdesk"]
    assert found["EMOTION"] == ["furious"]
    assert found["SCORE"] == ["a four out of ten"]
    assert found["EXPECTATION"] == ["I expected two days and it took three weeks"]
    assert found["PEAK"] == ["worst moment was the waiting"]
    (score,) = hits_of(doc, "SCORE")
    assert score.value == "4" and score.attrs["scale"] == "1-10"


def test_the_conversation_carries_the_question_to_the_answer(la):
    """ "Six." is a grade only after "out of ten?": the conversation component, last in the
    pipeline, hands the interviewer's question to the next turn."""
    context = new_context()
    texts = [("interviewer", "Out of ten, how would you rate it?"), ("respondent", "Six.")]
    docs = []
    for role, text in texts:
        doc = la.nlp.make_doc(text)
        doc._.journeytape_turn = Turn(role, True, context)
        docs.append(doc)
    question, answer = la.nlp.pipe(docs)
    assert not question.spans["SCORE"]  # the interviewer's turn has no respondent labels
    assert [h.value for h in hits_of(answer, "SCORE")] == ["6"]
    alone = la.nlp("Six.")  # without the question it is just a number
    assert not alone.spans["SCORE"]


def test_an_uncertain_speaker_gets_respondent_labels_with_lower_confidence(la):
    doc = la.nlp.make_doc("I was furious. Were you furious?")
    doc._.journeytape_turn = Turn("interviewer", False)
    doc = la.nlp(doc)
    (hit,) = hits_of(doc, "EMOTION")  # the question is the interviewer's
    assert hit.attrs["role_uncertain"] and hit.confidence == pytest.approx(0.75 * 0.7)


def test_each_guide_gets_its_own_checklist_on_shared_trained_components(la):
    other = LanguageAnnotator(parse_guide(GUIDE), "en")
    doc = other.nlp("I logged a ticket with the helpdesk by email.")
    assert [s.text for s in doc.spans["CHANNEL"]] == ["helpdesk"]  # no 'email' in this guide
    assert [s.text for s in doc.spans["TOUCHPOINT"]] == ["ticket"]
    assert other.nlp.get_pipe("tagger") is la.nlp.get_pipe("tagger")  # loaded once


def test_checklist_hits_keep_the_order_the_component_found_them_in():
    """CHANNEL and TOUCHPOINT are two span groups; the span ids restore the checklist's one
    order (by item, then position), which SCORE and PEAK read ("the last item before")."""
    la = LanguageAnnotator(parse_guide(GUIDE), "en")
    doc = la.nlp("I asked the helpdesk about my account and got a ticket.")
    assert [h.value for h in checklist_hits(doc)] == ["account", "helpdesk", "ticket"]


@pytest.mark.slow  # a blank French pipeline loads its lookup tables: ~20 s here
def test_a_language_without_rules_tags_only_the_checklist():
    guide = parse_guide(
        GUIDE.replace("[en]", "[en, fr]").replace("[helpdesk]}", "[helpdesk], fr: [guichet]}")
    )
    fr = LanguageAnnotator(guide, "fr")
    assert fr.nlp.pipe_names[-2:] == [CHECKLIST, CONVERSATION]
    assert fr.component("EMOTION") is None and fr.component("CHANNEL") is not None
    assert any("no journeytape rules for language 'fr'" in w for w in fr.warnings)
    doc = fr.nlp("J'ai appelé le guichet.")
    assert [s.text for s in doc.spans["CHANNEL"]] == ["guichet"]


def test_an_invalid_guide_pattern_names_the_guide_line():
    broken = GUIDE + "    patterns: {en: [[{LOWER: {NOPE: x}}]]}\n"
    with pytest.raises(GuideError, match=r"^guide\.yaml:10: invalid spaCy pattern in 'account'"):
        g = parse_guide(broken, "guide.yaml")
        g.path = "guide.yaml"
        LanguageAnnotator(g, "en")
