"""faster-whisper's private API, in one place: what batched decoding needs beyond the public one.

Why drive private parts at all: the language is chosen from the encoder output of the first
batch of speech windows, which is then decoded. faster-whisper's public
``BatchedInferencePipeline.transcribe`` would run the VAD and the encoder over that audio a
second time to detect the language (12 % of the time on a 2-minute recording), and it cannot
restrict detection to the languages a study allows. So :mod:`journeytape.transcribe.asr` cuts the
windows and runs the pipeline's own batch loop through the functions below; everything else it
uses is faster-whisper's public API (``WhisperModel(...)``, ``WhisperModel.transcribe``,
``__version__``).

Written against **faster-whisper 1.2.1** (pinned in pyproject.toml). On an upgrade:

* run ``tests/transcribe/test_whisper_adapter.py``: it checks, without a model, that every name
  in :data:`PRIVATE_CALLS`, :data:`PRIVATE_NAMES` and :data:`MODEL_ATTRIBUTES` still exists and
  takes the parameters passed here (:func:`api_problems`), then makes one call with tiny.en;
* compare ``BatchedInferencePipeline.transcribe``'s ``TranscriptionOptions(...)`` call with
  :func:`option_values` (the defaults copied from it: best_of, patience, punctuation, …);
* check that ``BatchedInferencePipeline.generate_segment_batched`` still calls
  ``self.model.encode(features)`` once per batch (what :class:`_Prepared` relies on), that
  ``collect_chunks`` metadata still has ``offset``/``duration`` in seconds, and that
  ctranslate2's ``Whisper.detect_language`` still gives ``[("<|xx|>", p), …]`` per window.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import numpy as np

#: the faster-whisper version this adapter was written and checked against
WRITTEN_FOR = "1.2.1"
SAMPLE_RATE = 16000

#: every private or undocumented callable used here ("module:qualified name") and the keyword
#: arguments this module passes to it; :func:`api_problems` checks them with inspect.signature
PRIVATE_CALLS: dict[str, tuple[str, ...]] = {
    "faster_whisper.transcribe:BatchedInferencePipeline": ("model",),
    "faster_whisper.transcribe:BatchedInferencePipeline._batched_segments_generator": (
        "features",
        "tokenizer",
        "chunks_metadata",
        "batch_size",
        "options",
        "log_progress",
    ),
    "faster_whisper.transcribe:get_suppressed_tokens": ("tokenizer", "suppress_tokens"),
    "faster_whisper.transcribe:restore_speech_timestamps": (
        "segments",
        "speech_chunks",
        "sampling_rate",
    ),
    "faster_whisper.transcribe:WhisperModel.encode": ("features",),
    "faster_whisper.tokenizer:Tokenizer": ("tokenizer", "multilingual", "task", "language"),
    "faster_whisper.vad:get_speech_timestamps": ("audio", "vad_options"),
    "faster_whisper.vad:collect_chunks": ("audio", "chunks", "sampling_rate", "max_duration"),
    "faster_whisper.audio:pad_or_trim": ("array",),
    "faster_whisper.feature_extractor:FeatureExtractor.__call__": ("waveform",),
}
#: private values and classes used here
PRIVATE_NAMES = (
    "faster_whisper.tokenizer:_LANGUAGE_CODES",
    "faster_whisper.transcribe:TranscriptionOptions",
    "faster_whisper.vad:VadOptions",
)
#: attributes of a loaded ``WhisperModel`` read here (set in its ``__init__``, undocumented);
#: ``model`` is the ctranslate2 ``Whisper`` (public API: is_multilingual, detect_language)
MODEL_ATTRIBUTES = ("model", "feature_extractor", "hf_tokenizer")


def _resolve(path: str) -> Any:
    module, _, name = path.partition(":")
    obj: Any = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def api_problems() -> list[str]:
    """What of the private API this module uses is missing or changed (empty: all there).

    Cheap (no model): imports faster-whisper and compares signatures and field names."""
    problems: list[str] = []
    for path, params in PRIVATE_CALLS.items():
        try:
            sig = inspect.signature(_resolve(path))
        except (ImportError, AttributeError) as exc:
            problems.append(f"{path}: missing ({exc})")
            continue
        args = dict.fromkeys(params)
        if "self" in sig.parameters:
            args["self"] = None
        try:
            sig.bind(**args)
        except TypeError as exc:
            problems.append(f"{path}{sig}: does not take {', '.join(params)} ({exc})")
    for path in PRIVATE_NAMES:
        try:
            _resolve(path)
        except (ImportError, AttributeError) as exc:
            problems.append(f"{path}: missing ({exc})")
    try:
        problems += _option_problems()
    except (ImportError, AttributeError, TypeError) as exc:
        problems.append(f"TranscriptionOptions/VadOptions: not dataclasses any more ({exc})")
    try:
        init = inspect.getsource(_resolve("faster_whisper.transcribe:WhisperModel.__init__"))
    except (ImportError, AttributeError, OSError) as exc:
        return [*problems, f"WhisperModel.__init__: source not readable ({exc})"]
    problems += [
        f"WhisperModel.__init__ no longer sets self.{a}"
        for a in MODEL_ATTRIBUTES
        if f"self.{a} =" not in init
    ]
    return problems


def _option_problems() -> list[str]:
    """The fields of TranscriptionOptions and VadOptions against what this module sets."""
    theirs = {f.name for f in fields(_resolve("faster_whisper.transcribe:TranscriptionOptions"))}
    ours = set(option_values(suppress_tokens=(), clip_timestamps=[], beam_size=5))
    problems = []
    if theirs != ours:
        problems.append(
            f"TranscriptionOptions fields changed: new {sorted(theirs - ours)}, "
            f"gone {sorted(ours - theirs)}"
        )
    vad_fields = {f.name for f in fields(_resolve("faster_whisper.vad:VadOptions"))}
    if missing := set(BATCH_VAD) - vad_fields:
        problems.append(f"VadOptions has no {sorted(missing)}")
    return problems


# -- what asr.py calls ---------------------------------------------------------------------

#: faster-whisper's batched pipeline: VAD settings and window length (its own defaults)
WINDOW_SECONDS = 30
BATCH_VAD = {"max_speech_duration_s": WINDOW_SECONDS, "min_silence_duration_ms": 160}


def language_codes() -> tuple[str, ...]:
    """The language codes Whisper knows (ISO 639-1 and a few more)."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    return tuple(_LANGUAGE_CODES)


