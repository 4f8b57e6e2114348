"""CAM++ embeddings outside pyannote's pipeline: voice samples, speakers found by channel, and
the short pieces ``refine`` re-embeds. Split out of ``diarize`` (which re-exports it) (#16).
"""

from __future__ import annotations

import numpy as np

from journeytape.transcribe.merge import Turn

SAMPLE_RATE = 16000


def _embed_pieces(batch: np.ndarray) -> np.ndarray:
    """CAM++ embeddings of equal-length pieces of speech, (batch, samples) -> (batch, 192)."""
    import torch

    from journeytape.transcribe.campplus import load_embedded

    with torch.inference_mode():
        return load_embedded()(torch.from_numpy(np.ascontiguousarray(batch))[:, None]).numpy()


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
