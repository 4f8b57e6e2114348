"""Speech recognition with faster-whisper: restricted language detection, guards, words.

* The loaded :class:`WhisperModel` is cached per (model folder, compute type, threads), so a
  batch loads it once.
* Batched inference (faster-whisper's batched pipeline: Silero VAD speech merged into 30 s
  windows, decoded ``ASR_BATCH_SIZE`` at a time) is used when ``batch_size > 1`` and VAD is
  on: on a 2-minute meeting it took 14 CPU seconds against 19 for the sequential decoder (2
  cores, batch 8; batch 2 costs ~8 % more CPU and ~0.5 GB less memory). This module cuts
  the windows itself (:func:`speech_windows`) so that the
  language is chosen from the encoder output of the first batch, which is then decoded: asking
  Whisper for the language first would run the VAD and the encoder over that audio a second
  time (12 % of the time on a 2-minute recording). The private parts of faster-whisper this
  needs are all in :mod:`journeytape.transcribe.whisper_adapter`; this module uses only them
  and faster-whisper's public API.
* Language detection only chooses among the languages the user allows
  (:mod:`journeytape.transcribe.language`).
* Guards against Whisper's known failures (:mod:`journeytape.transcribe.guards`) are applied
  to every segment; what they remove is reported in the transcript's warnings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from journeytape.models.registry import ResolvedModel, resolve_asr_model
from journeytape.transcribe import whisper_adapter as fw
from journeytape.transcribe.asr_gaps import region_windows, with_gaps_filled
from journeytape.transcribe.guards import (
    COMPRESSION_RATIO_THRESHOLD,
    HALLUCINATION_SILENCE,
    LOG_PROB_THRESHOLD,
    NO_SPEECH_THRESHOLD,
    apply_guards,
)
from journeytape.transcribe.language import (
    DETECT_SEARCH_SECONDS,
    DETECT_WINDOWS,
    LanguageChoice,
    language_from_encoded,
)
from journeytape.transcribe.settings import ASR_BATCH_SIZE
from journeytape.transcribe.transcript import Segment, Word

SAMPLE_RATE = 16000
WINDOW_SECONDS = fw.WINDOW_SECONDS


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
        return fw.is_multilingual(self.model)

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
    known = fw.language_codes()
    for code in [language] if language else list(languages):
        if code not in known:
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


# -- speech windows and language -----------------------------------------------------------


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

    @property
    def speech_seconds(self) -> float:
        return sum(st["end"] - st["start"] for st in self.stamps) / SAMPLE_RATE


def speech_windows(model: AsrModel, audio: np.ndarray, vad: bool = True) -> SpeechWindows | None:
    """Cut ``audio`` into speech windows exactly as faster-whisper's batched pipeline does;
    None when there is no speech. Without ``vad`` the whole audio is one window (< 30 s)."""
    if vad:
        stamps = fw.speech_stamps(audio)
    else:
        stamps = [{"start": 0, "end": min(len(audio), WINDOW_SECONDS * SAMPLE_RATE)}]
    stamps = [s for s in stamps if s["end"] > s["start"]]
    if not stamps:
        return None
    features, metadata = fw.window_features(model.model, audio, stamps)
    return SpeechWindows(stamps=stamps, features=features, metadata=metadata)


def detect_language(model: AsrModel, audio: np.ndarray, allowed: Iterable[str]) -> LanguageChoice:
    """Pick the most probable language among ``allowed`` from the first speech in ``audio``.

    For the sequential decoder and for callers that only want the language; the batched
    path in :func:`transcribe_audio` decides the same way (:func:`language_from_encoded`)
    from the encoder output of the windows it then decodes.
    """
    allowed = list(dict.fromkeys(allowed))
    if not model.multilingual:
        return LanguageChoice.fixed("en")
    prefix = audio[: DETECT_SEARCH_SECONDS * SAMPLE_RATE]
    windows = speech_windows(model, prefix) or speech_windows(model, prefix, vad=False)
    assert windows is not None
    first = fw.encode(model.model, windows.features[:DETECT_WINDOWS])
    return language_from_encoded(model.model, first, windows.durations, allowed)


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


@dataclass
class _Decoding:
    """One call of :func:`transcribe_audio`: its settings, and the language once chosen."""

    model: AsrModel
    allowed: list[str]
    beam_size: int
    batch_size: int
    vad: bool
    initial_prompt: str | None
    hotwords: str | Mapping[str, str] | None
    batched: bool
    choice: LanguageChoice | None = None

    def block(self, block: np.ndarray) -> tuple[Iterable[Any], float]:
        """faster-whisper segments of one block (lazily) and its seconds of speech."""
        if self.batched:
            return self._batched(block)
        return self._sequential(block)

    def _batched(self, block: np.ndarray) -> tuple[Iterable[Any], float]:
        windows = speech_windows(self.model, block, self.vad)
        if not windows:
            return (), 0.0
        whisper = self.model.model
        encoded = None
        if self.choice is None:  # the first speech: the language comes from its encoder output
            encoded = fw.encode(whisper, windows.features[: self.batch_size])
            self.choice = language_from_encoded(whisper, encoded, windows.durations, self.allowed)
        decode = partial(
            fw.decode_batched,
            whisper,
            language=self.choice.language,
            batch_size=self.batch_size,
            beam_size=self.beam_size,
            initial_prompt=self.initial_prompt,
            hotwords=hotwords_for(self.hotwords, self.choice.language),
            log_prob_threshold=LOG_PROB_THRESHOLD,
            no_speech_threshold=NO_SPEECH_THRESHOLD,
            compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
        )

        def fill(regions: list[list[dict[str, int]]]) -> Iterable[Any]:
            gaps = region_windows(whisper, block, regions)
            return decode(gaps.features, gaps.metadata, gaps.stamps)

        first = decode(windows.features, windows.metadata, windows.stamps, encoded_first=encoded)
        # short turns the batched decoder skipped are decoded again (asr_gaps)
        return with_gaps_filled(first, windows.stamps, fill), windows.speech_seconds

    def _sequential(self, block: np.ndarray) -> tuple[Iterable[Any], float]:
        assert self.choice is not None
        segments, info = self.model.model.transcribe(
            block,
            language=self.choice.language,
            beam_size=self.beam_size,
            word_timestamps=True,
            vad_filter=self.vad,
            initial_prompt=self.initial_prompt,
            hotwords=hotwords_for(self.hotwords, self.choice.language),
            condition_on_previous_text=False,  # the main cause of repetition loops (#506)
            compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
            log_prob_threshold=LOG_PROB_THRESHOLD,
            no_speech_threshold=NO_SPEECH_THRESHOLD,
            hallucination_silence_threshold=HALLUCINATION_SILENCE,
        )
        return segments, float(info.duration_after_vad or 0.0)


def transcribe_audio(
    model: AsrModel,
    audio: np.ndarray,
    *,
    language: str | None = None,
    languages: Iterable[str] = ("en", "nl", "de"),
    beam_size: int = 5,
    batch_size: int = ASR_BATCH_SIZE,
    vad: bool = True,
    initial_prompt: str | None = None,
    progress: Callable[[float], None] | None = None,
    hotwords: str | Mapping[str, str] | None = None,
) -> AsrResult:
    """Transcribe 16 kHz mono ``audio`` with word timestamps; ``progress`` gets 0..1.

    ``hotwords``: words Whisper should expect (the interview guide's checklist, so that
    "servicedesk" or "selfserviceportaal" are heard right), one string for every language or
    ``{language: words}``; the words of the detected language are used."""
    duration = len(audio) / SAMPLE_RATE
    run = _Decoding(
        model,
        list(dict.fromkeys(languages)),
        beam_size,
        batch_size,
        vad,
        initial_prompt,
        hotwords,
        # the batched pipeline needs VAD chunks for audio longer than one 30 s window
        batched=batch_size > 1 and (vad or duration < WINDOW_SECONDS),
    )
    if language or not model.multilingual:
        run.choice = LanguageChoice.fixed(language or "en")
    elif not run.batched:
        run.choice = detect_language(model, audio, run.allowed)

    raw: list[Segment] = []
    speech_seconds = 0.0
    for lo, hi in blocks(audio):
        # faster-whisper computes the features of everything it is given at once (80 floats
        # per 10 ms: twice the audio's own size); blocks keep that bounded for long recordings
        offset = lo / SAMPLE_RATE
        segments, seconds = run.block(audio[lo:hi])
        speech_seconds += seconds
        for s in segments:
            raw.append(_segment(s, len(raw), offset))
            if progress and duration:
                progress(min(1.0, (offset + s.end) / duration))
        if progress and duration:
            progress(min(1.0, hi / len(audio)))
    if progress:
        progress(1.0)
    return _result(run, raw, speech_seconds)


def _result(run: _Decoding, raw: list[Segment], speech_seconds: float) -> AsrResult:
    """Guards, sentence split and warnings applied to the raw segments of a whole recording."""
    choice = run.choice or LanguageChoice.undecided(run.allowed)
    warnings = [choice.warning] if choice.warning else []
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
        mode="batched" if run.batched else "sequential",
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
