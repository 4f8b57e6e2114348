"""Who spoke when: pyannote.audio's ``SpeakerDiarization`` with the embedded models, offline.

Segmentation is pyannote/segmentation-3.0, speaker embeddings are CAM++ (see ``campplus``);
both ship in an installed wheel, so nothing is downloaded. No PLDA exists here, so speakers
are clustered agglomeratively (``AgglomerativeClustering``), with parameters tuned on the AMI
excerpts of the evaluation set (README, section "Speakers"; ``bench/diarization.py``).

A stereo recording with one voice per channel (a phone call, two lavalier microphones) is
detected and split by channel instead: exact, and much cheaper than clustering.

The result feeds :func:`journeytape.transcribe.merge.assign_speakers` (words -> speakers) and
:mod:`journeytape.transcribe.roles` (Interviewer/Respondent).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import numpy as np

from journeytape.transcribe.merge import Diarization, Turn, assign_speakers
from journeytape.transcribe.refine import RefineParams, refine
from journeytape.transcribe.speaker_count import count_warnings
from journeytape.transcribe.turns import smooth_turns

# OpenMP threads that spin while waiting make torch 10x slower as soon as anything else uses
# the cores (measured here: 62 s instead of 6 s for a 30 s clip on 2 busy cores). Sleeping
# waiters cost almost nothing on idle cores. Only effective before torch is first imported,
# which journeytape does lazily, here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

SAMPLE_RATE = 16000
#: progress(step, completed, total): step is "segmentation" | "embeddings" | "clustering"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DiarizationParams:
    """Everything that shapes pyannote's result (hashable: one cached pipeline per value)."""

    #: window step as a share of the segmentation model's 10 s window. pyannote's 0.1 embeds
    #: every second of speech ten times; 0.5 costs a fifth and loses little (see bench)
    segmentation_step: float = 0.3
    #: embed each local speaker from frames where nobody else talks (when long enough)
    exclude_overlap: bool = True
    #: agglomerative clustering of CAM++ embeddings (cosine distance)
    method: str = "average"
    threshold: float = 0.6
    min_cluster_size: int = 3
    #: embed at most this many 10 ms frames of each local speaker (None: all), so that
    #: embeddings have one length and run batched
    embedding_frames: int | None = 300
    #: merge a speaker's turns separated by less than this (seconds)
    min_duration_off: float = 0.0
    #: decide the speaker count with ``speaker_count`` (threshold + interview prior) instead
    #: of pyannote's threshold alone
    count_rule: bool = True
    #: never report more simultaneous speakers than clustering found. Off: pyannote labels
    #: overlap frames beyond the clusters found as an extra speaker, and on AMI that extra
    #: speaker is mostly a real second voice (pooled DER c0.25 0.196 off vs 0.210 on)
    cap_overlap: bool = False
    #: turn smoothing (``turns.smooth_turns``): fill same-speaker gaps shorter than this
    #: when nobody else speaks in them, and widen turns by ``turn_pad`` into silence
    fill_gap: float = 1.5
    turn_pad: float = 0.2
    #: re-embed pieces of at most this many seconds and move those that sound clearly like
    #: another speaker (``refine``); 0 turns it off
    refine_piece: float = 3.0
    refine_margin: float = 0.1
    embedding_batch_size: int = 24  # a multiple of 3 (local speakers per chunk) shares fbanks
    segmentation_batch_size: int = 16

    def pyannote_parameters(self) -> dict[str, Any]:
        return {
            "segmentation": {"min_duration_off": self.min_duration_off},
            "clustering": {
                "method": self.method,
                "threshold": self.threshold,
                "min_cluster_size": self.min_cluster_size,
            },
        }


#: what journeytape uses (window and clustering tuned on ../shared/eval AMI trn*, count rule
#: and turn smoothing on ls_dialogue_dev_* + AMI trn* + espeak; see docs/speakers.md)
TUNED = DiarizationParams()

#: pyannote's own default settings for agglomerative clustering (those of its
#: speaker-diarization-3.1 pipeline): the baseline the bench compares against
PYANNOTE_DEFAULT = DiarizationParams(
    segmentation_step=0.1,
    exclude_overlap=True,
    embedding_frames=None,
    method="centroid",
    threshold=0.7045654963945799,
    min_cluster_size=12,
    min_duration_off=0.0,
    count_rule=False,
    fill_gap=0.0,
    turn_pad=0.0,
    refine_piece=0.0,
    embedding_batch_size=32,
    segmentation_batch_size=32,
)


class DiarizationError(RuntimeError):
    """Diarization could not run (bad hints, missing models). The message names the fix."""


# -- the pyannote pipeline ---------------------------------------------------------------------


