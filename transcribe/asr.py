"""Speech recognition with faster-whisper: restricted language detection, guards, words.

* The loaded :class:`WhisperModel` is cached per (model folder, compute type, threads), so a
  batch loads it once.
* Batched inference (:class:`BatchedInferencePipeline`, Silero VAD chunks decoded 8 at a
  time) is used when ``batch_size > 1`` and VAD is on: on a 2-minute meeting it took 14 CPU
  seconds against 19 for the sequential decoder (2 cores; batch 16 was no faster than 8).
* Language detection only chooses among the languages the user allows: Whisper's language
  probabilities, from the first 30 s window of *speech* (VAD-filtered; up to three windows,
  averaged, while the choice is below 0.9), are renormalised over the allowed set. Dutch
  otherwise often comes out as German or Afrikaans.
* Guards against Whisper's known failures (faster-whisper #506 repetition loops, #815 text
  hallucinated in silence). The batched decoder ignores Whisper's own silence and
  compression-ratio rules, so they are re-applied here to every segment, plus a repetition
  collapse and a filter for the stock phrases Whisper invents from its subtitle-heavy
  training data. What a guard removes is reported in the transcript's warnings.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from journeytape.models.registry import ResolvedModel, resolve_asr_model
from journeytape.transcribe.transcript import Segment, Word

SAMPLE_RATE = 16000
#: Whisper's own thresholds (openai/whisper defaults), re-applied after batched decoding
NO_SPEECH_THRESHOLD = 0.6
LOG_PROB_THRESHOLD = -1.0
COMPRESSION_RATIO_THRESHOLD = 2.4
#: skip silent stretches longer than this around suspected hallucinations (sequential mode)
HALLUCINATION_SILENCE = 2.0
#: an n-gram repeated this many times in a row is a decoding loop, not speech
LOOP_REPEATS = {1: 6, 2: 4}  # n >= 3: 3 repeats
LOOP_MAX_N = 10
#: language detection: how much audio to look at (seconds of speech, windows of 30 s)
DETECT_WINDOWS = 3
#: stop looking at more windows once the allowed-language choice is this sure
DETECT_CONFIDENT = 0.9
DETECT_SEARCH_SECONDS = 240

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


class AsrError(ValueError):
    """Settings that cannot work with the chosen model (message names the fix)."""


# -- model loading -------------------------------------------------------------------------


@dataclass
class AsrModel:
    model: Any  # faster_whisper.WhisperModel
    batched: Any  # faster_whisper.BatchedInferencePipeline
    resolved: ResolvedModel
    compute_type: str
    threads: int
    load_seconds: float

    @property
    def multilingual(self) -> bool:
        return bool(self.model.model.is_multilingual)

    @property
    def identity(self) -> str:
        return model_identity(self.resolved)

    def describe(self) -> dict[str, Any]:
        import ctranslate2
        import faster_whisper

        return {
            "name": self.resolved.name,
            "path": str(self.resolved.path),
            "source": self.resolved.source,
            "identity": self.identity,
            "multilingual": self.multilingual,
            "compute_type": self.compute_type,
            "faster_whisper": faster_whisper.__version__,
            "ctranslate2": ctranslate2.__version__,
        }


def model_identity(r: ResolvedModel) -> str:
    """What makes results of a model reproducible (goes into the settings key): the registry
    name (its files are checksummed), else the folder and the size of its weights."""
    if r.source == "registry":
        return f"registry:{r.name}"
    weights = r.path / "model.bin"
    size = weights.stat().st_size if weights.exists() else 0
    return f"{r.source}:{r.path}:{size}"


_CACHE: dict[tuple[str, str, int], AsrModel] = {}
_LOCK = threading.Lock()


def load_model(spec: str, compute_type: str = "int8", threads: int = 0) -> AsrModel:
    """Resolve ``spec`` offline (registry, folder, local hub cache) and load it once."""
    resolved = resolve_asr_model(spec)
    key = (str(resolved.path), compute_type, threads)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        t0 = time.perf_counter()
        try:
            model = WhisperModel(
                str(resolved.path),
                device="cpu",
                compute_type=compute_type,
                cpu_threads=threads,
                local_files_only=True,
            )
        except ValueError as exc:  # e.g. an unsupported compute type
            raise AsrError(
                f"cannot load {resolved.name} with --compute-type {compute_type}: {exc}"
            ) from None
        loaded = AsrModel(
            model=model,
            batched=BatchedInferencePipeline(model),
            resolved=resolved,
            compute_type=compute_type,
            threads=threads,
            load_seconds=time.perf_counter() - t0,
        )
        _CACHE[key] = loaded
        return loaded


def check_languages(model: AsrModel, language: str | None, languages: Iterable[str]) -> None:
    """Raise :class:`AsrError` for language settings the model cannot honour."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    for code in [language] if language else list(languages):
        if code not in _LANGUAGE_CODES:
            raise AsrError(f"unknown language code {code!r} (use ISO 639-1 codes like en, nl, de)")
    if not model.multilingual:
        wanted = [language] if language else list(languages)
        if language and language != "en":
            raise AsrError(
                f"model {model.resolved.name} only knows English, but --language {language} "
                "was given. Fix: use a multilingual model, e.g. --model base"
            )
        if not language and "en" not in wanted:
            raise AsrError(
                f"model {model.resolved.name} only knows English, but --languages allows only "
                f"{','.join(wanted)}. Fix: --model base"
            )


