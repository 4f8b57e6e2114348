"""Fixtures every test area shares. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: real third-party speech with references; lives beside the repo, never copied into it
EVAL_DIR = Path(os.environ.get("JOURNEYTAPE_EVAL", REPO.parent / "shared" / "eval"))


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    if not EVAL_DIR.is_dir():
        pytest.skip(f"evaluation set not found at {EVAL_DIR} (set JOURNEYTAPE_EVAL to its path)")
    return EVAL_DIR


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO
