"""One recording in, one :class:`Transcript` out: decode → ASR → (diarization).

The stages run one after the other, never concurrently: on a 2-core machine ASR and speaker
embeddings competing for the cores slowed both down ~9x.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from journeytape import __version__
from journeytape.transcribe.asr import (
    AsrModel,
    check_languages,
    load_model,
    model_identity,
    transcribe_audio,
)
from journeytape.transcribe.audio import DecodedAudio, decode
from journeytape.transcribe.memory import release_memory
from journeytape.transcribe.session_marks import session_marks
from journeytape.transcribe.settings import TranscribeSettings
from journeytape.transcribe.transcript import Transcript

#: progress(stage, fraction): stage is "decode", "asr" or "diarization"; fraction 0..1
Progress = Callable[[str, float], None]


def settings_key(settings: TranscribeSettings, model_identity: str) -> str:
    """The cache key: result-changing settings with the model named by what it *is*."""
    return settings.key({"model": model_identity})


def expected_key(settings: TranscribeSettings) -> str:
    """The settings key a transcript made now would get, without loading the model (cheap;
    the batch runner uses it to skip recordings that are already done)."""
    from journeytape.models.registry import resolve_asr_model

    return settings_key(settings, model_identity(resolve_asr_model(settings.model)))


def transcribe_file(
    path: str | Path,
    settings: TranscribeSettings,
    model: AsrModel | None = None,
    progress: Progress | None = None,
    *,
    sha256: str | None = None,
) -> Transcript:
    """Transcribe one recording. Raises ``AudioError`` for unusable input."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    if progress:
        progress("decode", 0.0)
    audio = decode(path, sha256=sha256)
    timings["decode"] = time.perf_counter() - t0
    if progress:
        progress("decode", 1.0)

    if model is None:
        model = load_model(settings.model, settings.compute_type, settings.threads)
    check_languages(model, settings.language, settings.languages)

    t1 = time.perf_counter()
    if progress:
        progress("asr", 0.0)
    result = transcribe_audio(
        model,
        audio.samples,
        language=settings.language,
        languages=settings.languages,
        beam_size=settings.beam_size,
        batch_size=settings.batch_size,
        vad=settings.vad,
        initial_prompt=settings.initial_prompt,
        hotwords=settings.hotwords,
        progress=(lambda f: progress("asr", f)) if progress else None,
    )
    timings["asr"] = time.perf_counter() - t1
    release_memory()  # ASR's freed heap back to the OS before diarization adds its own

    asr_info = model.describe()
    asr_info.update(
        mode=result.mode,
        beam_size=settings.beam_size,
        batch_size=settings.batch_size if result.mode == "batched" else 1,
        vad="silero" if settings.vad else None,
        language_probs=result.language_probs,
        speech_seconds=result.speech_seconds,
    )
    transcript = Transcript(
        recording=audio.info,
        language=result.language,
        language_probability=result.language_probability,
        segments=result.segments,
        speakers=[],
        models={"asr": asr_info, "diarization": None},
        settings={**settings.result_settings(), "model_identity": model.identity},
        settings_key=settings_key(settings, model.identity),
        timings={},
        warnings=[*audio.warnings, *result.warnings],
        journeytape_version=__version__,
    )

    if settings.diarize:
        t2 = time.perf_counter()
        transcript = _diarize(transcript, audio, settings, progress)
        timings["diarization"] = time.perf_counter() - t2
        release_memory()

    # what the interviewer marked and ticked live, when this is a recorder session
    transcript.markers, transcript.ticks = session_marks(path)
    timings["total"] = time.perf_counter() - t0
    duration = audio.info.duration
    timings["rtf"] = timings["total"] / duration if duration else 0.0
    transcript.timings = {k: round(v, 3) for k, v in timings.items()}
    transcript.created = datetime.now(UTC).isoformat(timespec="seconds")
    return transcript


def _diarize(
    transcript: Transcript,
    audio: DecodedAudio,
    settings: TranscribeSettings,
    progress: Progress | None,
) -> Transcript:
    try:
        from journeytape.transcribe.diarize import diarize_transcript
    except ModuleNotFoundError as exc:
        if exc.name != "journeytape.transcribe.diarize":
            raise
        transcript.warnings.append(
            "speaker separation is not available in this installation; transcribed without it"
        )
        return transcript
    return diarize_transcript(
        transcript,
        audio,
        settings,
        progress=(lambda f: progress("diarization", f)) if progress else None,
    )