# -- language ------------------------------------------------------------------------------


@dataclass
class LanguageChoice:
    language: str
    probability: float
    #: renormalised over the allowed languages
    allowed_probs: dict[str, float]
    #: the unrestricted top guess and its probability (for the warning below)
    top_language: str
    top_probability: float
    warning: str | None = None


def detect_language(model: AsrModel, audio: np.ndarray, allowed: Iterable[str]) -> LanguageChoice:
    """Pick the most probable language among ``allowed`` from the first speech in ``audio``.

    Looks at one 30 s window of speech, and at up to ``DETECT_WINDOWS`` when that one leaves
    the choice uncertain (each window costs an encoder pass).
    """
    allowed = list(dict.fromkeys(allowed))
    if not model.multilingual:
        return LanguageChoice("en", 1.0, {"en": 1.0}, "en", 1.0)
    speech = _first_speech(audio, DETECT_WINDOWS * 30)
    window = 30 * SAMPLE_RATE
    totals: dict[str, float] = {}
    weight_sum = 0.0
    choice = None
    for start in range(0, max(len(speech), 1), window):
        chunk = speech[start : start + window]
        if len(chunk) < 2 * SAMPLE_RATE and start > 0:
            break
        _, _, probs = model.model.detect_language(audio=chunk)
        w = len(chunk) / window
        for lang, p in probs:
            totals[lang] = totals.get(lang, 0.0) + w * p
        weight_sum += w
        choice = _choose({k: v / max(weight_sum, 1e-9) for k, v in totals.items()}, allowed)
        if choice.probability >= DETECT_CONFIDENT and choice.warning is None:
            break
    assert choice is not None
    return choice


#: languages Whisper confuses with an allowed one; their probability counts for it unless
#: they are allowed themselves (Dutch is often heard as Afrikaans, German as Luxembourgish)
RELATIVES = {"nl": ("af",), "de": ("lb", "yi"), "no": ("nn",), "nn": ("no",)}


def _choose(totals: dict[str, float], allowed: list[str]) -> LanguageChoice:
    top_lang, top_p = max(totals.items(), key=lambda kv: kv[1])
    own = {
        a: totals.get(a, 0.0)
        + sum(totals.get(r, 0.0) for r in RELATIVES.get(a, ()) if r not in allowed)
        for a in allowed
    }
    mass = sum(own.values())
    if mass <= 0:
        probs = {a: 1.0 / len(allowed) for a in allowed}
    else:
        probs = {a: own[a] / mass for a in allowed}
    lang = max(probs, key=probs.get)  # type: ignore[arg-type]
    warning = None
    if top_lang not in allowed and top_lang not in RELATIVES.get(lang, ()) and top_p > 0.5:
        warning = (
            f"the speech sounds most like '{top_lang}' (p={top_p:.2f}), which is not among the "
            f"allowed languages {','.join(allowed)}; transcribed as '{lang}'. Use --languages "
            "or --language to allow it"
        )
    return LanguageChoice(lang, probs[lang], probs, top_lang, top_p, warning)


