"""torch's OpenMP threads spin briefly before sleeping: the setting must be in the environment
before torch loads (libgomp reads it once), and a user's own setting must win.

Measured (docs/speed.md): never spinning made diarization 1.75x slower on an idle machine;
libgomp's default spin made it up to 10x slower on busy cores."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

#: records the OpenMP variables at the moment torch is first imported
PROBE = """
import builtins, json, os, sys
seen = {}
real_import = builtins.__import__
def spy(name, *args, **kwargs):
    if name.split(".")[0] == "torch" and not seen:
        seen.update({k: os.environ.get(k) for k in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")})
    return real_import(name, *args, **kwargs)
builtins.__import__ = spy
from journeytape.transcribe.diarize import diarize_transcript  # the CLI's way in
import journeytape.transcribe.campplus  # imports torch at module level
import torch
print(json.dumps(seen))
"""


def _at_torch_import(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    out = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env}, check=True,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_torch_loads_with_a_short_spin():
    seen = _at_torch_import()
    assert seen == {"GOMP_SPINCOUNT": "1000", "OMP_WAIT_POLICY": None}


@pytest.mark.parametrize(
    "env",
    [{"OMP_WAIT_POLICY": "PASSIVE"}, {"GOMP_SPINCOUNT": "5"}, {"OMP_WAIT_POLICY": "ACTIVE"}],
)
def test_a_users_own_openmp_setting_wins(env):
    seen = _at_torch_import(**env)
    assert {k: v for k, v in seen.items() if v is not None} == env
