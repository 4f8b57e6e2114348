"""What `journeytape models` shows: per model, installed or not, verified or not, and where;
and which pip requirements are missing (what `journeytape models install` installs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .registry import (
    REGISTRY,
    ModelSpec,
    cache_dir,
    missing_parts,
    part_path,
    stamp_path,
)


@dataclass
class ModelStatus:
    """One row of `journeytape models`."""

    spec: ModelSpec
    installed: bool
    ready: bool  # assembled (if needed) and verified
    size_bytes: int
    location: str
    problem: str = ""


def status(spec: ModelSpec) -> ModelStatus:
    """Installed? Ready (assembled and verified once)? Where? Cheap: hashes nothing."""
    missing = missing_parts(spec)
    if missing:
        return ModelStatus(
            spec, False, False, 0, "-", f"not installed (needs {', '.join(spec.packages)})"
        )
    size = sum(part_path(p).stat().st_size for f in spec.files for p in f.parts)  # type: ignore[union-attr]
    if spec.assembled:
        target = cache_dir() / "models" / spec.name
        ready = target.is_dir() and all((target / f.name).is_file() for f in spec.files)
        where = str(target) if ready else f"{target} (assembled on first use)"
        return ModelStatus(spec, True, ready, size, where)
    where = str(part_path(spec.files[0].parts[0]).parent)  # type: ignore[union-attr]
    return ModelStatus(spec, True, stamp_path(spec).is_file(), size, where)


def statuses() -> list[ModelStatus]:
    """Every registered model's status, in registry order."""
    return [status(s) for s in REGISTRY.values()]


def missing_requirements(specs: list[ModelSpec] | None = None) -> dict[str, list[str]]:
    """pip requirement -> the models that need it, for every model with a file missing."""
    out: dict[str, list[str]] = {}
    for spec in specs if specs is not None else list(REGISTRY.values()):
        if missing_parts(spec):
            for req in spec.packages:
                out.setdefault(req, []).append(spec.name)
    return out


def table(title: str) -> Any:
    """The rich table `journeytape models` prints: one row per model, the fix where missing."""
    from rich.table import Table

    out = Table(title=title)
    for col in ("name", "kind", "status", "size", "licence", "location / needs"):
        out.add_column(col, overflow="fold")
    for st in statuses():
        if not st.installed:
            state, where = "[red]missing[/red]", st.problem
        else:
            state = "[green]ready[/green]" if st.ready else "[yellow]installed[/yellow]"
            where = st.location
        name = st.spec.name + (f" ({', '.join(st.spec.aliases)})" if st.spec.aliases else "")
        out.add_row(
            name, st.spec.kind, state, f"{st.size_bytes / 1e6:.0f} MB", st.spec.licence, where
        )
    return out
