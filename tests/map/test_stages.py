"""Named stages: the guide may group touchpoints; the map keeps a stage's touchpoints together."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from journeytape.cli import app
from journeytape.guide import GuideError, load_guide, parse_guide

from .conftest import GUIDE

BASE = """\
journey: Test journey
languages: [en]
checklist:
  - id: email
    kind: channel
    synonyms: {en: [email]}
  - id: ticket_logged
    kind: touchpoint
    synonyms: {en: [ticket]}
  - id: repair
    kind: touchpoint
    synonyms: {en: [repair]}
stages:
  - id: asking
    label: Asking for help
    items: [ticket_logged]
"""


def test_guide_stages_parse_and_name_the_line_of_a_mistake():
    g = parse_guide(BASE)
    assert [(s.id, s.label("en"), s.items) for s in g.stages] == [
        ("asking", "Asking for help", ["ticket_logged"])
    ]
    with pytest.raises(GuideError, match=r"guide.yaml:16: .*'email' is not a touchpoint"):
        parse_guide(BASE.replace("items: [ticket_logged]", "items: [email]"), "guide.yaml")
    twice = BASE + "  - id: again\n    items: [repair, ticket_logged]\n"
    with pytest.raises(GuideError, match=r"guide.yaml:18: .*already in stage 'asking'"):
        parse_guide(twice, "guide.yaml")
    assert parse_guide(BASE.split("stages:")[0]).stages == []
    shipped = load_guide(GUIDE)
    assert len(shipped.stages) >= 5
    tps = {it.id for it in shipped.touchpoints}
    assert {i for s in shipped.stages for i in s.items} == tps


def test_map_groups_touchpoints_by_stage_in_lived_order(study, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["map", str(study), "--guide", str(GUIDE), "--out", str(out)])
    assert res.exit_code == 0, res.output
    m = json.loads((out / "journey-map.json").read_text("utf-8"))
    flat = [i for s in m["stages"] for i in s["touchpoints"]]
    assert flat == [tp["id"] for tp in m["touchpoints"]]
    labels = [s["label"] for s in m["stages"]]
    assert labels.index("Asking for help") < labels.index("Waiting") < labels.index("The fix")
    assert labels[-1] == "Closing"


def test_a_stage_spanning_the_journey_keeps_its_touchpoints_side_by_side(study, tmp_path):
    """A stage whose touchpoints were lived far apart (the ticket opened and closed) still
    reads as one block on the map; the other touchpoints stay in lived order around it."""
    text = GUIDE.read_text("utf-8").split("\nstages:")[0]
    text += (
        "\nstages:\n  - id: ticket\n    label: The ticket\n"
        "    items: [ticket_logged, ticket_closed]\n"
    )
    guide = tmp_path / "guide.yaml"
    guide.write_text(text, "utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["map", str(study), "--guide", str(guide), "--out", str(out)])
    assert res.exit_code == 0, res.output
    m = json.loads((out / "journey-map.json").read_text("utf-8"))
    order = [tp["id"] for tp in m["touchpoints"]]
    i = order.index("ticket_logged")
    assert order[i + 1] == "ticket_closed"
    assert order.index("status_update") < order.index("repair")
    assert [i for s in m["stages"] for i in s["touchpoints"]] == order
