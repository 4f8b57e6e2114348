"""Speech recognition with faster-whisper: restricted language detection, guards, words.

* The loaded :class:`WhisperModel` is cached per (model folder, compute type, threads), so a
  batch loads it once.
* Batched inference (faster-whisper's :class:`BatchedInferencePipeline`: Silero VAD speech
  merged into 30 s windows, decoded 8 at a time) is used when ``batch_size > 1`` and VAD is
  on: on a 2-minute meeting it took 14 CPU seconds against 19 for the sequential decoder
  (2 cores; batch 16 was no faster than 8). This module drives the pipeline's steps itself
  (:func:`speech_windows`, :func:`_decode_windows`) so that the language is chosen from the
  encoder output of the first batch, which is then decoded: asking Whisper for the language
  first would run the VAD and the encoder over that audio a second time (12 % of the time
  on a 2-minute recording).
* Language detection only chooses among the languages the user allows: Whisper's language
  probabilities of the first windows of *speech* (up to three, weighted by their length) are
  renormalised over the allowed set. Dutch otherwise often comes out as German or Afrikaans.
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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from journeytape.models.registry import ResolvedModel, resolve_asr_model
from journeytape.transcribe.asr_gaps import region_windows, with_gaps_filled
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
#: language detection looks at the first windows of speech (30 s each), weighted by length
DETECT_WINDOWS = 3
#: ... found in this much audio from the start when detecting on its own (sequential mode)
DETECT_SEARCH_SECONDS = 240
#: faster-whisper's batched pipeline: VAD settings and window length (its own defaults)
WINDOW_SECONDS = 30
BATCH_VAD = {"max_speech_duration_s": WINDOW_SECONDS, "min_silence_duration_ms": 160}

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
        from faster_whisper import WhisperModel

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

    For the sequential decoder and for callers that only want the language; the batched
    path in :func:`transcribe_audio` decides the same way (:func:`language_from_encoded`)
    from the encoder output of the windows it then decodes.
    """
    allowed = list(dict.fromkeys(allowed))
    if not model.multilingual:
        return LanguageChoice("en", 1.0, {"en": 1.0}, "en", 1.0)
    prefix = audio[: DETECT_SEARCH_SECONDS * SAMPLE_RATE]
    windows = speech_windows(model, prefix) or speech_windows(model, prefix, vad=False)
    assert windows is not None
    first = windows.features[:DETECT_WINDOWS]
    return language_from_encoded(model, model.model.encode(first), windows.durations, allowed)


def language_from_encoded(
    model: AsrModel, encoded: Any, durations: list[float], allowed: list[str]
) -> LanguageChoice:
    """Whisper's language probabilities of the first windows of ``encoded`` (encoder output),
    weighted by each window's seconds of speech, chosen among ``allowed``."""
    per_window = model.model.model.detect_language(encoded)[:DETECT_WINDOWS]
    totals: dict[str, float] = {}
    for probs, seconds in zip(per_window, durations, strict=False):
        for token, p in probs:  # tokens look like "<|nl|>"
            totals[token[2:-2]] = totals.get(token[2:-2], 0.0) + seconds * p
    weight = sum(durations[: len(per_window)]) or 1.0
    return _choose({k: v / weight for k, v in totals.items()}, allowed)


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


@dataclass
class SpeechWindows:
    """The speech of some audio as Whisper's batched decoder takes it: VAD speech merged into
    windows of up to 30 s (silences between the pieces left out)."""

    #: VAD speech regions, in samples of the audio they came from
    stamps: list[dict[str, int]]
    #: log-Mel features, one padded 30 s window per row: (windows, mels, 3000)
    features: np.ndarray
    #: faster-whisper's per-window metadata (offset and duration in seconds of speech)
    metadata: list[dict[str, Any]]

    @property
    def durations(self) -> list[float]:
        return [float(m["duration"]) for m in self.metadata]


