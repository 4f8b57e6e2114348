"""Words -> speakers on hand-made turns: the rules, case by case (no models needed)."""

from __future__ import annotations

from journeytape.transcribe.merge import Diarization, Turn, assign_speakers, overlap_regions
from journeytape.transcribe.transcript import Recording, Segment, Transcript, Word


def transcript(*segments: list[tuple[float, float, str]]) -> Transcript:
    segs = [
        Segment(
            id=i,
            start=ws[0][0],
            end=ws[-1][1],
            text="".join(w for _, _, w in ws).strip(),
            words=[Word(a, b, w, 0.9) for a, b, w in ws],
        )
        for i, ws in enumerate(segments)
    ]
    rec = Recording("x.wav", "0" * 64, 10.0, 16000, 1, 1)
    return Transcript(recording=rec, language="en", language_probability=1.0, segments=segs)


def diar(*turns: tuple[float, float, str], exclusive=None) -> Diarization:
    t = [Turn(a, b, s) for a, b, s in turns]
    ex = [Turn(a, b, s) for a, b, s in exclusive] if exclusive else t
    return Diarization(t, ex, "pyannote")


def test_a_segment_is_split_where_the_speaker_changes():
    t = transcript([(0.0, 0.4, " Did"), (0.4, 0.6, " you"), (0.6, 1.0, " pay?"),
                    (1.3, 1.6, " Yes."), (2.0, 2.5, " And")])  # fmt: skip
    out = assign_speakers(t, diar((0.0, 1.1, "S0"), (1.2, 1.7, "S1"), (1.9, 3.0, "S0")))
    assert [(s.id, s.speaker, s.text) for s in out.segments] == [
        (0, "S0", "Did you pay?"),
        (1, "S1", "Yes."),
        (2, "S0", "And"),
    ]
    assert out.segments[1].start == 1.3 and out.segments[1].end == 1.6
    assert out.segments[0].start == 0.0 and out.segments[2].end == 2.5
    assert t.segments[0].speaker is None  # the input is left untouched


def test_ids_stay_unique_and_consecutive_across_segments():
    t = transcript([(0.0, 0.5, " a"), (1.5, 2.0, " b")], [(3.0, 3.5, " c"), (4.5, 5.0, " d")])
    out = assign_speakers(t, diar((0, 1, "S0"), (1, 3.2, "S1"), (3.2, 4.2, "S0"), (4.2, 6, "S1")))
    assert [s.id for s in out.segments] == [0, 1, 2, 3]
    assert [s.speaker for s in out.segments] == ["S0", "S1", "S0", "S1"]


def test_largest_overlap_wins_and_silence_goes_to_the_nearest_turn():
    t = transcript([(0.9, 1.5, " word"), (5.0, 5.2, " lost"), (9.0, 9.3, " late")])
    out = assign_speakers(t, diar((0.0, 1.0, "S0"), (1.0, 3.0, "S1"), (8.0, 8.5, "S0")))
    assert [w.speaker for s in out.segments for w in s.words] == ["S1", "S1", "S0"]


def test_overlapping_speech_is_marked():
    t = transcript([(0.0, 0.5, " one"), (1.0, 1.5, " two"), (2.5, 3.0, " three")])
    turns = [(0.0, 2.0, "S0"), (0.9, 2.2, "S1"), (2.4, 3.5, "S0")]
    out = assign_speakers(t, diar(*turns, exclusive=[(0.0, 2.0, "S0"), (2.4, 3.5, "S0")]))
    words = [w for s in out.segments for w in s.words]
    assert [w.overlap for w in words] == [False, True, False]
    assert [w.speaker for w in words] == ["S0", "S0", "S0"]
    assert overlap_regions([Turn(*x) for x in turns]) == [(0.9, 2.0)]


def test_speakers_listed_in_order_of_first_speech_with_talk_time():
    t = transcript([(0.0, 0.5, " hi")])
    out = assign_speakers(t, diar((2.0, 3.0, "B"), (0.0, 1.5, "A"), (4.0, 4.5, "B")))
    assert [(s.id, s.talk_time) for s in out.speakers] == [("A", 1.5), ("B", 1.5)]


def test_segments_without_words_use_their_own_span():
    t = transcript([(0.0, 1.0, " x")])
    t.segments[0].words = []
    out = assign_speakers(t, diar((0.0, 0.2, "S0"), (0.2, 2.0, "S1")))
    assert out.segments[0].speaker == "S1"


def test_no_turns_leave_speakers_unknown():
    out = assign_speakers(transcript([(0.0, 1.0, " x")]), Diarization([], [], "pyannote"))
    assert out.segments[0].speaker is None and out.speakers == []
