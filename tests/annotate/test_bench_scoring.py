"""The bench's two scoring rules (bench/annotate.py): the codebook's turn rule and per-tag values.

The turn rule is what CODEBOOK.md and issue #20 judge by ("the right label in the right turn
counts"), so the default table must not punish a wrong value or a second tag in a turn, and
must still count a tag in the wrong turn as both a false alarm and a miss.
"""

from __future__ import annotations

from collections import defaultdict

from bench.annotate import score_interview
from journeytape.annotate.annotations import Tag
from journeytape.annotate.devtext import GoldSpan


def tag(label: str, value: str, segment: int, start: int = 0, end: int = 5) -> Tag:
    return Tag(
        id=f"t{segment}{start}", label=label, value=value, segment_id=segment,
        start_char=start, end_char=end, text="words", start=0.0, end=1.0,
        speaker="S1", role="respondent", rule="test", confidence=1.0,
    )  # fmt: skip


def counts_for(tags: list[Tag], gold: dict[int, list[GoldSpan]], match: str) -> dict:
    counts: dict = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    score_interview(tags, gold, counts, match=match)
    return counts["EXPECTATION"]


GOLD = {
    2: [GoldSpan("EXPECTATION", "unmet", 0, 5, "words")],
    4: [GoldSpan("EXPECTATION", "met", 0, 5, "words"), GoldSpan("EXPECTATION", "met", 6, 9, "w")],
}


def test_turn_rule_ignores_the_value_and_counts_a_turn_once() -> None:
    # wrong status in turn 2, one of two expectations in turn 4: both turns are right
    tags = [tag("EXPECTATION", "met", 2), tag("EXPECTATION", "met", 4)]
    assert counts_for(tags, GOLD, "turn") == {"tp": 2, "fp": 0, "fn": 0}


def test_value_rule_counts_each_tag_with_its_value() -> None:
    tags = [tag("EXPECTATION", "met", 2), tag("EXPECTATION", "met", 4)]
    assert counts_for(tags, GOLD, "value") == {"tp": 1, "fp": 1, "fn": 2}


def test_turn_rule_a_tag_in_the_wrong_turn_is_a_false_alarm_and_a_miss() -> None:
    tags = [tag("EXPECTATION", "unmet", 3), tag("EXPECTATION", "met", 4),
            tag("EXPECTATION", "met", 4, 6, 9)]  # fmt: skip
    assert counts_for(tags, GOLD, "turn") == {"tp": 1, "fp": 1, "fn": 1}
