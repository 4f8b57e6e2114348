"""Interviewer or respondent? Decide each speaker's role and say how sure we are.

Two kinds of evidence, both recorded in the transcript (``role_source``,
``role_confidence``, and the per-speaker figures in ``models.diarization.roles``):

* **voice sample** (``--interviewer-voice me.wav``): the speaker whose CAM++ embedding is most
  similar (cosine) to the sample's is the interviewer, if similar enough. Strongest evidence.
* **conversation** (always available): interviewers ask most of the questions, usually speak
  first, and usually talk less. A weighted score over those three picks the interviewer; the
  respondent is the remaining speaker with the most talk time; anyone else is "Speaker N".

Labels are "Interviewer" / "Respondent" / "Speaker 3" ...; the user can rename them later
(``journeytape speakers rename``) without re-running anything.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np

from journeytape.transcribe.merge import Diarization
from journeytape.transcribe.transcript import Transcript

INTERVIEWER = "interviewer"
RESPONDENT = "respondent"
LABELS = {INTERVIEWER: "Interviewer", RESPONDENT: "Respondent"}

#: cosine similarity of CAM++ embeddings above which a voice sample names a speaker
#: (same voice ~0.6-0.9, different voices mostly < 0.3; measured on AMI and espeak voices)
VOICE_MATCH = 0.45
#: weights of the conversational evidence
W_QUESTIONS, W_FIRST, W_LESS_TALK = 0.6, 0.15, 0.25
#: pseudo-questions given to every speaker before counting (issue #11: a single stray
#: question-like sentence made the share 100 % and the confidence 0.99)
QUESTION_PRIOR = 1.0

_QUESTION_START = {
    "en": "what why how when where who whom whose which could can would will do does did is "
    "are was were have has tell describe explain",
    "nl": "wat waarom hoe wanneer waar wie welke welk kunt kun kan zou zoudt heeft hebt heb "
    "bent ben is was waren vertel beschrijf",
    "de": "was warum wieso weshalb wie wann wo woher wohin wer wen wem welche welcher welches "
    "können könnten kannst würden würdest haben hast hatten sind bist ist waren erzählen "
    "erzähl beschreiben",
}
_QWORDS = {w for words in _QUESTION_START.values() for w in words.split()}
_SENTENCE = re.compile(r"[^.?!]+[.?!]*")


def question_score(text: str) -> float:
    """How many questions a text asks: 1 per sentence ending in '?', 0.5 per sentence that
    starts like a question but lost its '?' (Whisper often drops it)."""
    score = 0.0
    for sentence in _SENTENCE.findall(text):
        s = sentence.strip()
        if not s:
            continue
        if s.endswith("?"):
            score += 1.0
            continue
        first = re.split(r"\W+", s.lower(), maxsplit=1)[0]
        if first in _QWORDS and len(s.split()) >= 3:
            score += 0.5
    return score


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0 or not np.isfinite(na * nb):
        return float("nan")
    return float(a @ b / (na * nb))


def conversation_evidence(transcript: Transcript) -> dict[str, dict[str, Any]]:
    """Per speaker: questions asked, whether they spoke first, share of talk time, score."""
    ids = [s.id for s in transcript.speakers]
    talk = {s.id: s.talk_time for s in transcript.speakers}
    total_talk = sum(talk.values()) or 1.0
    questions = dict.fromkeys(ids, 0.0)
    first: str | None = None
    for seg in transcript.segments:
        if seg.speaker not in questions:
            continue
        if first is None and seg.text.strip():
            first = seg.speaker
        questions[seg.speaker] += question_score(seg.text)
    total_q = sum(questions.values())
    n = len(ids)
    out: dict[str, dict[str, Any]] = {}
    for s in ids:
        # smoothed share: one or two question-like sentences are weak evidence (audiobook
        # or Whisper text without '?' gives a few by chance), many questions are strong
        q_share = (questions[s] + QUESTION_PRIOR) / (total_q + n * QUESTION_PRIOR)
        talk_share = talk[s] / total_talk
        less = (1.0 - talk_share) / (n - 1) if n > 1 else 0.0
        score = W_QUESTIONS * q_share + W_FIRST * (s == first) + W_LESS_TALK * less
        out[s] = {
            "questions": round(questions[s], 1),
            "spoke_first": s == first,
            "talk_share": round(talk_share, 3),
            "score": round(score, 3),
        }
    return out


def _evidence_source(ev: dict[str, Any], others: list[dict[str, Any]]) -> str:
    """Name the evidence that points at the chosen interviewer."""
    parts = []
    if others and ev["questions"] > max(o["questions"] for o in others):
        parts.append("questions")
    if ev["spoke_first"]:
        parts.append("first-speaker")
    if others and ev["talk_share"] < min(o["talk_share"] for o in others):
        parts.append("talk-time")
    return "+".join(parts) or "weak-evidence"


#: what is decided about one speaker: (role, how it was decided, confidence)
Role = tuple[str, str, float]


def assign_roles(
    transcript: Transcript,
    diarization: Diarization | None = None,
    voice_embedding: np.ndarray | None = None,
) -> Transcript:
    """Set ``role``, ``label``, ``role_source`` and ``role_confidence`` of every speaker."""
    speakers = list(transcript.speakers)
    if not speakers:
        return transcript
    evidence = conversation_evidence(transcript)
    embeddings = diarization.embeddings if diarization is not None else {}
    similarity: dict[str, float] = {}
    if voice_embedding is not None:
        for s in speakers:
            if s.id in embeddings:
                similarity[s.id] = _cosine(voice_embedding, embeddings[s.id])
                evidence[s.id]["voice_similarity"] = round(similarity[s.id], 3)
    ids = [s.id for s in speakers]
    roles: dict[str, Role] = {}
    warnings: list[str] = []

    # 1. the interviewer, by voice if a sample was given and matches, else by conversation
    valid = {k: v for k, v in similarity.items() if np.isfinite(v)}
    interviewer = _interviewer_by_voice(valid, roles, warnings)
    if not valid and voice_embedding is not None:
        warnings.append("no speaker embeddings to compare the interviewer voice sample with")
    if interviewer is None and len(ids) >= 2:
        interviewer = _interviewer_by_conversation(ids, evidence, roles)

    # 2. the respondent: who talks most among the others
    rest = [s for s in ids if s != interviewer]
    if rest and (interviewer is not None or valid):
        talk = {s.id: s.talk_time for s in speakers}
        respondent = max(rest, key=lambda s: talk[s])
        src, conf = roles[interviewer][1:] if interviewer else ("voice-sample", 0.6)
        if len(rest) > 1:  # a third person lowers certainty about who is the respondent
            conf = round(conf * 0.8, 3)
        roles[respondent] = (RESPONDENT, src, conf)
    return _with_roles(transcript, roles, evidence, warnings)


def _interviewer_by_voice(
    similarity: dict[str, float], roles: dict[str, Role], warnings: list[str]
) -> str | None:
    """The speaker whose voice is most like the sample's, if like enough (into ``roles``)."""
    if not similarity:
        return None
    ranked = sorted(similarity, key=similarity.__getitem__, reverse=True)
    best = similarity[ranked[0]]
    second = similarity[ranked[1]] if len(ranked) > 1 else 0.0
    if best < VOICE_MATCH:
        warnings.append(
            f"the interviewer voice sample matches no speaker (best similarity {best:.2f} "
            f"< {VOICE_MATCH}); roles decided from the conversation instead"
        )
        return None
    conf = float(np.clip(0.5 + (best - max(second, 0.0)), 0.5, 0.99))
    roles[ranked[0]] = (INTERVIEWER, "voice-sample", round(conf, 3))
    return ranked[0]


