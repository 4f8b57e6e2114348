"""CAM++ in onnxruntime gives torch's embeddings on real speech, from an export kept in the
cache as a private file; when the export cannot be made, journeytape stays with torch."""

from __future__ import annotations

import stat

import numpy as np
import torch

from journeytape.transcribe.campplus import CAMPPlus

SR = 16000


def _pieces(samples: np.ndarray, seconds: float = 3.0, count: int = 12) -> torch.Tensor:
    n = int(seconds * SR)
    starts = np.linspace(0, len(samples) - n, count).astype(int)
    return torch.from_numpy(np.stack([samples[s : s + n] for s in starts]))[:, None]


def _embed(model: CAMPPlus, pieces: torch.Tensor) -> np.ndarray:
    with torch.inference_mode():
        return model(pieces).numpy()


def test_onnx_embeddings_are_torchs(dialogue, tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEYTAPE_CACHE", str(tmp_path))
    stale = tmp_path / "models" / "onnx" / "campplus-0000000000000000.onnx"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an export of other weights")
    pieces = _pieces(dialogue.samples.astype(np.float32))
    onnx = CAMPPlus.embedded(max_frames=300, runtime="onnx")
    plain = CAMPPlus.embedded(max_frames=300, runtime="torch")
    a, b = _embed(onnx, pieces), _embed(plain, pieces)
    assert onnx._runners[torch.get_num_threads()] is not None, "fell back to torch"
    found = ~np.isnan(b).any(axis=1)
    assert found.sum() >= 8 and np.array_equal(found, ~np.isnan(a).any(axis=1))
    cos = (
        (a[found] * b[found]).sum(1)
        / np.linalg.norm(a[found], axis=1)
        / np.linalg.norm(b[found], axis=1)
    )
    assert cos.min() > 0.9999  # measured 0.9999998
    exported = list((tmp_path / "models" / "onnx").glob("campplus-*.onnx"))
    assert len(exported) == 1 and exported[0] != stale  # the stale export is gone
    assert stat.S_IMODE(exported[0].stat().st_mode) == 0o600


def test_without_a_writable_cache_it_stays_in_torch(dialogue, tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be (root ignores modes)")
    monkeypatch.setenv("JOURNEYTAPE_CACHE", str(blocker / "cache"))
    pieces = _pieces(dialogue.samples.astype(np.float32), count=4)
    model = CAMPPlus.embedded(max_frames=300, runtime="onnx")
    with caplog.at_level("WARNING"):
        got = _embed(model, pieces)
    assert model._runners[torch.get_num_threads()] is None
    assert "campplus stays in torch" in caplog.text
    want = _embed(CAMPPlus.embedded(max_frames=300, runtime="torch"), pieces)
    assert np.allclose(got, want, equal_nan=True)


def test_released_sessions_are_made_again_with_the_same_embeddings(dialogue, tmp_path, monkeypatch):
    # diarize_transcript drops the sessions after each recording (their arena would sit under
    # the next recording's ASR); the next use must simply make a new one
    from journeytape.transcribe.campplus import release_sessions

    monkeypatch.setenv("JOURNEYTAPE_CACHE", str(tmp_path))
    pieces = _pieces(dialogue.samples.astype(np.float32), count=4)
    model = CAMPPlus.embedded(max_frames=300, runtime="onnx")
    first = _embed(model, pieces)
    assert model._runners
    release_sessions()
    assert not model._runners
    again = _embed(model, pieces)
    assert model._runners[torch.get_num_threads()] is not None
    assert np.array_equal(first, again, equal_nan=True)
