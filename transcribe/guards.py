"""Guards against Whisper's known failures, applied to every segment it returns.

faster-whisper #506 (repetition loops) and #815 (text hallucinated in silence): the batched
decoder ignores Whisper's own silence and compression-ratio rules, so they are re-applied here
to every segment, plus a repetition collapse and a filter for the stock phrases Whisper
invents from its subtitle-heavy training data. What a guard removes is reported in the
transcript's warnings (:func:`apply_guards`).
"""

from __future__ import annotations

import re

import numpy as np

from journeytape.presentation import clock
from journeytape.transcribe.transcript import Segment, Word

#: Whisper's own thresholds (openai/whisper defaults), re-applied after batched decoding
NO_SPEECH_THRESHOLD = 0.6
LOG_PROB_THRESHOLD = -1.0
COMPRESSION_RATIO_THRESHOLD = 2.4
#: skip silent stretches longer than this around suspected hallucinations (sequential mode)
HALLUCINATION_SILENCE = 2.0
#: an n-gram repeated this many times in a row is a decoding loop, not speech
LOOP_REPEATS = {1: 6, 2: 4}  # n >= 3: 3 repeats
LOOP_MAX_N = 10

#: stock phrases Whisper produces from subtitle credits; never real interview speech
_CREDIT_PATTERNS = re.compile(
    r"amara\s*\.?\s*org|untertitel(ung)? (im auftrag|der|des|von)|ondertitel(d|ing|s)? "
    r"(door|ingediend)|subtitles? by|copyright (wdr|©)|zdf f(ü|u)r funk|www\.\S+\.(com|nl|de)",
    re.IGNORECASE,
)
#: phrases that are hallucinations when the model is unsure or they stand alone in silence
_WEAK_PHRASES = {
    "thank you for watching",
    "thanks for watching",
    "thank you so much for watching",
    "please subscribe",
    "like and subscribe",
    "see you next time",
    "bedankt voor het kijken",
    "bedankt voor het luisteren",
    "vielen dank fürs zuschauen",
    "vielen dank für ihre aufmerksamkeit",
    "bis zum nächsten mal",
    "tschüss",
}


def _norm(text: str) -> str:
    return re.sub(r"[^\w\s]", "", text.lower()).strip()


def is_silence(seg: Segment) -> bool:
    """Whisper's own rule: probably no speech AND the text is improbable."""
    return (
        seg.no_speech_prob is not None
        and seg.avg_logprob is not None
        and seg.no_speech_prob > NO_SPEECH_THRESHOLD
        and seg.avg_logprob < LOG_PROB_THRESHOLD
    )


def _word_anomaly(w: Word) -> float:
    """faster-whisper's anomaly score: improbable, very short or very long words."""
    score = 0.0
    dur = w.end - w.start
    if w.probability < 0.15:
        score += 1.0
    if dur < 0.133:
        score += (0.133 - dur) * 15
    if dur > 2.0:
        score += dur - 2.0
    return score


def is_anomalous(seg: Segment) -> bool:
    words = [w for w in seg.words if _norm(w.word)][:8]
    if not words:
        return False
    score = sum(_word_anomaly(w) for w in words)
    return score >= 3 or score + 0.01 >= len(words)


def is_stock_phrase(seg: Segment) -> str | None:
    """'credit' for subtitle credits, 'weak' for sign-off phrases, else None."""
    if _CREDIT_PATTERNS.search(seg.text):
        return "credit"
    if _norm(seg.text) in _WEAK_PHRASES:
        return "weak"
    return None


def collapse_loops(seg: Segment) -> int:
    """Cut n-grams repeated in a row beyond what people say (a decoding loop) to one copy.

    Returns the number of words removed; rewrites ``seg.words``/``seg.text`` in place.
    """
    words = seg.words
    if len(words) < 6:
        return 0
    keys = [_norm(w.word) for w in words]
    out: list[Word] = []
    i = 0
    removed = 0
    while i < len(words):
        best_n, best_reps = 0, 1
        for n in range(1, LOOP_MAX_N + 1):
            if i + 2 * n > len(words):
                break
            gram = keys[i : i + n]
            if not any(gram):
                continue
            reps = 1
            while keys[i + reps * n : i + (reps + 1) * n] == gram:
                reps += 1
            if reps >= LOOP_REPEATS.get(n, 3) and reps * n > best_reps * best_n:
                best_n, best_reps = n, reps
        if best_n:
            out.extend(words[i : i + best_n])
            removed += (best_reps - 1) * best_n
            i += best_reps * best_n
        else:
            out.append(words[i])
            i += 1
    if removed:
        seg.words = out
        seg.text = "".join(w.word for w in out).strip()
        seg.end = max(seg.start, out[-1].end) if out else seg.end
    return removed


def apply_guards(segments: list[Segment]) -> tuple[list[Segment], list[str]]:
    """Drop hallucinated segments and collapse loops; return kept segments and warnings."""
    warnings: list[str] = []
    kept: list[Segment] = []
    for idx, seg in enumerate(segments):
        where = clock(seg.start, tenths=True)
        if not seg.text.strip() or not _norm(seg.text):
            continue
        if is_silence(seg):
            warnings.append(f"removed probable hallucination in silence at {where}: {seg.text!r}")
            continue
        stock = is_stock_phrase(seg)
        if stock == "credit":
            warnings.append(f"removed subtitle-credit hallucination at {where}: {seg.text!r}")
            continue
        prev_end = segments[idx - 1].end if idx > 0 else 0.0
        next_start = segments[idx + 1].start if idx + 1 < len(segments) else float("inf")
        isolated = seg.start - prev_end > HALLUCINATION_SILENCE and (
            next_start - seg.end > HALLUCINATION_SILENCE
        )
        mean_p = float(np.mean([w.probability for w in seg.words])) if seg.words else 0.0
        if stock == "weak" and (isolated or mean_p < 0.6 or (seg.no_speech_prob or 0) > 0.3):
            warnings.append(f"removed probable hallucination at {where}: {seg.text!r}")
            continue
        if is_anomalous(seg) and isolated and (seg.no_speech_prob or 0) > 0.3:
            warnings.append(f"removed improbable isolated text at {where}: {seg.text!r}")
            continue
        removed = collapse_loops(seg)
        if removed:
            warnings.append(f"collapsed a repetition loop at {where} ({removed} repeated words)")
        elif (seg.compression_ratio or 0) > COMPRESSION_RATIO_THRESHOLD and len(seg.words) > 30:
            warnings.append(
                f"text at {where} is very repetitive (compression ratio "
                f"{seg.compression_ratio:.1f}); check it against the audio"
            )
        kept.append(seg)
    return kept, warnings