def _no_plda():
    """pyannote 4 loads a PLDA in its constructor even for agglomerative clustering (which
    never uses it); no PLDA exists offline, so hand it an empty one instead of a hub id."""
    from pyannote.audio.core.plda import PLDA

    class NoPLDA(PLDA):
        def __init__(self) -> None:  # noqa: D107 - deliberately loads nothing
            pass

    return NoPLDA()


@cache
def segmentation_model():
    from pyannote.audio import Model

    from journeytape.models.registry import model_path

    model = Model.from_pretrained(model_path("pyannote-segmentation-3.0"))
    model.eval()
    return model


@cache
def build_pipeline(params: DiarizationParams = TUNED):
    """An instantiated ``SpeakerDiarization`` built from the embedded models (cached)."""
    from pyannote.audio.pipelines import SpeakerDiarization

    from journeytape.transcribe.campplus import MIN_FRAMES, load_embedded

    cls = _capped_pipeline_class() if params.cap_overlap else SpeakerDiarization
    pipeline = cls(
        segmentation=segmentation_model(),
        segmentation_step=params.segmentation_step,
        embedding=load_embedded(params.embedding_frames),
        embedding_exclude_overlap=params.exclude_overlap,
        plda=_no_plda(),
        clustering="AgglomerativeClustering",
        embedding_batch_size=params.embedding_batch_size,
        segmentation_batch_size=params.segmentation_batch_size,
    )
    # pyannote finds the shortest usable input by catching exceptions; CAM++ returns NaN
    # instead, so tell it: shorter clean (non-overlapped) speech falls back to the whole mask
    pipeline._embedding.min_num_samples = (MIN_FRAMES + 2) * SAMPLE_RATE // 100
    if params.count_rule:
        pipeline.clustering = interview_clustering()
    pipeline.instantiate(params.pyannote_parameters())
    return pipeline


def _capped_pipeline_class():
    """``SpeakerDiarization`` that never reports more simultaneous speakers than it found.

    Where the segmentation counts two voices at once but clustering found one speaker,
    pyannote pads its activations with an empty speaker and labels it: a phantom
    ``SPEAKER_01`` made of overlap frames (seen on AMI excerpts with one speaker found).
    pyannote avoids it only when ``max_speakers`` is given; this caps the count at the
    number of clusters whatever decided it."""
    from pyannote.audio.pipelines import SpeakerDiarization
    from pyannote.core import SlidingWindowFeature

    class CappedSpeakerDiarization(SpeakerDiarization):
        def reconstruct(self, segmentations, hard_clusters, count):
            clusters = max(1, int(np.max(hard_clusters)) + 1)
            capped = SlidingWindowFeature(
                np.minimum(count.data, clusters).astype(count.data.dtype), count.sliding_window
            )
            return super().reconstruct(segmentations, hard_clusters, capped)

    return CappedSpeakerDiarization


def interview_clustering():
    """pyannote's ``AgglomerativeClustering`` whose speaker count, when not given, comes from
    :func:`journeytape.transcribe.speaker_count.decide`; the clusters themselves are still
    pyannote's (its dendrogram cut at that count). The last decision is kept on the instance
    (``.decision``) for the transcript."""
    from pyannote.audio.pipelines.clustering import AgglomerativeClustering

    from journeytape.transcribe import speaker_count as SC

    class InterviewClustering(AgglomerativeClustering):
        decision: SC.CountDecision | None = None

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            self.decision = None
            return super().__call__(*args, **kwargs)

        def cluster(self, embeddings, min_clusters=None, max_clusters=None, num_clusters=None):
            ev = SC.evidence_from_clean(
                embeddings / (np.linalg.norm(embeddings, axis=1, keepdims=True) + 1e-12)
            )
            self.decision = SC.decide(ev, num=num_clusters, lo=min_clusters, hi=max_clusters)
            k = self.decision.count
            return super().cluster(embeddings, min_clusters=k, max_clusters=k, num_clusters=k)

    return InterviewClustering(metric="cosine")


