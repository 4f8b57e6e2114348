"""What every rule returns, and small helpers the rule modules share."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

NUM = re.compile(r"^\d+(?:[.,]\d+)?$")
FRACTION = re.compile(r"^(\d+(?:[.,]\d+)?)/(\d+)$")


@dataclass
class Hit:
    """One rule match in a segment's Doc, before it becomes a Tag."""

    label: str
    start: int  # token index in the doc
    end: int  # token index, exclusive
    value: str | None
    rule: str
    confidence: float
    attrs: dict[str, Any] = field(default_factory=dict)


def longest_first(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping spans, preferring longer ones (like spacy.util.filter_spans)."""
    chosen: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0])):
        if all(e <= cs or s >= ce for cs, ce in chosen):
            chosen.append((s, e))
    return sorted(chosen)
