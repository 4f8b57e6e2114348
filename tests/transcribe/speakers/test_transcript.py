"""Speakers in real transcripts: words split at speaker changes, roles, the JSON contract."""

from __future__ import annotations

import copy
import re
from dataclasses import replace

from journeytape.transcribe.audio import decode
from journeytape.transcribe.diarize import diarize_transcript
from journeytape.transcribe.transcript import load_transcript, save_transcript


def _norm(text: str) -> str:
    return re.sub(r"[^a-z ]", "", text.lower()).strip()


def voice_of(clip, start: float, end: float) -> str | None:
    mid = 0.5 * (start + end)
    for a, b, v in clip.turns:
        if a - 0.3 <= mid <= b + 0.3:
            return v
    return None


def speaker_of_voice(clip, t, voice: str) -> str:
    votes: dict[str, int] = {}
    for seg in t.segments:
        for w in seg.words:
            if voice_of(clip, w.start, w.end) == voice:
                votes[w.speaker] = votes.get(w.speaker, 0) + 1
    return max(votes, key=votes.__getitem__)


def test_pipeline_adds_speakers_roles_and_stays_valid(dialogue, dialogue_transcript, tmp_path):
    t = dialogue_transcript
    assert [s.id for s in t.speakers] == ["SPEAKER_00", "SPEAKER_01"]
    assert t.models["diarization"]["method"] == "pyannote"
    assert t.models["diarization"]["embedding"] == "campplus"
    assert t.timings["diarization"] > 0
    # talk time close to the truth
    truth = {v: sum(b - a for a, b, w in dialogue.turns if w == v) for v in "AB"}
    for voice in "AB":
        spk = next(s for s in t.speakers if s.id == speaker_of_voice(dialogue, t, voice))
        assert abs(spk.talk_time - truth[voice]) < 1.5
    # the JSON contract still holds
    save_transcript(t, tmp_path / "d.transcript.json")
    again = load_transcript(tmp_path / "d.transcript.json")
    assert again.speakers == t.speakers


def test_every_word_gets_the_speaker_of_its_voice(dialogue, dialogue_transcript):
    t = dialogue_transcript
    m = {v: speaker_of_voice(dialogue, t, v) for v in "AB"}
    assert m["A"] != m["B"]
    words = [w for s in t.segments for w in s.words]
    assert words and all(w.speaker in m.values() for w in words)
    wrong = [w for w in words if m.get(voice_of(dialogue, w.start, w.end)) != w.speaker]
    assert len(wrong) <= 0.02 * len(words), wrong
    assert not any(w.overlap for w in words)  # nobody talks at once in this dialogue


def test_segments_are_split_at_speaker_changes(dialogue, dialogue_asr, dialogue_transcript):
    """The one-word answer "Yes." comes 0.3 s after the question: it must be its own
    respondent segment, not glued to the interviewer's question."""
    t = dialogue_transcript
    assert [s.id for s in t.segments] == list(range(len(t.segments)))
    for seg in t.segments:
        assert seg.speaker is not None
        assert all(w.speaker == seg.speaker for w in seg.words)
        assert seg.text == "".join(w.word for w in seg.words).strip()
    respondent = speaker_of_voice(dialogue, t, "B")
    yes = [s for s in t.segments if _norm(s.text) == "yes"]
    assert len(yes) == 1 and yes[0].speaker == respondent
    assert not any("station" in _norm(s.text) and "yes" in _norm(s.text) for s in t.segments)
    # splitting never loses or reorders words
    before = [w.word for s in dialogue_asr.segments for w in s.words]
    assert [w.word for s in t.segments for w in s.words] == before


def test_roles_from_the_conversation(dialogue, dialogue_transcript):
    t = dialogue_transcript
    by_id = {s.id: s for s in t.speakers}
    interviewer = by_id[speaker_of_voice(dialogue, t, "A")]
    respondent = by_id[speaker_of_voice(dialogue, t, "B")]
    assert (interviewer.label, interviewer.role) == ("Interviewer", "interviewer")
    assert (respondent.label, respondent.role) == ("Respondent", "respondent")
    assert "questions" in interviewer.role_source
    assert 0.5 < interviewer.role_confidence <= 1.0
    evidence = t.models["diarization"]["roles"]
    assert evidence[interviewer.id]["questions"] > evidence[respondent.id]["questions"]


def test_roles_from_an_interviewer_voice_sample(dialogue, dialogue_asr, voice_samples):
    """The sample decides, even against the conversation: with B's voice as the
    'interviewer' sample, B (who asks nothing) is labelled Interviewer."""
    audio = decode(dialogue.path)
    for voice, other in (("A", "B"), ("B", "A")):
        settings = replace_settings(dialogue_asr, interviewer_voice=str(voice_samples[voice]))
        t = diarize_transcript(copy.deepcopy(dialogue_asr), audio, settings)
        by_id = {s.id: s for s in t.speakers}
        chosen = by_id[speaker_of_voice(dialogue, t, voice)]
        rest = by_id[speaker_of_voice(dialogue, t, other)]
        assert chosen.label == "Interviewer" and chosen.role_source == "voice-sample"
        assert chosen.role_confidence > 0.6
        assert rest.label == "Respondent"
        sims = t.models["diarization"]["roles"]
        assert sims[chosen.id]["voice_similarity"] > 0.6 > sims[rest.id]["voice_similarity"]


def test_stereo_transcript_records_the_channel_method(stereo_dialogue, asr_settings, asr_model):
    from journeytape.transcribe.pipeline import transcribe_file

    t = transcribe_file(stereo_dialogue.path, replace(asr_settings, diarize=True), asr_model)
    info = t.models["diarization"]
    assert info["method"] == "stereo-channels"
    assert info["channel_map"] == {
        "SPEAKER_00": "left (channel 1)",
        "SPEAKER_01": "right (channel 2)",
    }
    assert {s.label for s in t.speakers} == {"Interviewer", "Respondent"}
    interviewer = next(s for s in t.speakers if s.role == "interviewer")
    assert interviewer.id == "SPEAKER_00"  # A, who asks the questions, is on the left


def replace_settings(transcript, **changes):
    from journeytape.transcribe.settings import TranscribeSettings

    return replace(TranscribeSettings(model="tiny.en", language="en"), **changes)
