"""The labelled-corpus format (bench/corpus/): headers, per-journey guides, neutral emotions."""

from __future__ import annotations

import pytest

from journeytape.annotate.devtext import load_dev_interview

INTERVIEW = """\
# split: test
# journey: moving_house
# style: terse, hedging
I: Did you [call](CHANNEL=phone) them?
R: [Called](CHANNEL=phone) twice. I [wasn't angry](EMOTION=0), just tired.
"""


def test_corpus_headers_and_language_from_file_name(tmp_path):
    path = tmp_path / "nl_moving_house_03.txt"
    path.write_text(INTERVIEW, "utf-8")
    d = load_dev_interview(path)
    assert (d.language, d.split, d.journey, d.style) == (
        "nl",
        "test",
        "moving_house",
        "terse, hedging",
    )
    assert [g.value for g in d.gold[1] if g.label == "EMOTION"] == ["0"]
    assert d.gold[1][1].text == "wasn't angry"


def test_unknown_split_is_refused(tmp_path):
    path = tmp_path / "en_x_01.txt"
    path.write_text(INTERVIEW.replace("split: test", "split: tset"), "utf-8")
    with pytest.raises(ValueError, match="tset"):
        load_dev_interview(path)