def set_threads(threads: int = 0) -> int:
    import torch

    n = threads if threads and threads > 0 else (os.cpu_count() or 1)
    torch.set_num_threads(n)
    return n


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
    import torch

    _check_hints(num_speakers, min_speakers, max_speakers)
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    details: dict[str, Any] = {"params": asdict(params)}
    if samples.size < SAMPLE_RATE // 2:  # pyannote needs some audio to say anything
        return Diarization([], [], "pyannote", details={**details, "note": "too short"})

    def hook(step: str, artefact: Any, file: Any = None, total: int | None = None,
             completed: int | None = None) -> None:  # fmt: skip
        if progress is not None and total is not None:
            progress(step, int(completed or 0), int(total))

    pipeline = build_pipeline(params)
    file = {"waveform": torch.from_numpy(samples)[None], "sample_rate": SAMPLE_RATE,
            "uri": "recording"}  # fmt: skip
    with torch.inference_mode():
        out = pipeline(
            file,
            num_speakers=num_speakers,
            min_speakers=min_speakers,
            max_speakers=max_speakers,
            hook=hook,
        )
    turns = [
        Turn(round(s.start, 3), round(s.end, 3), str(label))
        for s, _, label in out.speaker_diarization.itertracks(yield_label=True)
    ]
    decision = getattr(pipeline.clustering, "decision", None)
    if decision is not None:
        details["count"] = decision.to_dict()
    elif params.count_rule and turns:  # pyannote skips clustering when 1 speaker is asked for
        details["count"] = {
            "count": 1,
            "close": False,
            "scores": {},
            "reason": "one speaker asked for (--num or --max-speakers 1)",
        }
    exclusive = [
        Turn(round(s.start, 3), round(s.end, 3), str(label))
        for s, _, label in out.exclusive_speaker_diarization.itertracks(yield_label=True)
    ]
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


def _embed_pieces(batch: np.ndarray) -> np.ndarray:
    """CAM++ embeddings of equal-length pieces of speech, (batch, samples) -> (batch, 192)."""
    import torch

    from journeytape.transcribe.campplus import load_embedded

    with torch.inference_mode():
        return load_embedded()(torch.from_numpy(np.ascontiguousarray(batch))[:, None]).numpy()


def _check_hints(num: int | None, lo: int | None, hi: int | None) -> None:
    for name, v in (("--num-speakers", num), ("--min-speakers", lo), ("--max-speakers", hi)):
        if v is not None and v < 1:
            raise DiarizationError(f"{name} must be at least 1 (got {v})")
    if lo is not None and hi is not None and lo > hi:
        raise DiarizationError(f"--min-speakers ({lo}) is larger than --max-speakers ({hi})")


# -- stereo: one voice per channel -------------------------------------------------------------

#: analysis frame for channel activity (seconds)
_FRAME = 0.02
#: a channel "dominates" a frame when it is this much louder than the other (dB)
_DOMINANCE_DB = 10.0


