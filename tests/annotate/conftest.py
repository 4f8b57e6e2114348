"""Annotate-area fixtures: the example guide and one annotator (spaCy pipelines load once)."""

from __future__ import annotations

import pytest

from journeytape.annotate.annotations import Annotations
from journeytape.annotate.devtext import transcript_from_text
from journeytape.guide import example_guide_path, load_guide


@pytest.fixture(scope="session")
def guide():
    return load_guide(example_guide_path())


@pytest.fixture(scope="session")
def annotator(guide):
    from journeytape.annotate.annotator import Annotator

    return Annotator(guide)


@pytest.fixture(scope="session")
def tag_text(annotator):
    """Annotate ``I: …``/``R: …`` lines (a bare sentence is one respondent line)."""

    def run(lang: str, text: str) -> Annotations:
        if not text.lstrip().startswith(("I:", "R:")):
            text = "R: " + text
        transcript, _ = transcript_from_text(text, lang)
        return annotator.annotate(transcript, "test", "0" * 64)

    return run


def only(ann: Annotations, label: str):
    return [t for t in ann.tags if t.label == label]
