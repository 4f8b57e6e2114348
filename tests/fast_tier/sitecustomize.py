"""The fast tier's guard: in this Python process and every one it starts, no model can load.

`make test-fast` puts this folder on ``PYTHONPATH`` and sets ``JOURNEYTAPE_NO_MODELS=1``, so
Python imports this file at start-up in pytest *and* in every subprocess a test runs (the
CLI, a bench). From then on:

- importing a library that exists to run weights (faster-whisper, CTranslate2, pyannote,
  torch, ONNX Runtime) raises :class:`ModelImportForbidden`. It is an ImportError, so a library
  that merely probes for one (thinc tries ``import torch``) carries on without it; journeytape
  has no fallback around them, so real use still fails;
- ``spacy.load`` raises :class:`ModelsForbidden`, a RuntimeError, so no ``except ImportError``
  or ``except OSError`` fallback (another pipeline) can swallow it. spaCy itself may be
  imported: a tokenizer is not a model;
- ``journeytape.models.registry.model_path`` refuses on its own (``NO_MODELS_ENV``).

So a test that loads a model but is not marked ``models`` fails loudly in the fast tier instead
of slipping in and making it slow. tests/conftest.py installs the same guard when pytest runs
with ``JOURNEYTAPE_NO_MODELS=1`` but without this folder on ``PYTHONPATH``.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys

#: libraries whose only purpose here is running model weights
BLOCKED = ("faster_whisper", "ctranslate2", "pyannote", "torch", "torchaudio", "onnxruntime")


class ModelsForbidden(RuntimeError):
    """A model was asked for in the fast test tier."""


class ModelImportForbidden(ImportError):
    """A library that only runs models was imported in the fast test tier."""


def _why(what: str) -> str:
    return (
        f"JOURNEYTAPE_NO_MODELS=1 (the fast test tier): {what} is not allowed here. Mark the "
        "test `models` (or use a model fixture, which marks it); see docs/tests.md."
    )


def _refusing_load(*args: object, **kwargs: object) -> None:
    raise ModelsForbidden(_why(f"spacy.load{args!r}"))


class _Guard(importlib.abc.MetaPathFinder):
    """Refuses the model libraries; lets spaCy import, then takes away ``spacy.load``."""

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001 - importlib's protocol
        top = fullname.partition(".")[0]
        if top in BLOCKED:
            raise ModelImportForbidden(_why(f"importing {fullname}"), name=fullname)
        if fullname != "spacy":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_disarm(module):  # noqa: ANN001, ANN202
            exec_module(module)
            module.load = _refusing_load
            module.util.load_model = _refusing_load

        spec.loader.exec_module = exec_and_disarm  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Put the guard first on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _Guard) for f in sys.meta_path):
        sys.meta_path.insert(0, _Guard())


if os.environ.get("JOURNEYTAPE_NO_MODELS") == "1":
    install()
