"""Who spoke when: pyannote.audio's ``SpeakerDiarization`` with the embedded models, offline.

Segmentation is pyannote/segmentation-3.0, speaker embeddings are CAM++ (see ``campplus``);
both ship in an installed wheel, so nothing is downloaded. No PLDA exists here, so speakers
are clustered agglomeratively (``AgglomerativeClustering``), with parameters tuned on the AMI
excerpts of the evaluation set (docs/speakers.md; ``bench/diarization.py``). The pipeline is
built in ``diarize_pipeline``, the stereo split is ``stereo``, other embeddings ``voices``.

A stereo recording with one voice per channel (a phone call, two lavalier microphones) is
detected and split by channel instead: exact, and much cheaper than clustering.

The result feeds :func:`journeytape.transcribe.merge.assign_speakers` (words -> speakers) and
:mod:`journeytape.transcribe.roles` (Interviewer/Respondent).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np

# the pipeline and its settings, the stereo split and the embeddings outside pyannote live in
# their own modules (#16); they stay importable from here, as before
from journeytape.transcribe.diarize_pipeline import (  # noqa: F401
    PYANNOTE_DEFAULT,
    TUNED,
    DiarizationParams,
    build_pipeline,
    interview_clustering,
    segmentation_model,
    set_threads,
)
from journeytape.transcribe.memory import release_memory
from journeytape.transcribe.merge import Diarization, Turn, assign_speakers
from journeytape.transcribe.refine import RefineParams, refine
from journeytape.transcribe.speaker_count import count_warnings
from journeytape.transcribe.stereo import channel_activity, diarize_channels  # noqa: F401
from journeytape.transcribe.turns import smooth_turns
from journeytape.transcribe.voices import (  # noqa: F401
    _embed_pieces,
    embed_samples,
    load_voice,
    speaker_embeddings_from_turns,
)

SAMPLE_RATE = 16000
#: progress(step, completed, total): step is "segmentation" | "embeddings" | "clustering"
Progress = Callable[[str, int, int], None]


class DiarizationError(RuntimeError):
    """Diarization could not run (bad hints, missing models). The message names the fix."""


def diarize_samples(
    samples: np.ndarray,
    *,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    params: DiarizationParams = TUNED,
    progress: Progress | None = None,
) -> Diarization:
    """Diarize mono 16 kHz float32 samples held in memory."""
    _check_hints(num_speakers, min_speakers, max_speakers)
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    details: dict[str, Any] = {"params": asdict(params)}
    if samples.size < SAMPLE_RATE // 2:  # pyannote needs some audio to say anything
        return Diarization([], [], "pyannote", details={**details, "note": "too short"})
    pipeline = build_pipeline(params)
    out = _run_pipeline(pipeline, samples, progress, num=num_speakers, lo=min_speakers,
                        hi=max_speakers)  # fmt: skip
    turns = _turns(out.speaker_diarization)
    exclusive = _turns(out.exclusive_speaker_diarization)
    count = _count_details(pipeline, params, bool(turns))
    if count is not None:
        details["count"] = count
    if params.refine_piece > 0:
        t0 = time.perf_counter()
        exclusive, turns, details["refine"] = refine(
            samples, exclusive, turns, _embed_pieces,
            RefineParams(piece=params.refine_piece, margin=params.refine_margin),
        )  # fmt: skip
        details["refine"]["seconds"] = round(time.perf_counter() - t0, 2)
    turns = smooth_turns(turns, fill_gap=params.fill_gap, pad=params.turn_pad,
                         duration=samples.size / SAMPLE_RATE)  # fmt: skip
    embeddings: dict[str, np.ndarray] = {}
    if out.speaker_embeddings is not None:
        for i, label in enumerate(out.speaker_diarization.labels()):
            if i < len(out.speaker_embeddings):
                embeddings[str(label)] = np.asarray(out.speaker_embeddings[i], dtype=np.float32)
    return Diarization(turns, exclusive, "pyannote", embeddings=embeddings, details=details)


def _run_pipeline(pipeline: Any, samples: np.ndarray, progress: Progress | None, *,
                  num: int | None, lo: int | None, hi: int | None) -> Any:  # fmt: skip
    """pyannote's output for the samples (the tensor shares their memory: no copy)."""
    import torch

    def hook(step: str, artefact: Any, file: Any = None, total: int | None = None,
             completed: int | None = None) -> None:  # fmt: skip
        if progress is not None and total is not None:
            progress(step, int(completed or 0), int(total))
        if step == "segmentation" and total is None:  # segmentation done: its batches freed
            release_memory()

    file = {"waveform": torch.from_numpy(samples)[None], "sample_rate": SAMPLE_RATE,
            "uri": "recording"}  # fmt: skip
    with torch.inference_mode():
        return pipeline(file, num_speakers=num, min_speakers=lo, max_speakers=hi, hook=hook)


def _turns(annotation: Any) -> list[Turn]:
    return [
        Turn(round(s.start, 3), round(s.end, 3), str(label))
        for s, _, label in annotation.itertracks(yield_label=True)
    ]


