"""Roles by voice sample, and what happens when the sample cannot decide (no model needed).

The embeddings are chosen so that the cosine similarities are known exactly; the real CAM++
path (a voice sample of a synthetic interviewer) is tested in speakers/test_transcript.py.
"""

from __future__ import annotations

import numpy as np

from journeytape.transcribe.merge import Diarization
from journeytape.transcribe.roles import INTERVIEWER, RESPONDENT, assign_roles
from journeytape.transcribe.transcript import Recording, Segment, Speaker, Transcript

#: B asks the questions, A answers at length: the conversation says B is the interviewer
TEXTS = [
    ("B", "What happened when you called the service desk?"),
    ("A", "I waited for forty minutes and then the line was cut off."),
    ("B", "How did that make you feel?"),
    ("A", "Annoyed, because I had to start again the next morning."),
]


def _interview() -> Transcript:
    segs = [Segment(i, 3.0 * i, 3.0 * i + 2.5, txt, speaker=s) for i, (s, txt) in enumerate(TEXTS)]
    speakers = [Speaker("A", "A", talk_time=6.0), Speaker("B", "B", talk_time=3.0)]
    return Transcript(
        Recording("x.wav", "0" * 64, 12.0, 16000, 1, 0), "en", 1.0, segs, speakers=speakers
    )


def _diarization(embeddings: dict[str, np.ndarray]) -> Diarization:
    return Diarization(turns=[], exclusive=[], method="pyannote", embeddings=embeddings)


def _roles(t: Transcript) -> dict[str, tuple[str | None, str | None]]:
    return {s.id: (s.role, s.role_source) for s in t.speakers}


def test_a_matching_voice_sample_names_the_interviewer_even_against_the_conversation():
    diar = _diarization({"A": np.array([1.0, 0.0, 0.0]), "B": np.array([0.0, 1.0, 0.0])})
    out = assign_roles(_interview(), diar, voice_embedding=np.array([0.9, 0.1, 0.0]))
    assert _roles(out) == {"A": (INTERVIEWER, "voice-sample"), "B": (RESPONDENT, "voice-sample")}
    assert out.speakers[0].role_confidence == 0.99  # similarity ~0.99 against ~0.11: clipped
    assert out.models["diarization"]["roles"]["A"]["voice_similarity"] == 0.994
    assert not out.warnings


def test_a_voice_sample_that_matches_no_one_leaves_the_roles_to_the_conversation():
    diar = _diarization({"A": np.array([1.0, 0.0, 0.0]), "B": np.array([0.0, 1.0, 0.0])})
    out = assign_roles(_interview(), diar, voice_embedding=np.array([0.0, 0.0, 1.0]))
    assert _roles(out)["B"][0] == INTERVIEWER and _roles(out)["A"][0] == RESPONDENT
    assert _roles(out)["B"][1] != "voice-sample"
    assert out.warnings == [
        "the interviewer voice sample matches no speaker (best similarity 0.00 < 0.45); "
        "roles decided from the conversation instead"
    ]


def test_a_voice_sample_without_speaker_embeddings_is_said_to_be_unused():
    out = assign_roles(_interview(), _diarization({}), voice_embedding=np.array([1.0, 0.0]))
    assert _roles(out)["B"][0] == INTERVIEWER
    assert out.warnings == ["no speaker embeddings to compare the interviewer voice sample with"]
    assert [s.label for s in out.speakers] == ["Respondent", "Interviewer"]