def is_multilingual(whisper: Any) -> bool:
    """Whether a loaded ``WhisperModel`` knows more than English."""
    return bool(whisper.model.is_multilingual)


def encode(whisper: Any, features: np.ndarray) -> Any:
    """Whisper's encoder output of windows of log-Mel ``features`` (a ctranslate2 StorageView)."""
    return whisper.encode(features)  # positional, as the batched pipeline calls it


def language_probabilities(whisper: Any, encoded: Any) -> list[list[tuple[str, float]]]:
    """Per window of ``encoded``: (language token like ``"<|nl|>"``, probability), best first."""
    return whisper.model.detect_language(encoded)


def speech_stamps(audio: np.ndarray) -> list[dict[str, int]]:
    """Silero VAD speech regions (in samples) as the batched pipeline finds them."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return get_speech_timestamps(audio=audio, vad_options=VadOptions(**BATCH_VAD))


def window_features(
    whisper: Any, audio: np.ndarray, stamps: list[dict[str, int]]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """``stamps`` of ``audio`` merged into windows of up to 30 s as the batched pipeline does:
    log-Mel features, one padded window per row, and each window's metadata (offset and
    duration in seconds of speech)."""
    from faster_whisper.vad import collect_chunks

    chunks, metadata = collect_chunks(
        audio=audio, chunks=stamps, sampling_rate=SAMPLE_RATE, max_duration=WINDOW_SECONDS
    )
    return np.stack([chunk_features(whisper, c) for c in chunks]), metadata


def chunk_features(whisper: Any, chunk: np.ndarray) -> np.ndarray:
    """Log-Mel features of one window's audio, padded to 30 s, as the batched pipeline makes
    them (the last frame dropped, as it does)."""
    from faster_whisper.audio import pad_or_trim

    return pad_or_trim(array=whisper.feature_extractor(waveform=chunk)[..., :-1])


def option_values(
    suppress_tokens: Any,
    clip_timestamps: list[dict[str, int]],
    *,
    beam_size: int,
    initial_prompt: str | None = None,
    hotwords: str | None = None,
    log_prob_threshold: float | None = -1.0,
    no_speech_threshold: float | None = 0.6,
    compression_ratio_threshold: float | None = 2.4,
) -> dict[str, Any]:
    """The fields of faster-whisper's ``TranscriptionOptions``: what
    ``BatchedInferencePipeline.transcribe`` passes, with word timestamps and our choices."""
    return {
        "beam_size": beam_size,
        "best_of": 5,
        "patience": 1,
        "length_penalty": 1,
        "repetition_penalty": 1,
        "no_repeat_ngram_size": 0,
        "log_prob_threshold": log_prob_threshold,
        "no_speech_threshold": no_speech_threshold,
        "compression_ratio_threshold": compression_ratio_threshold,
        "condition_on_previous_text": False,  # the main cause of repetition loops (#506)
        "prompt_reset_on_temperature": 0.5,
        "temperatures": [0.0],
        "initial_prompt": initial_prompt,
        "prefix": None,
        "suppress_blank": True,
        "suppress_tokens": suppress_tokens,
        "without_timestamps": True,
        "max_initial_timestamp": 0.0,
        "word_timestamps": True,
        "prepend_punctuations": "\"'“¿([{-",
        "append_punctuations": "\"'.。,，!！?？:：”)]}、",
        "multilingual": False,
        "max_new_tokens": None,
        "clip_timestamps": clip_timestamps,
        "hallucination_silence_threshold": None,
        # the batched decoder puts these after <|startofprev|> in every window's prompt
        # (WhisperModel.get_prompt via generate_segment_batched)
        "hotwords": hotwords,
    }


def decode_batched(
    whisper: Any,
    features: np.ndarray,
    metadata: list[dict[str, Any]],
    stamps: list[dict[str, int]],
    *,
    language: str,
    batch_size: int,
    encoded_first: Any = None,
    **options: Any,
) -> Iterator[Any]:
    """faster-whisper ``Segment``s of every window (times in the audio ``stamps`` came from),
    decoded ``batch_size`` at a time with word timestamps. ``options``: the keyword arguments
    of :func:`option_values`. ``encoded_first``: the encoder output of the first batch, already
    computed (to choose the language), used instead of encoding it again."""
    from faster_whisper import BatchedInferencePipeline
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import (
        TranscriptionOptions,
        get_suppressed_tokens,
        restore_speech_timestamps,
    )

    tokenizer = Tokenizer(
        tokenizer=whisper.hf_tokenizer,
        multilingual=is_multilingual(whisper),
        task="transcribe",
        language=language,
    )
    suppress = get_suppressed_tokens(tokenizer=tokenizer, suppress_tokens=[-1])
    settings = TranscriptionOptions(**option_values(suppress, stamps, **options))
    if encoded_first is not None:
        whisper = _Prepared(whisper, features[:batch_size], encoded_first)
    pipeline = BatchedInferencePipeline(model=whisper)
    segments = pipeline._batched_segments_generator(
        features=features,
        tokenizer=tokenizer,
        chunks_metadata=metadata,
        batch_size=batch_size,
        options=settings,
        log_progress=False,
    )
    return restore_speech_timestamps(
        segments=segments, speech_chunks=stamps, sampling_rate=SAMPLE_RATE
    )


class _Prepared:
    """The WhisperModel as the batched pipeline sees it, except that the first ``encode`` of
    the given features returns the encoder output already computed for them instead of
    running the encoder again."""

    def __init__(self, whisper: Any, features: np.ndarray, encoded: Any) -> None:
        self._whisper, self._ready = whisper, (features, encoded)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._whisper, name)

    def encode(self, features: np.ndarray) -> Any:
        ready, self._ready = self._ready, None
        if ready is not None and np.array_equal(ready[0], features):
            return ready[1]
        return self._whisper.encode(features)
