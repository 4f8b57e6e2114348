"""The shared presentation helpers: one clock, one Markdown escape, one label table."""

from __future__ import annotations

from journeytape.presentation import LABEL_COLORS, LABEL_TITLES, LABELS, clock, md_escape


def test_clock_rounds_down_and_switches_to_hours():
    assert clock(65.9) == "1:05"
    assert clock(0) == "0:00"
    assert clock(3599.99) == "59:59"
    assert clock(3600) == "1:00:00"
    assert clock(61, hours=True) == "0:01:01"
    assert clock(61.27, tenths=True) == "1:01.2"
    assert clock(None) == "–"
    assert clock(-3) == "0:00"


def test_md_escape_keeps_a_table_cell_one_literal_line():
    assert md_escape("a|b *c*\nd [e](f)") == r"a\|b \*c\* d \[e\](f)"


def test_every_label_has_a_title_and_a_distinct_colour():
    assert set(LABEL_TITLES) == set(LABEL_COLORS) == set(LABELS)
    assert len(set(LABEL_COLORS.values())) == len(LABELS)