def _first_speech(audio: np.ndarray, seconds: float) -> np.ndarray:
    """Up to ``seconds`` of VAD speech from the start (searching a bounded prefix)."""
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    prefix = audio[: DETECT_SEARCH_SECONDS * SAMPLE_RATE]
    stamps = get_speech_timestamps(prefix, VadOptions(min_silence_duration_ms=300))
    if not stamps:
        return prefix[: int(seconds * SAMPLE_RATE)]
    chunks, _ = collect_chunks(prefix, stamps)
    speech = np.concatenate(chunks) if chunks else prefix
    return speech[: int(seconds * SAMPLE_RATE)]


# -- transcription -------------------------------------------------------------------------


@dataclass
class AsrResult:
    language: str
    language_probability: float
    segments: list[Segment]
    language_probs: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: "batched" or "sequential"
    mode: str = "batched"
    speech_seconds: float | None = None


def transcribe_audio(
    model: AsrModel,
    audio: np.ndarray,
    *,
    language: str | None = None,
    languages: Iterable[str] = ("en", "nl", "de"),
    beam_size: int = 5,
    batch_size: int = 8,
    vad: bool = True,
    initial_prompt: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> AsrResult:
    """Transcribe 16 kHz mono ``audio`` with word timestamps; ``progress`` gets 0..1."""
    warnings: list[str] = []
    duration = len(audio) / SAMPLE_RATE
    if language:
        choice = LanguageChoice(language, 1.0, {language: 1.0}, language, 1.0)
    else:
        choice = detect_language(model, audio, languages)
        if choice.warning:
            warnings.append(choice.warning)

    common: dict[str, Any] = dict(
        language=choice.language,
        beam_size=beam_size,
        word_timestamps=True,
        vad_filter=vad,
        initial_prompt=initial_prompt,
        condition_on_previous_text=False,  # the main cause of repetition loops (#506)
    )
    # the batched pipeline needs VAD chunks for audio longer than one 30 s window
    batched = batch_size > 1 and (vad or duration < 30)
    raw: list[Segment] = []
    speech_seconds = 0.0
    for lo, hi in blocks(audio):
        # faster-whisper computes the features of everything it is given at once (80 floats
        # per 10 ms: twice the audio's own size); blocks keep that bounded for long recordings
        block = audio[lo:hi]
        offset = lo / SAMPLE_RATE
        if batched:
            segments_iter, info = model.batched.transcribe(block, batch_size=batch_size, **common)
        else:
            segments_iter, info = model.model.transcribe(
                block,
                compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
                log_prob_threshold=LOG_PROB_THRESHOLD,
                no_speech_threshold=NO_SPEECH_THRESHOLD,
                hallucination_silence_threshold=HALLUCINATION_SILENCE,
                **common,
            )
        for s in segments_iter:
            raw.append(_segment(s, len(raw), offset))
            if progress and duration:
                progress(min(1.0, (offset + s.end) / duration))
        speech_seconds += float(getattr(info, "duration_after_vad", None) or 0.0)
        if progress and duration:
            progress(min(1.0, hi / len(audio)))
    if progress:
        progress(1.0)

    segments, guard_warnings = apply_guards(raw)
    warnings.extend(guard_warnings)
    segments = [part for seg in segments for part in split_segment(seg)]
    if not segments:
        warnings.append("no speech found")
    for i, seg in enumerate(segments):
        seg.id = i
    return AsrResult(
        language=choice.language,
        language_probability=round(float(choice.probability), 4),
        segments=segments,
        language_probs={k: round(v, 4) for k, v in choice.allowed_probs.items()},
        warnings=warnings,
        mode="batched" if batched else "sequential",
        speech_seconds=round(speech_seconds, 3),
    )


def _segment(s: Any, idx: int, offset: float) -> Segment:
    """faster-whisper's segment → ours, shifted by the block's ``offset`` (seconds)."""
    words = [
        Word(
            start=round(float(w.start) + offset, 3),
            end=round(float(w.end) + offset, 3),
            word=w.word,
            probability=round(min(max(float(w.probability), 0.0), 1.0), 4),
        )
        for w in (s.words or [])
    ]
    return Segment(
        id=idx,
        start=round(float(s.start) + offset, 3),
        end=round(float(s.end) + offset, 3),
        text=s.text.strip(),
        words=words,
        avg_logprob=round(float(s.avg_logprob), 4),
        no_speech_prob=round(float(s.no_speech_prob), 4),
        compression_ratio=round(float(s.compression_ratio), 4),
    )


#: long recordings are transcribed in blocks of about this many seconds, cut at the quietest
#: moment near each nominal boundary (bounded memory, finer progress, prompt Ctrl-C)
BLOCK_SECONDS = 600
_CUT_SEARCH = 15.0  # seconds either side of the nominal boundary
_FRAME = SAMPLE_RATE // 10


def blocks(audio: np.ndarray) -> list[tuple[int, int]]:
    """Sample ranges covering ``audio``, each ~BLOCK_SECONDS, cut where it is quietest."""
    n = len(audio)
    size = int(BLOCK_SECONDS * SAMPLE_RATE)
    search = int(_CUT_SEARCH * SAMPLE_RATE)
    cuts = [0]
    while n - cuts[-1] > size + 2 * search:
        lo = cuts[-1] + size - search
        window = audio[lo : lo + 2 * search]
        frames = window[: len(window) // _FRAME * _FRAME].reshape(-1, _FRAME)
        energy = np.convolve((frames.astype(np.float64) ** 2).mean(axis=1), np.ones(5), "same")
        cuts.append(lo + int(energy.argmin()) * _FRAME + _FRAME // 2)
    cuts.append(n)
    return list(zip(cuts[:-1], cuts[1:], strict=True))


# -- segmentation --------------------------------------------------------------------------

#: a pause this long between two words always ends a segment
SPLIT_PAUSE = 1.0
SENTENCE_END = (".", "?", "!", "…", "。")


def split_segment(seg: Segment) -> list[Segment]:
    """Split at sentence ends and pauses, using the word timestamps.

    The batched decoder returns one segment per VAD chunk (up to 30 s, possibly spanning
    long pauses); readable output, subtitles and speaker attribution need sentence-sized
    segments whose start and end are those of their words.
    """
    if not seg.words:
        return [seg]
    pieces: list[list[Word]] = [[]]
    for i, w in enumerate(seg.words):
        cur = pieces[-1]
        if cur and w.start - cur[-1].end >= SPLIT_PAUSE:
            pieces.append([w])
        else:
            cur.append(w)
        nxt = seg.words[i + 1] if i + 1 < len(seg.words) else None
        if nxt is not None and w.word.strip().endswith(SENTENCE_END) and nxt.word[:1] == " ":
            pieces.append([])
    pieces = [p for p in pieces if p]
    if len(pieces) <= 1:
        if seg.words:
            seg.start, seg.end = seg.words[0].start, max(seg.words[-1].end, seg.words[0].start)
        return [seg]
    return [
        Segment(
            id=seg.id,
            start=p[0].start,
            end=max(p[-1].end, p[0].start),
            text="".join(w.word for w in p).strip(),
            words=p,
            avg_logprob=seg.avg_logprob,
            no_speech_prob=seg.no_speech_prob,
            compression_ratio=seg.compression_ratio,
        )
        for p in pieces
    ]


# -- guards --------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[^\w\s]", "", text.lower()).strip()


def _fmt(t: float) -> str:
    return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{t % 60:04.1f}"


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
        where = _fmt(seg.start)
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
