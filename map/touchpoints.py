"""Touchpoints in lived order (with their channels), the stages they group into, and the
checklist coverage per interview: the columns of the journey map."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

from journeytape.guide import Guide

from .evidence import evidence
from .interviews import Interview


def lived_touchpoints(ivs: list[Interview], guide: Guide, lang: str) -> list[dict[str, Any]]:
    """The guide's touchpoints that were mentioned, placed by the median of their scaled first
    mention, with the channels used around them (same turn, or the turn before or after) and
    how many respondents named each."""
    out = []
    for item in guide.touchpoints:
        who = [iv for iv in ivs if item.id in iv.position]
        if not who:
            continue
        channels: Counter[str] = Counter()
        channel_resp: dict[str, set[str]] = defaultdict(set)
        mentions = []
        for iv in who:
            turns_here = {m.turn for m in iv.mentions if m.item == item.id}
            near = {t + d for t in turns_here for d in (-1, 0, 1)}
            for t in iv.tags:
                if t.label == "CHANNEL" and iv.turn_of.get(t.segment_id) in near and t.value:
                    channels[t.value] += 1
                    channel_resp[t.value].add(iv.view.name)
            mentions += [evidence(iv.view, m.tag) for m in iv.mentions if m.item == item.id]
        out.append(
            {
                "id": item.id,
                "label": item.label(lang),
                "position": round(statistics.median(iv.position[item.id] for iv in who), 3),
                "respondents": len(who),
                "interviews": [iv.view.name for iv in who],
                "channels": [
                    {
                        "id": ch,
                        "label": _label(guide, ch, lang),
                        "mentions": n,
                        "respondents": len(channel_resp[ch]),
                    }
                    for ch, n in sorted(channels.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
                "evidence": mentions,
            }
        )
    out.sort(key=lambda tp: (tp["position"], -tp["respondents"], tp["id"]))
    return out


def _label(guide: Guide, item_id: str, lang: str) -> str:
    try:
        return guide.item(item_id).label(lang)
    except KeyError:
        return item_id


def stages_of(touchpoints: list[dict[str, Any]], guide: Guide, lang: str) -> list[dict[str, Any]]:
    """The guide's named stages when it has them (touchpoints it does not place form an
    "Other" stage), else one stage per touchpoint. Stages are ordered by the median place of
    their touchpoints and ``touchpoints`` is reordered so each stage's members sit side by
    side, in lived order within the stage."""
    if not guide.stages:
        return [
            {"id": tp["id"], "label": tp["label"], "touchpoints": [tp["id"]]} for tp in touchpoints
        ]
    pos = {tp["id"]: tp["position"] for tp in touchpoints}
    out = []
    placed: set[str] = set()
    for st in guide.stages:
        ids = sorted((i for i in st.items if i in pos), key=lambda i: (pos[i], i))
        placed.update(ids)
        if ids:
            out.append({"id": st.id, "label": st.label(lang), "touchpoints": ids})
    for tp in touchpoints:  # unplaced touchpoints stand alone, where they were lived
        if tp["id"] not in placed:
            out.append({"id": tp["id"], "label": tp["label"], "touchpoints": [tp["id"]]})
    out.sort(key=lambda s: statistics.median(pos[i] for i in s["touchpoints"]))
    rank = {i: k for k, i in enumerate(i for s in out for i in s["touchpoints"])}
    touchpoints.sort(key=lambda tp: rank[tp["id"]])
    return out


def coverage(ivs: list[Interview], guide: Guide, lang: str) -> dict[str, Any]:
    """Interviews × checklist items, from the reviewed tags (a rejected mention does not
    cover an item; an added one does)."""
    rows = []
    for iv in ivs:
        counts: Counter[str] = Counter(
            t.value for t in iv.tags if t.label in ("CHANNEL", "TOUCHPOINT")
        )
        rows.append(
            {
                "interview": iv.view.name,
                "mentions": {i.id: counts.get(i.id, 0) for i in guide.checklist},
            }
        )
    items = [{"id": i.id, "kind": i.kind, "label": i.label(lang)} for i in guide.checklist]
    never = [i["id"] for i in items if all(r["mentions"][i["id"]] == 0 for r in rows)]
    return {"items": items, "rows": rows, "never_discussed": never}
