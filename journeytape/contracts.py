"""Reading journeytape's versioned JSON files (transcripts, annotations) the same way.

Each file names its ``kind`` and a ``MAJOR.MINOR`` ``schema_version``; a reader accepts any
MINOR of the MAJOR it knows and refuses everything else with one clear line that says how to
fix it. The JSON Schema (draft 2020-12) ships beside the module that owns the format.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any


@cache
def load_schema(package: str, filename: str) -> dict[str, Any]:
    return json.loads(files(package).joinpath(filename).read_text("utf-8"))


def check_version(
    d: Any, *, kind: str, major: int, error: type[ValueError], noun: str, fix: str
) -> None:
    """Raise ``error`` unless ``d`` is a ``kind`` document of schema ``major``.x."""
    if not isinstance(d, dict) or d.get("kind") != kind:
        got = d.get("kind") if isinstance(d, dict) else type(d).__name__
        raise error(f"not a journeytape {noun} (expected kind {kind!r}, got {got!r})")
    version = str(d.get("schema_version", ""))
    try:
        found = int(version.split(".")[0])
    except ValueError:
        raise error(f"{noun} has no valid schema_version ({version!r})") from None
    if found != major:
        raise error(
            f"{noun} schema_version {version} is not supported by this journeytape "
            f"(reads {major}.x); {fix}"
        )


def validate(d: dict[str, Any], schema: dict[str, Any], *, error: type[ValueError], noun: str):
    """Raise ``error`` naming the first offending field (in document order)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(d), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        e = errors[0]
        where = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        raise error(f"invalid {noun} at {where}: {e.message}")


def read_json(path: str | Path, *, error: type[ValueError]) -> Any:
    """The parsed file; malformed JSON becomes ``error`` naming the file."""
    path = Path(path)
    try:
        return json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not valid JSON ({exc})") from None