def _frame_db(x: np.ndarray, hop: int) -> np.ndarray:
    n = len(x) // hop
    frames = x[: n * hop].reshape(n, hop).astype(np.float64)
    return 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-10)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index pairs of the True runs of a boolean array."""
    if mask.size == 0:
        return []
    d = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))


def _smooth(mask: np.ndarray, fill_gap: int, min_run: int) -> np.ndarray:
    out = mask.copy()
    for a, b in _runs(~out):
        if a > 0 and b < len(out) and b - a <= fill_gap:
            out[a:b] = True
    for a, b in _runs(out):
        if b - a < min_run:
            out[a:b] = False
    return out


def channel_activity(channels: np.ndarray, sample_rate: int = SAMPLE_RATE) -> dict[str, Any]:
    """Per-channel speech activity and how separate the two channels are.

    Returns ``{"separate": bool, "active": (2, frames) bool, "share_dominant": float, ...}``.
    Two channels carry one voice each when, over the frames where anybody speaks, one channel
    is clearly louder than the other most of the time, and each channel leads some of the time
    (a mono recording saved as stereo, or one stereo microphone, has near-equal channels).
    """
    hop = int(_FRAME * sample_rate)
    db = np.stack([_frame_db(channels[c], hop) for c in range(2)])
    loud = db.max(axis=0)
    if loud.size == 0:
        return {"separate": False, "reason": "empty"}
    # speech threshold relative to each channel's own level (noise floor and peaks)
    thr = [max(np.percentile(d, 10) + 15.0, np.percentile(d, 99) - 40.0) for d in db]
    diff = db[0] - db[1]
    anyone = (db[0] > thr[0]) | (db[1] > thr[1])
    n_active = int(anyone.sum())
    if n_active < int(1.0 / _FRAME):
        return {"separate": False, "reason": "less than 1 s of activity"}
    dom0 = anyone & (diff > _DOMINANCE_DB)
    dom1 = anyone & (-diff > _DOMINANCE_DB)
    share = float((dom0.sum() + dom1.sum()) / n_active)
    lead = (float(dom0.sum() / n_active), float(dom1.sum() / n_active))
    separate = share >= 0.6 and min(lead) >= 0.05
    # a channel speaks where it is active by its own threshold and not merely the other
    # voice leaking in (crosstalk is far quieter than the voice on its own microphone)
    active = np.stack(
        [_smooth((db[c] > thr[c]) & (db[c] > db[1 - c] - _DOMINANCE_DB), 15, 10) for c in range(2)]
    )
    return {
        "separate": separate,
        "share_dominant": round(share, 3),
        "lead": [round(v, 3) for v in lead],
        "active": active,
        "frame": _FRAME,
    }


def diarize_channels(channels: np.ndarray, sample_rate: int = SAMPLE_RATE) -> Diarization | None:
    """Speakers from channels when a stereo file has one voice per channel, else None."""
    if channels is None or channels.ndim != 2 or channels.shape[0] != 2:
        return None
    info = channel_activity(channels, sample_rate)
    if not info.get("separate"):
        return None
    active = info["active"]
    names = ("SPEAKER_00", "SPEAKER_01")
    turns = [
        Turn(round(a * _FRAME, 3), round(b * _FRAME, 3), names[c])
        for c in range(2)
        for a, b in _runs(active[c])
    ]
    turns.sort(key=lambda t: (t.start, t.speaker))
    # exclusive: where both talk, the louder channel's speaker
    excl_mask = active.copy()
    both = active[0] & active[1]
    hop = int(_FRAME * sample_rate)
    db = np.stack([_frame_db(channels[c], hop) for c in range(2)])
    louder0 = db[0] >= db[1]
    excl_mask[0] &= ~both | louder0
    excl_mask[1] &= ~both | ~louder0
    exclusive = [
        Turn(round(a * _FRAME, 3), round(b * _FRAME, 3), names[c])
        for c in range(2)
        for a, b in _runs(excl_mask[c])
    ]
    exclusive.sort(key=lambda t: (t.start, t.speaker))
    details = {
        "channel_map": {"SPEAKER_00": "left (channel 1)", "SPEAKER_01": "right (channel 2)"},
        "share_dominant": info["share_dominant"],
        "lead": info["lead"],
    }
    return Diarization(turns, exclusive, "stereo-channels", details=details)


# -- embeddings for roles -------------------------------------------------------------------------


def embed_samples(samples: np.ndarray, max_seconds: float = 60.0) -> np.ndarray | None:
    """One CAM++ embedding of mono 16 kHz speech (mean of up to ``max_seconds`` in 10 s
    pieces): used for voice samples and for speakers found by channel."""
    import torch

    from journeytape.transcribe.campplus import load_embedded

    model = load_embedded()
    x = np.ascontiguousarray(samples[: int(max_seconds * SAMPLE_RATE)], dtype=np.float32)
    piece = 10 * SAMPLE_RATE
    embs = []
    with torch.inference_mode():
        for i in range(0, len(x), piece):
            chunk = x[i : i + piece]
            if len(chunk) < SAMPLE_RATE // 2 and embs:
                break
            e = model(torch.from_numpy(chunk)[None, None])[0].numpy()
            if np.all(np.isfinite(e)):
                embs.append(e / (np.linalg.norm(e) + 1e-9))
    if not embs:
        return None
    return np.mean(embs, axis=0)


def speaker_embeddings_from_turns(
    samples: np.ndarray, turns: list[Turn], max_seconds: float = 60.0
) -> dict[str, np.ndarray]:
    """Embed each speaker from the audio of their own (exclusive) turns."""
    out: dict[str, np.ndarray] = {}
    by_speaker: dict[str, list[np.ndarray]] = {}
    for t in sorted(turns, key=lambda t: -t.duration):
        pieces = by_speaker.setdefault(t.speaker, [])
        if sum(len(p) for p in pieces) >= max_seconds * SAMPLE_RATE:
            continue
        pieces.append(samples[int(t.start * SAMPLE_RATE) : int(t.end * SAMPLE_RATE)])
    for spk, pieces in by_speaker.items():
        if pieces:
            e = embed_samples(np.concatenate(pieces), max_seconds)
            if e is not None:
                out[spk] = e
    return out


def load_voice(path: str) -> np.ndarray:
    """Decode a voice sample to mono 16 kHz float32 (any format the transcriber reads)."""
    try:
        from journeytape.transcribe.audio import decode
    except ImportError:  # the decoder of the transcription stage is not there: plain files
        decode = None
    if decode is not None:
        return np.asarray(decode(path).samples, dtype=np.float32)
    import soundfile as sf

    x, sr = sf.read(path, dtype="float32", always_2d=True)
    x = x.mean(axis=1)
    if sr != SAMPLE_RATE:
        import torch
        import torchaudio.functional as AF

        x = AF.resample(torch.from_numpy(x), sr, SAMPLE_RATE).numpy()
    return x


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
    out.timings = {**out.timings, "diarization": round(time.perf_counter() - started, 3)}
    if progress is not None:
        progress(1.0)
    return out