def _interviewer_by_conversation(
    ids: list[str], evidence: dict[str, dict[str, Any]], roles: dict[str, Role]
) -> str:
    """The speaker with the best conversational score (into ``roles``, with the margin over
    the runner-up as confidence and the evidence that points at them as source)."""
    ranked = sorted(ids, key=lambda s: evidence[s]["score"], reverse=True)
    interviewer = ranked[0]
    margin = evidence[ranked[0]]["score"] - evidence[ranked[1]]["score"]
    others = [evidence[s] for s in ids if s != interviewer]
    source = _evidence_source(evidence[interviewer], others)
    roles[interviewer] = (INTERVIEWER, source, round(float(np.clip(0.5 + margin, 0.5, 0.99)), 3))
    return interviewer


def _with_roles(
    transcript: Transcript,
    roles: dict[str, Role],
    evidence: dict[str, dict[str, Any]],
    warnings: list[str],
) -> Transcript:
    """``transcript`` with the speakers' roles and labels, the evidence and the warnings."""
    out = []
    for i, s in enumerate(transcript.speakers, start=1):
        role, source, conf = roles.get(s.id, (None, None, None))
        label = LABELS[role] if role else f"Speaker {i}"
        out.append(replace(s, role=role, label=label, role_source=source, role_confidence=conf))
    models = dict(transcript.models)
    diar = dict(models.get("diarization") or {})
    diar["roles"] = evidence
    models["diarization"] = diar
    return replace(
        transcript,
        speakers=out,
        models=models,
        warnings=[*transcript.warnings, *warnings],
    )
