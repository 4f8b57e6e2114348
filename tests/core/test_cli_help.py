"""`--help` reads well at 80 columns: docstring paragraphs are re-wrapped, examples kept."""

from __future__ import annotations

from typer.testing import CliRunner

from journeytape.cli import app, reflow


def test_reflow_joins_paragraph_lines_and_keeps_examples():
    doc = """Title line.

    One paragraph written
    over three lines
    at any width.

    Examples:
      journeytape a
      journeytape b
    """
    assert reflow(doc) == (
        "Title line.\n\nOne paragraph written over three lines at any width.\n\n"
        "Examples:\n  journeytape a\n  journeytape b"
    )


def test_review_help_is_wrapped_by_the_terminal_not_by_the_docstring():
    r = CliRunner().invoke(app, ["review", "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert r.exit_code == 0
    lines = [line.strip() for line in r.output.splitlines()]
    # the docstring breaks after "misheard words," at 92 columns; at 80 the terminal must
    # wrap the whole paragraph, so no line is left holding a lone word
    assert "words," not in lines and "once" not in lines, r.output
