"""journeytape: offline recording, transcription, speaker separation and tagging of
customer-journey interviews.

The stages live in sibling packages and talk only through files:
``recorder`` → audio + session.json → ``transcribe`` → transcript JSON → ``annotate`` →
annotations JSON → review/export. ``models`` resolves the weights every stage uses.
"""

import os
from importlib.metadata import PackageNotFoundError, version

# Privacy by default: interviews are personal data. No library may reach a model hub or send
# telemetry unless the user explicitly opts in by setting these variables themselves.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# onnxruntime (Silero VAD, speaker embeddings) >= 1.2x writes a device id, an event queue and
# an SQLite cache under ~/.cache/Microsoft/DeveloperTools/.onnxruntime at its first session,
# and uploads them when it can. Only this variable, set before onnxruntime initialises, stops
# all of it (onnxruntime.disable_telemetry_events() still writes the files; checked 1.32).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


def _own_cache() -> str:
    """~/.cache/journeytape (same rule as models.registry.cache_dir, without importing it)."""
    if os.environ.get("JOURNEYTAPE_CACHE"):
        return os.environ["JOURNEYTAPE_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "journeytape")


# Nothing outside the outputs and our own cache: libraries that keep caches of their own are
# pointed into it (matplotlib, pulled in by pyannote, writes a font list to ~/.cache and
# ~/.config; torch leaves a torchinductor_<user> folder in the temp folder).
for _var, _sub in (
    ("MPLCONFIGDIR", "matplotlib"),
    ("TORCHINDUCTOR_CACHE_DIR", "torchinductor"),
    ("TRITON_CACHE_DIR", "triton"),
    ("TORCH_HOME", "torch"),
):
    os.environ.setdefault(_var, os.path.join(_own_cache(), _sub))

try:
    __version__ = version("journeytape")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
