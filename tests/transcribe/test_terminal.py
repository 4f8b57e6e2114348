"""The batch summary at 80 columns: the folder once in the title, file names that fit."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from journeytape.transcribe.jobs import Outcome
from journeytape.transcribe.terminal import summary_table


def _render(outcomes: list[Outcome]) -> str:
    console = Console(width=80, record=True, color_system=None)
    console.print(summary_table(outcomes))
    return console.export_text()


def test_files_of_one_folder_are_named_relative_to_it():
    text = _render(
        [
            Outcome(Path("phone/week1/interview_de.opus"), "done", duration=75.9, language="de"),
            Outcome(Path("phone/interview_nl.mp3"), "failed", note="not audio (HTML page)"),
        ]
    )
    assert "journeytape transcribe · phone/" in text
    assert "│ week1/interview_de.opus" in text and "│ interview_nl.mp3" in text, text
    assert "1:15" in text  # the shared clock: 75.9 s rounds down


def test_files_with_no_common_folder_keep_their_paths():
    text = _render([Outcome(Path("/a/x.wav"), "done"), Outcome(Path("b/y.wav"), "done")])
    assert "/a/x.wav" in text and "b/y.wav" in text and "·" not in text
