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

try:
    __version__ = version("journeytape")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
