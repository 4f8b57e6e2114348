"""Through speech a turn arrives cut into sentences: Whisper makes a segment of each, so a
goal told over two sentences ("Race in April." / "No scan by February, I lose the entry.") or an
expectation and its outcome were read apart. Consecutive segments of a speaker whose role is
sure are one turn to the annotator (tags4, issue #20); typed lines and unsure roles stay apart."""

from __future__ import annotations

from dataclasses import replace

import pytest

from journeytape.annotate.devtext import transcript_from_text

from .conftest import only


def heard(text: str, lang: str, confidence: float = 0.95):
    """A transcript as speech gives it: the same segments, roles found by the pipeline."""
    transcript, _ = transcript_from_text(text, lang)
    speakers = [
        replace(s, role_source="voices", role_confidence=confidence) for s in transcript.speakers
    ]
    return replace(transcript, speakers=speakers)


SPLIT_GOALS = [
    (
        "en",
        "I: Was there a deadline?\nR: Race in April.\n"
        "R: No scan by the end of February.\nR: I lose the entry fee and the training block.",
    ),
    ("nl", "I: Had u haast?\nR: Maandag begon mijn nieuwe baan.\nR: Zonder auto kom ik daar niet."),
    (
        "de",
        "I: Gab es eine Frist?\nR: Am Montag fing meine Frühschicht an.\n"
        "R: Ohne Auto komme ich nicht ins Krankenhaus.",
    ),
]


@pytest.mark.parametrize("lang,text", SPLIT_GOALS)
def test_an_indirect_goal_cut_into_segments_is_found(annotator, lang, text):
    ann = annotator.annotate(heard(text, lang), "test", "0" * 64)
    assert [t.value for t in only(ann, "GOAL")] == ["indirect"]
    tag = only(ann, "GOAL")[0]
    seg = next(s for s in ann_segments(text, lang) if s.id == tag.segment_id)
    assert seg.text[tag.start_char : tag.end_char] == tag.text  # offsets stay in one segment


def ann_segments(text: str, lang: str):
    return heard(text, lang).segments


@pytest.mark.parametrize("lang,text", SPLIT_GOALS)
def test_typed_lines_and_unsure_roles_stay_apart(annotator, lang, text):
    """A typed line is the author's unit, and with roles unsure every question must stay its
    own turn: the cut goal is then not joined (what the text benches have always measured)."""
    typed, _ = transcript_from_text(text, lang)
    assert only(annotator.annotate(typed, "test", "0" * 64), "GOAL") == []
    unsure = heard(text, lang, confidence=0.3)
    assert only(annotator.annotate(unsure, "test", "0" * 64), "GOAL") == []


@pytest.mark.parametrize(
    "text",
    [
        # Whisper drops the -d of "assumed" before "they'd"/"the" (heard twice in 8 interviews)
        "I: Did you get a courtesy car?\nR: No, I'd sort of assume they'd give me one, but, no.",
        "R: I'd assume the whole thing would take maybe a week. It was more like four weeks.",
        # "Figured they'd …" without its "I" (a dev miss in text as well)
        "I: How long did you think it would take?\nR: Figured they'd pay within a fortnight.",
    ],
)
def test_expectations_as_heard(tag_text, text):
    assert [t.label for t in tag_text("en", text).tags if t.label == "EXPECTATION"] == [
        "EXPECTATION"
    ]
