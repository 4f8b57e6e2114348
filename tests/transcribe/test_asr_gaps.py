"""The interviewer's short questions survive batched decoding (transcribe/asr_gaps.py).

faster-whisper's batched decoder glues speech into 30 s windows and left three questions of
``ls_dialogue_dev_mf`` out (issue #19: ours scored 1302 words, the naive script 1444).
"""

from __future__ import annotations

import numpy as np
import pytest

from journeytape.transcribe.asr_gaps import gap_regions

SR = 16000


def _stamp(a: float, b: float) -> dict[str, int]:
    return {"start": int(a * SR), "end": int(b * SR)}


def test_pieces_without_words_become_regions_and_neighbours_join():
    stamps = [_stamp(0, 3), _stamp(4, 6), _stamp(6.5, 8), _stamp(10, 10.5), _stamp(12, 15)]
    mids = np.array([1.0, 2.0, 13.0])  # words in the first and the last piece only
    regions = gap_regions(stamps, mids)
    # 4-6 and 6.5-8 join (0.5 s apart); 10-10.5 is too little speech to decode again
    assert [[(s["start"] / SR, s["end"] / SR) for s in r] for r in regions] == [
        [(4.0, 6.0), (6.5, 8.0)]
    ]


def test_a_word_at_the_edge_of_a_piece_counts_for_it():
    assert gap_regions([_stamp(4, 6)], np.array([6.05])) == []
    assert gap_regions([_stamp(4, 6)], np.array([6.5])) != []


def test_short_questions_between_long_answers_are_transcribed(eval_dir, base):
    """On the first 75 s of ls_dialogue_dev_mf the batched decoder alone dropped
    'What had happened to me?' (36.6-39.5 s) and 'He would not be rid of his affliction'
    (60.8-64.2 s); each must now have words (measured: 5 and 8)."""
    from journeytape.transcribe.asr import transcribe_audio
    from journeytape.transcribe.audio import decode

    wav = eval_dir / "ls_dialogue_dev_mf" / "ls_dialogue_dev_mf.wav"
    if not wav.is_file():
        pytest.skip("ls_dialogue_dev_mf not in the eval set")
    audio = decode(wav).samples[: 75 * SR]
    result = transcribe_audio(base, audio, language="en")
    words = [w for s in result.segments for w in s.words]
    for a, b in ((36.6, 39.6), (60.8, 64.3)):
        inside = [w.word for w in words if a <= 0.5 * (w.start + w.end) <= b]
        assert len(inside) >= 3, (a, b, inside)
    starts = [s.start for s in result.segments]
    assert starts == sorted(starts)