def _count_details(pipeline: Any, params: DiarizationParams, found: bool) -> dict | None:
    """How the speaker count was decided, for the transcript (None: not by the count rule)."""
    decision = getattr(pipeline.clustering, "decision", None)
    if decision is not None:
        return decision.to_dict()
    if params.count_rule and found:  # pyannote skips clustering when 1 speaker is asked for
        return {
            "count": 1,
            "close": False,
            "scores": {},
            "reason": "one speaker asked for (--num or --max-speakers 1)",
        }
    return None


def _check_hints(num: int | None, lo: int | None, hi: int | None) -> None:
    for name, v in (("--num-speakers", num), ("--min-speakers", lo), ("--max-speakers", hi)):
        if v is not None and v < 1:
            raise DiarizationError(f"{name} must be at least 1 (got {v})")
    if lo is not None and hi is not None and lo > hi:
        raise DiarizationError(f"--min-speakers ({lo}) is larger than --max-speakers ({hi})")


# -- the stage entry point ----------------------------------------------------------------------


def diarize_audio(
    audio: Any,
    *,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    params: DiarizationParams = TUNED,
    progress: Progress | None = None,
    use_channels: bool = True,
) -> Diarization:
    """Diarize a decoded recording (``.samples`` mono, ``.channels`` (2, N) or None)."""
    _check_hints(num_speakers, min_speakers, max_speakers)
    channels = getattr(audio, "channels", None)
    wants_two = num_speakers in (None, 2) and (min_speakers or 1) <= 2 <= (max_speakers or 2)
    if use_channels and channels is not None and wants_two:
        by_channel = diarize_channels(np.asarray(channels, dtype=np.float32))
        if by_channel is not None:
            return by_channel.relabel_by_first_speech()
    result = diarize_samples(
        np.asarray(audio.samples, dtype=np.float32),
        num_speakers=num_speakers,
        min_speakers=min_speakers,
        max_speakers=max_speakers,
        params=params,
        progress=progress,
    )
    return result.relabel_by_first_speech()


def model_info(diarization: Diarization, params: DiarizationParams = TUNED) -> dict[str, Any]:
    """What ran, for ``transcript.models["diarization"]``."""
    from importlib.metadata import version

    info: dict[str, Any] = {"method": diarization.method, **diarization.details}
    info.pop("relabelled", None)
    if diarization.method == "pyannote":
        info.update(
            {
                "pipeline": "pyannote.audio SpeakerDiarization",
                "pyannote.audio": version("pyannote.audio"),
                "segmentation": "pyannote-segmentation-3.0",
                "embedding": "campplus",
                "clustering": "AgglomerativeClustering",
            }
        )
    return info


#: share of diarization time each pyannote step takes (for one smooth progress fraction)
_STEP_SPAN = {"segmentation": (0.0, 0.1), "embeddings": (0.1, 0.95)}


def _release_sessions() -> None:
    """CAM++'s onnxruntime sessions go after each recording (``campplus.release_sessions``);
    only when CAM++ was loaded at all (a stereo interview never needs it)."""
    campplus = sys.modules.get("journeytape.transcribe.campplus")
    if campplus is not None:
        campplus.release_sessions()


def fraction_progress(report: Callable[[float], None] | None) -> Progress | None:
    """Turn pyannote's per-step (completed, total) into one 0..1 fraction."""
    if report is None:
        return None

    def progress(step: str, completed: int, total: int) -> None:
        lo, hi = _STEP_SPAN.get(step, (0.95, 1.0))
        report(lo + (hi - lo) * (completed / total if total else 1.0))

    return progress


def diarize_transcript(
    transcript: Any,
    audio: Any,
    settings: Any,
    progress: Callable[[float], None] | None = None,
) -> Any:
    """Add speakers to a transcript: diarize, attribute words, split segments, assign roles.

    ``audio`` is the decoded recording (``samples`` mono 16 kHz, ``channels`` or None);
    ``settings`` a ``TranscribeSettings`` (num/min/max speakers, interviewer_voice, threads);
    ``progress(fraction)`` is called with 0..1 as the work advances.
    """
    from journeytape.transcribe.roles import assign_roles

    started = time.perf_counter()
    set_threads(getattr(settings, "threads", 0))
    diarization = diarize_audio(
        audio,
        num_speakers=settings.num_speakers,
        min_speakers=settings.min_speakers,
        max_speakers=settings.max_speakers,
        progress=fraction_progress(progress),
    )
    voice = getattr(settings, "interviewer_voice", None)
    voice_embedding = None
    if voice:
        voice_embedding = embed_samples(load_voice(voice))
        if diarization.method != "pyannote" and diarization.turns:
            diarization.embeddings = speaker_embeddings_from_turns(
                np.asarray(audio.samples, dtype=np.float32), diarization.exclusive
            )
    out = assign_speakers(transcript, diarization)
    out = assign_roles(out, diarization, voice_embedding=voice_embedding)
    out.models = {
        **out.models,
        "diarization": {**model_info(diarization), **(out.models.get("diarization") or {})},
    }
    if not diarization.turns:
        out.warnings = [*out.warnings, "diarization found no speech: no speakers assigned"]
    out.warnings = [
        *out.warnings,
        *count_warnings(
            diarization.details.get("count"),
            len(diarization.speakers),
            [s.text for s in out.segments],
        ),
    ]
    _release_sessions()
    out.timings = {**out.timings, "diarization": round(time.perf_counter() - started, 3)}
    if progress is not None:
        progress(1.0)
    return out
