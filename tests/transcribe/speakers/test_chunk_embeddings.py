"""journeytape's own embedding loop (``CAMPPlus.embed_chunks``) gives what pyannote's loop
gives, on real speech with the real models (it only removes copies and ragged batches)."""

from __future__ import annotations

import numpy as np
import torch
from pyannote.audio.pipelines import SpeakerDiarization

from journeytape.transcribe import diarize as D


def _both(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pipeline = D.build_pipeline(D.TUNED)
    file = {"waveform": torch.from_numpy(samples)[None], "sample_rate": 16000, "uri": "t"}
    with torch.inference_mode():
        segmentations = pipeline.get_segmentations(file)
        ours = pipeline.get_embeddings(file, segmentations, exclude_overlap=True)
        stock = SpeakerDiarization.get_embeddings(pipeline, file, segmentations,
                                                  exclude_overlap=True)  # fmt: skip
    return ours, stock


def test_chunk_embeddings_match_pyannotes_loop(three_voices, dialogue):
    # two recordings laid over each other: overlapped speech, where pyannote embeds each
    # local speaker from the frames where it talks alone (or, with too few, from all)
    n = min(len(three_voices.samples), len(dialogue.samples))
    mixed = np.concatenate([three_voices.samples, 0.7 * dialogue.samples[:n]])
    mixed[:n] += 0.7 * dialogue.samples[:n]
    ours, stock = _both(mixed.astype(np.float32))
    assert ours.shape == stock.shape
    # the same (chunk, local speaker) pairs are embedded, the others are NaN in both
    assert np.array_equal(np.isnan(ours).any(axis=2), np.isnan(stock).any(axis=2))
    found = ~np.isnan(stock).any(axis=2)
    assert found.sum() >= 20  # five voices over ~60 s: plenty of embedded pairs
    a, b = ours[found], stock[found]
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    # the network sees other batch neighbours: rounding only (measured: min cosine 1.0000)
    assert cos.min() > 0.9999
