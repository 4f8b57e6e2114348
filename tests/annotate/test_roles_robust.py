"""Robust to the pipeline (issue #20): respondent labels survive unknown or uncertain roles,
and tags on words Whisper heard badly carry a lower confidence."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from journeytape.annotate.annotator import RESPONDENT_LABELS
from journeytape.annotate.devtext import load_dev_interview, transcript_from_text
from journeytape.transcribe.transcript import Speaker

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "annotate_devset"
NAMES = ["en_02_broken_laptop", "nl_03_outlook", "de_05_start"]


def one_voice(transcript, role: str | None, source: str | None, conf: float | None):
    """What diarization gives when it merges interviewer and respondent into one speaker."""
    segs = [replace(s, speaker="SPEAKER_00") for s in transcript.segments]
    talk = sum(s.end - s.start for s in segs)
    label = {"interviewer": "Interviewer", None: "Speaker 1"}[role]
    spk = Speaker(
        id="SPEAKER_00",
        label=label,
        role=role,
        role_source=source,
        role_confidence=conf,
        talk_time=talk,
    )
    return replace(transcript, segments=segs, speakers=[spk])


def respondent_tags(ann):
    return {(t.segment_id, t.label, t.value): t for t in ann.tags if t.label in RESPONDENT_LABELS}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("role", "source", "conf"),
    [(None, None, None), ("interviewer", "voice-sample", 0.9)],
)
def test_no_respondent_tag_lost_with_one_speaker(annotator, name, role, source, conf):
    d = load_dev_interview(DEVSET / f"{name}.txt")
    full = respondent_tags(annotator.annotate(d.transcript))
    assert len(full) >= 5
    merged = respondent_tags(annotator.annotate(one_voice(d.transcript, role, source, conf)))
    lost = set(full) - set(merged)
    assert not lost, lost
    for key, tag in full.items():
        assert merged[key].confidence < tag.confidence
        assert merged[key].attrs["role_uncertain"] is True


def test_a_weak_interviewer_guess_keeps_respondent_labels(annotator):
    t, _ = transcript_from_text("I: And then?\nR: I was so frustrated.", "en")
    weak = [
        replace(s, role="interviewer", role_source="conversation", role_confidence=0.55)
        if s.role == "respondent"
        else replace(s, role="respondent", role_source="conversation", role_confidence=0.55)
        for s in t.speakers
    ]
    ann = annotator.annotate(replace(t, speakers=weak))
    assert [x.value for x in ann.tags if x.label == "EMOTION"] == ["frustrated"]
    sure = [replace(s, role_confidence=0.95) for s in weak]
    ann = annotator.annotate(replace(t, speakers=sure))
    assert [x.value for x in ann.tags if x.label == "EMOTION"] == []


def test_badly_heard_words_lower_the_confidence(annotator):
    t, _ = transcript_from_text("R: Then I called the service desk.", "en")
    well = {x.value: x for x in annotator.annotate(t).tags}
    seg = t.segments[0]
    words = [replace(w, probability=0.2) if "service" in w.word else w for w in seg.words]
    t2 = replace(t, segments=[replace(seg, words=words)])
    badly = {x.value: x for x in annotator.annotate(t2).tags}
    assert badly["service_desk"].confidence < 0.6 * well["service_desk"].confidence
    assert badly["service_desk"].attrs["asr_probability"] == pytest.approx(0.2)
    assert badly["phone"].confidence == well["phone"].confidence
    assert "asr_probability" not in badly["phone"].attrs
