"""The journey-map study: 12 typed interviews (EN/NL/DE) through the real annotator."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "journeytape" / "data" / "guides" / "service-desk.yaml"


def _bench_module():
    spec = importlib.util.spec_from_file_location(
        "journey_study", ROOT / "bench" / "journey_study.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def study_source(tmp_path_factory) -> Path:
    """Transcripts and annotations of the study, built once (about 10 s: spaCy per language)."""
    folder = tmp_path_factory.mktemp("study_src")
    _bench_module().build_study(folder, GUIDE)
    return folder


@pytest.fixture
def study(study_source, tmp_path) -> Path:
    """A fresh copy per test, so review decisions made in one test stay in it."""
    import shutil

    dst = tmp_path / "study"
    shutil.copytree(study_source, dst)
    return dst
