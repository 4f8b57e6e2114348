"""The pyannote ``SpeakerDiarization`` pipeline journeytape runs, and its settings.

Segmentation is pyannote/segmentation-3.0, speaker embeddings are CAM++ (see ``campplus``);
both ship in an installed wheel, so nothing is downloaded. No PLDA exists here, so speakers
are clustered agglomeratively (``AgglomerativeClustering``), with parameters tuned on the AMI
excerpts of the evaluation set (docs/speakers.md; ``bench/diarization.py``). Split out of
``diarize`` (which re-exports all of it) to keep modules short (#16).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

#: how many times torch's OpenMP threads spin at a barrier before they sleep (see below)
OPENMP_SPINS = "1000"


def short_openmp_spin() -> None:
    """Let torch's OpenMP threads spin briefly, then sleep, at each barrier.

    libgomp reads this once, when torch loads (journeytape imports torch lazily, after this).
    Its default (~300,000 spins) burns the cores whenever anything else uses them (62 s
    instead of 6 s for a 30 s clip on two busy cores). Never spinning (``OMP_WAIT_POLICY=
    PASSIVE``, journeytape's setting before) pays a futex wake-up per barrier, and the
    segmentation LSTM has one per frame: diarization of 300 s took 14.4 s instead of 8.2 s
    on an idle machine. 1,000 spins keep nearly all of that gain, and with other processes on
    the cores cost 1.2-1.3x against never spinning (10,000 spins: up to 3x; docs/speed.md).
    A user's own ``OMP_WAIT_POLICY`` or ``GOMP_SPINCOUNT`` wins."""
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ.setdefault("GOMP_SPINCOUNT", OPENMP_SPINS)


short_openmp_spin()

SAMPLE_RATE = 16000


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
    #: "onnx": CAM++ in onnxruntime (same embeddings, 1.8x faster); "torch": as pyannote runs it
    embedding_runtime: str = "onnx"
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
    embedding_runtime="torch",
    embedding_batch_size=32,
    segmentation_batch_size=32,
)


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

    base = _capped_pipeline_class() if params.cap_overlap else SpeakerDiarization
    pipeline = _with_chunk_embeddings(base)(
        segmentation=segmentation_model(),
        segmentation_step=params.segmentation_step,
        embedding=load_embedded(params.embedding_frames, params.embedding_runtime),
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


def _with_chunk_embeddings(base: type) -> type:
    """``base`` whose embeddings go through ``CAMPPlus.embed_chunks`` when the CAM++
    wrapper embeds fixed-length pieces (journeytape's settings; pyannote's defaults, the
    bench baseline, keep pyannote's own loop). Same masks, same embeddings; flat memory
    (on a 60-minute file the stock loop grew the heap by ~0.3 GB) and a little less CPU."""

    class ChunkEmbeddingDiarization(base):
        def get_embeddings(self, file, binary_segmentations, exclude_overlap=False, hook=None):
            model = getattr(self._embedding, "model_", None)
            if self.training or getattr(model, "max_frames", None) is None:
                return super().get_embeddings(file, binary_segmentations, exclude_overlap, hook)
            return chunk_embeddings(self, model, file, binary_segmentations, exclude_overlap,
                                    hook)  # fmt: skip

    return ChunkEmbeddingDiarization


def chunk_embeddings(pipeline, model, file, segmentations, exclude_overlap: bool, hook=None):
    """pyannote's ``get_embeddings`` (4.0) for ``model.embed_chunks``: the same choice of
    frames per (chunk, local speaker): frames where only that speaker talks when there are
    enough of them (``exclude_overlap``), else all of the speaker's frames."""
    import torch

    data = segmentations.data
    num_chunks, num_frames, num_speakers = data.shape
    min_frames = -1
    clean = data
    if exclude_overlap:
        seconds = segmentations.sliding_window.duration * pipeline._embedding.sample_rate
        min_frames = math.ceil(num_frames * pipeline._embedding.min_num_samples / seconds)
        clean = data * (1.0 * (np.sum(data, axis=2, keepdims=True) < 2))

    def chunks():
        for c, (chunk, masks) in enumerate(segmentations):
            waveform, _ = pipeline._audio.crop(file, chunk, mode="pad")
            masks = np.nan_to_num(masks, nan=0.0).astype(np.float32).T
            clean_masks = np.nan_to_num(clean[c], nan=0.0).astype(np.float32).T
            keep = clean_masks.sum(axis=1) > min_frames
            yield waveform, torch.from_numpy(np.where(keep[:, None], clean_masks, masks))

    def progress(done: int) -> None:
        if hook is not None:
            hook("embeddings", None, total=num_chunks, completed=done)

    progress(0)
    return model.embed_chunks(chunks(), num_chunks, num_speakers, progress)


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
