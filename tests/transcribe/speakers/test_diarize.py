"""Diarization on generated dialogues with known turn times (real models, no mocks)."""

from __future__ import annotations

import numpy as np
import pytest

from journeytape.transcribe import diarize as D
from journeytape.transcribe.audio import decode

#: a reference turn boundary must be found within this many seconds
TOLERANCE = 0.3


def mapping(clip, diarization) -> dict[str, str]:
    """Reference voice -> hypothesis speaker, by the most overlap."""
    out = {}
    for voice in clip.speakers:
        overlap: dict[str, float] = {}
        for a, b, v in clip.turns:
            if v != voice:
                continue
            for t in diarization.exclusive:
                o = min(b, t.end) - max(a, t.start)
                if o > 0:
                    overlap[t.speaker] = overlap.get(t.speaker, 0.0) + o
        out[voice] = max(overlap, key=overlap.__getitem__)
    return out


def merged_turns(diarization) -> list[tuple[float, float, str]]:
    """Exclusive turns with same-speaker neighbours closer than 0.5 s joined (a sentence
    pause inside one turn is not a speaker change)."""
    out: list[list] = []
    for t in sorted(diarization.exclusive, key=lambda t: t.start):
        if out and out[-1][2] == t.speaker and t.start - out[-1][1] < 0.5:
            out[-1][1] = t.end
        else:
            out.append([t.start, t.end, t.speaker])
    return [tuple(x) for x in out]


def assert_turns_match(clip, diarization, tolerance: float = TOLERANCE) -> None:
    m = mapping(clip, diarization)
    assert len(set(m.values())) == len(m), f"two voices became one speaker: {m}"
    hyp = merged_turns(diarization)
    assert len(hyp) == len(clip.turns), f"expected {len(clip.turns)} turns, got {hyp}"
    for (a, b, voice), (s, e, spk) in zip(clip.turns, hyp, strict=True):
        assert spk == m[voice], f"turn {a:.2f}-{b:.2f} of {voice} given to {spk}"
        assert abs(s - a) <= tolerance, f"turn of {voice} starts at {s:.2f}, truly {a:.2f}"
        assert abs(e - b) <= tolerance, f"turn of {voice} ends at {e:.2f}, truly {b:.2f}"


def assert_turns_covered(clip, diarization, share: float = 0.8) -> None:
    """Each reference turn is mostly (``share`` of its time) given to its voice's speaker."""
    m = mapping(clip, diarization)
    assert len(set(m.values())) == len(m), f"two voices became one speaker: {m}"
    for a, b, voice in clip.turns:
        right = sum(
            max(0.0, min(b, t.end) - max(a, t.start))
            for t in diarization.exclusive
            if t.speaker == m[voice]
        )
        assert right >= share * (b - a), f"turn {a:.2f}-{b:.2f} of {voice}: only {right:.2f} s"


@pytest.fixture(scope="module", autouse=True)
def _threads():
    D.set_threads(0)


def test_two_voices_turn_boundaries(dialogue):
    d = D.diarize_samples(dialogue.samples)
    assert d.method == "pyannote"
    assert len(d.speakers) == 2
    # every turn, including the one-word "Yes." (0.5 s), within the tolerance
    assert_turns_match(dialogue, d)


def test_relabel_numbers_speakers_by_first_speech(dialogue):
    d = D.diarize_samples(dialogue.samples).relabel_by_first_speech()
    assert d.speakers == ["SPEAKER_00", "SPEAKER_01"]
    assert mapping(dialogue, d) == {"A": "SPEAKER_00", "B": "SPEAKER_01"}
    assert set(d.embeddings) == {"SPEAKER_00", "SPEAKER_01"}
    assert all(e.shape == (192,) for e in d.embeddings.values())


def test_monologue_gives_one_speaker(monologue):
    d = D.diarize_samples(monologue.samples)
    assert len(d.speakers) == 1
    speech = sum(t.duration for t in d.turns)
    truth = sum(b - a for a, b, _ in monologue.turns)
    # turns hold the floor through sentence pauses (< fill_gap): at most the whole span
    span = monologue.turns[-1][1] - monologue.turns[0][0]
    assert truth - 1.0 < speech < span + 2 * D.TUNED.turn_pad + 0.5


def test_three_voices_give_three_speakers(three_voices):
    d = D.diarize_samples(three_voices.samples)
    assert len(d.speakers) == 3
    # a turn's first few hundred ms can go to the previous speaker here: coverage, not edges
    assert_turns_covered(three_voices, d)
    d3 = D.diarize_samples(three_voices.samples, num_speakers=3)
    assert_turns_covered(three_voices, d3)


def test_speaker_count_hints(dialogue, monologue):
    assert len(D.diarize_samples(monologue.samples, num_speakers=1).speakers) == 1
    assert len(D.diarize_samples(dialogue.samples, max_speakers=1).speakers) == 1
    assert len(D.diarize_samples(dialogue.samples, min_speakers=2, max_speakers=4).speakers) == 2
    with pytest.raises(D.DiarizationError, match="min-speakers"):
        D.diarize_samples(dialogue.samples, min_speakers=3, max_speakers=2)
    with pytest.raises(D.DiarizationError, match="at least 1"):
        D.diarize_samples(dialogue.samples, num_speakers=0)


def test_silence_and_tiny_input_give_no_speakers():
    assert D.diarize_samples(np.zeros(16000 * 3, np.float32)).turns == []
    assert D.diarize_samples(np.zeros(100, np.float32)).turns == []


def test_stereo_one_voice_per_channel_is_split_by_channel(stereo_dialogue):
    audio = decode(stereo_dialogue.path)
    assert audio.channels is not None and audio.channels.shape[0] == 2
    d = D.diarize_audio(audio)
    assert d.method == "stereo-channels"
    assert d.details["channel_map"]["SPEAKER_00"].startswith("left")
    assert mapping(stereo_dialogue, d) == {"A": "SPEAKER_00", "B": "SPEAKER_01"}
    assert_turns_match(stereo_dialogue, d, tolerance=0.15)


def test_stereo_with_the_same_sound_on_both_channels_is_clustered(dialogue):
    both = np.stack([dialogue.samples, dialogue.samples])
    assert D.diarize_channels(both) is None
    assert not D.channel_activity(both)["separate"]


def test_stereo_is_not_used_when_more_speakers_are_expected(stereo_dialogue):
    audio = decode(stereo_dialogue.path)
    assert D.diarize_audio(audio, num_speakers=3).method == "pyannote"