def speech_windows(model: AsrModel, audio: np.ndarray, vad: bool = True) -> SpeechWindows | None:
    """Cut ``audio`` into speech windows exactly as faster-whisper's batched pipeline does;
    None when there is no speech. Without ``vad`` the whole audio is one window (< 30 s)."""
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    if vad:
        stamps = get_speech_timestamps(audio, VadOptions(**BATCH_VAD))
    else:
        stamps = [{"start": 0, "end": min(len(audio), WINDOW_SECONDS * SAMPLE_RATE)}]
    stamps = [s for s in stamps if s["end"] > s["start"]]
    if not stamps:
        return None
    chunks, metadata = collect_chunks(audio, stamps, max_duration=WINDOW_SECONDS)
    extract = model.model.feature_extractor
    features = np.stack([pad_or_trim(extract(chunk)[..., :-1]) for chunk in chunks])
    return SpeechWindows(stamps=stamps, features=features, metadata=metadata)


class _Encoded:
    """The WhisperModel as faster-whisper's batched pipeline sees it, except that the first
    ``encode`` of the given features returns the encoder output already computed for them
    (to choose the language) instead of running the encoder again."""

    def __init__(self, model: Any, features: np.ndarray, encoded: Any):
        self._model, self._ready = model, (features, encoded)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def encode(self, features: np.ndarray) -> Any:
        ready, self._ready = self._ready, None
        if ready is not None and np.array_equal(ready[0], features):
            return ready[1]
        return self._model.encode(features)


def _decode_windows(
    model: AsrModel,
    windows: SpeechWindows,
    language: str,
    *,
    batch_size: int,
    beam_size: int,
    initial_prompt: str | None,
    encoded_first: Any = None,
    hotwords: str | None = None,
) -> Iterable[Any]:
    """faster-whisper segments (times in the audio ``windows`` came from) of every window,
    decoded ``batch_size`` at a time with Whisper's batched defaults and word timestamps."""
    from faster_whisper import BatchedInferencePipeline
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import (
        TranscriptionOptions,
        get_suppressed_tokens,
        restore_speech_timestamps,
    )

    whisper = model.model
    tokenizer = Tokenizer(whisper.hf_tokenizer, model.multilingual, "transcribe", language)
    options = TranscriptionOptions(  # what BatchedInferencePipeline.transcribe passes
        beam_size=beam_size,
        best_of=5,
        patience=1,
        length_penalty=1,
        repetition_penalty=1,
        no_repeat_ngram_size=0,
        log_prob_threshold=LOG_PROB_THRESHOLD,
        no_speech_threshold=NO_SPEECH_THRESHOLD,
        compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
        condition_on_previous_text=False,  # the main cause of repetition loops (#506)
        prompt_reset_on_temperature=0.5,
        temperatures=[0.0],
        initial_prompt=initial_prompt,
        prefix=None,
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
        without_timestamps=True,
        max_initial_timestamp=0.0,
        word_timestamps=True,
        prepend_punctuations="\"'“¿([{-",
        append_punctuations="\"'.。,，!！?？:：”)]}、",
        multilingual=False,
        max_new_tokens=None,
        clip_timestamps=windows.stamps,
        hallucination_silence_threshold=None,
        # faster-whisper's batched decoder puts these after <|startofprev|> in every window's
        # prompt (WhisperModel.get_prompt via generate_segment_batched)
        hotwords=hotwords,
    )
    if encoded_first is not None:
        whisper = _Encoded(whisper, windows.features[:batch_size], encoded_first)
    pipeline = BatchedInferencePipeline(whisper)
    # the pipeline's own loop over batches (private in faster-whisper 1.2.1, which is pinned)
    segments = pipeline._batched_segments_generator(
        windows.features, tokenizer, windows.metadata, batch_size, options, False
    )
    return restore_speech_timestamps(segments, windows.stamps, SAMPLE_RATE)


# -- transcription -------------------------------------------------------------------------


