"""A torch network run through onnxruntime: exported once into journeytape's cache, checked
against torch, then used for inference.

Why: CAM++, the speaker-embedding network, ran 1.8x faster in onnxruntime than in torch on two
cores (batch of 24 x 3 s: 0.38 s vs 0.70 s), with the same embeddings (cosine >= 0.999999);
diarization of an interview took ~27 % less time (docs/speed.md). onnxruntime is installed
anyway (faster-whisper runs its VAD with it); exporting needs the ``onnx`` package.

* The exported file lives in ``<cache>/models/onnx/`` (0600, written atomically), named by a
  hash of the network's weights, its source and layers and the torch version: a changed
  model never reuses a stale export, and the stale one is deleted.
* After loading, the session must reproduce torch's output on a fixed input; if it does not,
  or anything fails on the way (no ``onnx``, a read-only cache), journeytape logs why and
  stays with torch: the same result, only slower.
* The session's threads never spin while waiting (``session.intra_op.allow_spinning=0``):
  as fast as spinning on an idle machine here, and spinning threads burn cores that
  anything else on the laptop needs.
* No telemetry: ``import journeytape`` sets ``ORT_DISABLE_TELEMETRY=1`` before onnxruntime
  initialises (otherwise it writes a device id under ``~/.cache/Microsoft``; docs/privacy.md).
"""

from __future__ import annotations

import hashlib
import inspect
import io
import logging
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

#: bump when the export itself changes (opset, names, dynamic axes)
EXPORT_REVISION = 1
OPSET = 17


def export_key(module) -> str:
    """A hash of what decides the exported graph: weights, network source and layers, torch
    version."""
    import torch

    h = hashlib.sha256(f"{EXPORT_REVISION}|{torch.__version__}".encode())
    h.update(inspect.getsource(type(module)).encode())
    h.update(repr(module).encode())  # the module tree: a layer swapped after loading counts
    for name, tensor in module.state_dict().items():
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def export(module, example, path: Path, dynamic: dict[int, str]) -> Path:
    """Export ``module`` (input ``example``) to ``path`` unless it is already there."""
    import torch

    from journeytape.files import atomic_write_bytes

    if path.is_file():
        return path
    buf = io.BytesIO()
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer notes about Python control flow: not for users
        torch.onnx.export(
            module, (example,), buf, dynamo=False, opset_version=OPSET,
            input_names=["x"], output_names=["y"], dynamic_axes={"x": dynamic},
        )  # fmt: skip
    atomic_write_bytes(path, buf.getvalue())
    for stale in path.parent.glob(f"{path.name.rsplit('-', 1)[0]}-*.onnx"):
        if stale != path:  # an export of older weights or another torch: never read again
            stale.unlink(missing_ok=True)
    return path


def session(path: Path, threads: int):
    """An onnxruntime CPU session on ``threads`` threads that never spin."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: its warnings are about graph internals
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def onnx_runner(module, example, name: str, dynamic: dict[int, str], threads: int,
                tolerance: float = 1e-3) -> Callable | None:  # fmt: skip
    """``module`` as a function torch tensor -> torch tensor running in onnxruntime, or None
    (logged) when that cannot be done faithfully here. ``tolerance``: CAM++ differed by
    7.8e-6 at most here; other CPUs take other kernels, and a broken export is off by ~1,
    so the check leaves a wide margin."""
    import torch

    from journeytape.models.registry import cache_dir

    try:
        key = export_key(module)
        path = export(module, example, cache_dir() / "models" / "onnx" / f"{name}-{key[:16]}.onnx",
                      dynamic)  # fmt: skip
        sess = session(path, threads)
    except Exception as exc:  # noqa: BLE001 - any failure leaves torch in charge, same results
        log.warning("%s stays in torch (onnxruntime not usable: %s)", name, exc)
        return None

    def run(x: torch.Tensor) -> torch.Tensor:
        y = sess.run(None, {"x": np.ascontiguousarray(x.detach().cpu().numpy())})[0]
        return torch.from_numpy(y)

    with torch.inference_mode():
        want = module(example).numpy()
    got = run(example).numpy()
    if not np.allclose(got, want, rtol=tolerance, atol=tolerance):
        log.warning("%s stays in torch (onnxruntime differs by %.2g)", name,
                    float(np.abs(got - want).max()))  # fmt: skip
        return None
    return run
