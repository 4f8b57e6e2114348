"""The size budgets of issue #16: rooms small enough to read at once.

A file over ~500 lines or a function over ~80 hides more than one concern; ruff's C901 (in
pyproject) covers branching, this covers length. Tests may run a little longer (a test file
holds one stage's scenarios), so their file budget is larger.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ("journeytape", "models", "recorder", "transcribe", "annotate", "review", "map", "bench")
MAX_FILE_LINES = {"source": 500, "tests": 600}
MAX_FUNCTION_LINES = 80


def over_budget(folders: tuple[str, ...], max_file: int) -> list[str]:
    out = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text("utf-8")
            rel = path.relative_to(ROOT)
            if text.count("\n") > max_file:
                out.append(f"{rel}: {text.count(chr(10))} lines (budget {max_file})")
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = node.end_lineno - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        out.append(f"{rel}:{node.lineno} {node.name}: {length} lines")
    return out


def test_source_files_and_functions_stay_within_budget():
    assert over_budget(SOURCE, MAX_FILE_LINES["source"]) == []


def test_test_files_and_functions_stay_within_budget():
    assert over_budget(("tests",), MAX_FILE_LINES["tests"]) == []