def hotwords_for(hotwords: str | Mapping[str, str] | None, language: str) -> str | None:
    """The hotwords for ``language`` (a plain string applies to every language)."""
    if hotwords is None or isinstance(hotwords, str):
        return hotwords or None
    return hotwords.get(language) or None


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
    hotwords: str | Mapping[str, str] | None = None,
) -> AsrResult:
    """Transcribe 16 kHz mono ``audio`` with word timestamps; ``progress`` gets 0..1.

    ``hotwords``: words Whisper should expect (the interview guide's checklist, so that
    "servicedesk" or "selfserviceportaal" are heard right), one string for every language or
    ``{language: words}``; the words of the detected language are used."""
    allowed = list(dict.fromkeys(languages))
    warnings: list[str] = []
    duration = len(audio) / SAMPLE_RATE
    choice: LanguageChoice | None = None
    if language or not model.multilingual:
        fixed = language or "en"
        choice = LanguageChoice(fixed, 1.0, {fixed: 1.0}, fixed, 1.0)
    # the batched pipeline needs VAD chunks for audio longer than one 30 s window
    batched = batch_size > 1 and (vad or duration < WINDOW_SECONDS)
    if choice is None and not batched:
        choice = detect_language(model, audio, allowed)

    raw: list[Segment] = []
    speech_seconds = 0.0
    for lo, hi in blocks(audio):
        # faster-whisper computes the features of everything it is given at once (80 floats
        # per 10 ms: twice the audio's own size); blocks keep that bounded for long recordings
        block = audio[lo:hi]
        offset = lo / SAMPLE_RATE
        segments_iter: Iterable[Any] = ()
        if batched and (windows := speech_windows(model, block, vad)):
            encoded = None
            if choice is None:  # the first speech: the language comes from its encoder output
                encoded = model.model.encode(windows.features[:batch_size])
                choice = language_from_encoded(model, encoded, windows.durations, allowed)
            speech_seconds += sum(st["end"] - st["start"] for st in windows.stamps) / SAMPLE_RATE
            decode = partial(
                _decode_windows,
                model,
                language=choice.language,
                batch_size=batch_size,
                beam_size=beam_size,
                initial_prompt=initial_prompt,
                hotwords=hotwords_for(hotwords, choice.language),
            )
            # short turns the batched decoder skipped are decoded again alone (asr_gaps)
            segments_iter = with_gaps_filled(
                decode(windows, encoded_first=encoded),
                windows.stamps,
                lambda regions, b=block, d=decode: d(region_windows(model, b, regions)),
            )
        elif not batched:
            assert choice is not None
            segments_iter, info = model.model.transcribe(
                block,
                language=choice.language,
                beam_size=beam_size,
                word_timestamps=True,
                vad_filter=vad,
                initial_prompt=initial_prompt,
                hotwords=hotwords_for(hotwords, choice.language),
                condition_on_previous_text=False,  # the main cause of repetition loops (#506)
                compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
                log_prob_threshold=LOG_PROB_THRESHOLD,
                no_speech_threshold=NO_SPEECH_THRESHOLD,
                hallucination_silence_threshold=HALLUCINATION_SILENCE,
            )
            speech_seconds += float(info.duration_after_vad or 0.0)
        for s in segments_iter:
            raw.append(_segment(s, len(raw), offset))
            if progress and duration:
                progress(min(1.0, (offset + s.end) / duration))
        if progress and duration:
            progress(min(1.0, hi / len(audio)))
    if progress:
        progress(1.0)
    if choice is None:  # no speech anywhere: nothing to tell the languages apart
        even = {a: 1.0 / len(allowed) for a in allowed}
        choice = LanguageChoice(allowed[0], even[allowed[0]], even, allowed[0], 0.0)
    if choice.warning:
        warnings.append(choice.warning)

    segments, guard_warnings = apply_guards(raw)
    warnings.extend(guard_warnings)
    segments = [part for seg in segments for part in split_segment(seg)]
    segments.sort(key=lambda seg: seg.start)  # gap fills (asr_gaps) come after their block
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
