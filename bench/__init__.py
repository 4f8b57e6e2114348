"""Benchmarks, run on demand (never in the test suite): `python -m bench [NAME ...]`.

Each prints its figures and, measured in the same run on the same machine, a baseline to
compare against, so the ratios mean something whatever the machine's speed.
"""

# The product's privacy defaults (no onnxruntime/pyannote telemetry, offline hubs, library
# caches under ~/.cache/journeytape) hold for the benches too, also for their baselines that
# use faster-whisper or pyannote directly: importing journeytape sets them before either loads.
import journeytape  # noqa: E402, F401
