"""The journey chart as SVG: stages, touchpoints, reach, channels, the emotion curve, scores.

Drawn on the server so the static ``journey-map.html`` needs no script and no network and
prints as it shows. Classes and presentation attributes only (no ``style`` attribute: the
review app's Content-Security-Policy forbids inline styles). Every text from a transcript or
guide goes through :func:`html.escape`.

The chart is one grid: a column per touchpoint (in lived order), rows for stage, touchpoint,
respondents and channels, and below them the emotion curve on a 0..10 axis with the overall
scores beside it on the same axis.
"""

from __future__ import annotations

import html
import statistics
from typing import Any

from markupsafe import Markup

#: the canvas of the journey chart (SVG user units; it scales to the page width)
WIDTH = 1160
GUTTER = 118
SCORE_PANEL = 150
CURVE_TOP = 232
CURVE_H = 210
#: colours: one calm palette that survives grey-scale printing (dark median, faint lines)
INK = "#1d2733"
MUTED = "#6b7785"
FAINT = "#9aa7b4"
GOOD = "#2e8b57"
BAD = "#c0392b"
BAND = "#dbe4ee"
STAGE_FILLS = ("#e8eef6", "#f3ede4")


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """Greedy word wrap for SVG text (SVG has none); the last line ends in … when cut."""
    out: list[str] = []
    cur = ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > width:
            out.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        out.append(cur)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(1, width - 1)].rstrip() + "…"
    return out


def _y(value: float) -> float:
    """0..10 → the curve's vertical position (10 at the top)."""
    return CURVE_TOP + CURVE_H * (1 - value / 10)


def journey_svg(m: dict[str, Any]) -> Markup:
    """Stages, touchpoints, respondents, channels and the emotion curve on one aligned grid,
    with the overall scores beside the curve."""
    tps = m["touchpoints"]
    n = max(1, len(tps))
    cw = (WIDTH - GUTTER - SCORE_PANEL) / n
    x_of = {tp["id"]: GUTTER + cw * (i + 0.5) for i, tp in enumerate(tps)}
    H = CURVE_TOP + CURVE_H + 40
    p: list[str] = [
        f'<svg class="journey" viewBox="0 0 {WIDTH} {H}" xmlns="http://www.w3.org/2000/svg" '
        f'role="img" aria-label="Journey map: stages, touchpoints and emotion curve" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">'
    ]
    p += _row_labels()
    if not tps:
        p.append(
            f'<text x="{GUTTER}" y="90" font-size="15" fill="{MUTED}">No touchpoint of '
            "the guide was mentioned in these interviews.</text></svg>"
        )
        return Markup("".join(p))
    p += _stage_bands(m["stages"], tps, cw)
    chars = max(8, int(cw / 7.4))
    for tp in tps:
        p += _touchpoint_card(tp, x_of[tp["id"]], cw, chars)
        p += _reach_and_channels(tp, x_of[tp["id"]], cw, chars, len(m["interviews"]))
    p += _curve_svg(m, x_of)
    p += _score_panel(m)
    p.append("</svg>")
    return Markup("".join(p))


def _row_labels() -> list[str]:
    """The names of the chart's rows, in the left gutter."""
    return [
        f'<text x="6" y="{y}" font-size="12" font-weight="600" fill="{MUTED}">{label}</text>'
        for y, label in (
            (22, "Stage"),
            (70, "Touchpoint"),
            (128, "Respondents"),
            (168, "Channels"),
            (CURVE_TOP - 16, "Feeling (0–10)"),
        )
    ]


def _stage_bands(stages: list[dict[str, Any]], tps: list[dict[str, Any]], cw: float) -> list[str]:
    """One band per stage over its touchpoints' columns (they sit side by side), alternating
    fills so neighbouring stages stay apart."""
    p = []
    col = {tp["id"]: i for i, tp in enumerate(tps)}
    for k, st in enumerate(stages):
        idx = [col[t] for t in st["touchpoints"] if t in col]
        x0, x1 = GUTTER + cw * min(idx) + 2, GUTTER + cw * (max(idx) + 1) - 2
        p.append(
            f'<rect x="{x0:.1f}" y="4" width="{x1 - x0:.1f}" height="28" rx="4" '
            f'fill="{STAGE_FILLS[k % 2]}"/>'
        )
        label = _wrap(st["label"], max(6, int((x1 - x0) / 7.2)), 1)[0]
        p.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="23" font-size="12.5" font-weight="600" '
            f'text-anchor="middle" fill="{INK}">{_e(label)}</text>'
        )
    return p


def _touchpoint_card(tp: dict[str, Any], cx: float, cw: float, chars: int) -> list[str]:
    """The touchpoint's card with its name; dashed when no reviewer has confirmed it yet."""
    x0 = cx - cw / 2 + 4
    reviewed = _reviewed(tp)
    look = (
        'fill="#ffffff" stroke="#b8c4d0"'
        if reviewed
        else ('fill="#fffdf6" stroke="#d9b45a" stroke-dasharray="5 4"')
    )
    p = [
        f'<rect x="{x0:.1f}" y="40" width="{cw - 8:.1f}" height="64" rx="6" {look}>'
        f"<title>{'reviewed' if reviewed else 'no mention reviewed yet'}</title></rect>"
    ]
    for j, line in enumerate(_wrap(tp["label"], chars, 3)):
        p.append(
            f'<text x="{cx:.1f}" y="{60 + 15 * j}" font-size="13" font-weight="600" '
            f'text-anchor="middle" fill="{INK}">{_e(line)}</text>'
        )
    return p


def _reach_and_channels(
    tp: dict[str, Any], cx: float, cw: float, chars: int, n_int: int
) -> list[str]:
    """How many respondents lived this touchpoint (a bar out of all interviews) and the
    channels they used there (at most four)."""
    bw = cw - 24
    frac = tp["respondents"] / max(1, n_int)
    p = [
        f'<rect x="{cx - bw / 2:.1f}" y="114" width="{bw:.1f}" height="8" rx="4" fill="#e6ebf0"/>',
        f'<rect x="{cx - bw / 2:.1f}" y="114" width="{bw * frac:.1f}" height="8" '
        f'rx="4" fill="#4a6fa5"/>',
        f'<text x="{cx:.1f}" y="138" font-size="12" text-anchor="middle" '
        f'fill="{INK}">{tp["respondents"]} of {n_int}</text>',
    ]
    for j, ch in enumerate(tp["channels"][:4]):
        text = _wrap(f"{ch['label']} ({ch['respondents']})", chars, 1)[0]
        p.append(
            f'<text x="{cx:.1f}" y="{162 + 15 * j}" font-size="11.5" '
            f'text-anchor="middle" fill="{MUTED}">{_e(text)}</text>'
        )
    if not tp["channels"]:
        p.append(
            f'<text x="{cx:.1f}" y="162" font-size="11.5" text-anchor="middle" '
            f'fill="{FAINT}">–</text>'
        )
    return p


# -- the emotion curve ---------------------------------------------------------------------------


def _curve_svg(m: dict[str, Any], x_of: dict[str, float]) -> list[str]:
    """The curve, back to front: axes, the quartile band, one faint line per respondent, the
    median line and points, "no feelings told" where there are none, and the legend."""
    curve = m["emotion_curve"]
    med = [pt for pt in curve["median"] if pt["touchpoint"] in x_of]
    p = _axes()
    p += _quartile_band(med, x_of)
    for line in curve["respondents"].values():
        p += _respondent_line(line, x_of)
    p += _median(med, x_of)
    for tp_id, x in x_of.items():
        if not any(pt["touchpoint"] == tp_id for pt in med):
            p.append(
                f'<text x="{x:.1f}" y="{_y(0) - 8:.1f}" font-size="11" '
                f'text-anchor="middle" fill="{FAINT}">no feelings told</text>'
            )
    p += _legend(all(_reviewed(tp) for tp in m["touchpoints"]))
    return p


def _axes() -> list[str]:
    """Grid lines at 10, 5 (solid: neutral) and 0, labelled in the gutter."""
    p = []
    x_left, x_right = GUTTER, WIDTH - SCORE_PANEL
    for v, label in ((10, "10 delighted"), (5, "5 neutral"), (0, "0 very upset")):
        y = _y(v)
        dash = "" if v == 5 else ' stroke-dasharray="3 4"'
        p.append(
            f'<line x1="{x_left}" y1="{y:.1f}" x2="{x_right}" y2="{y:.1f}" stroke="#c9d2dc"{dash}/>'
        )
        p.append(
            f'<text x="{x_left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{MUTED}">{label}</text>'
        )
    return p


def _quartile_band(med: list[dict[str, Any]], x_of: dict[str, float]) -> list[str]:
    """The spread across respondents (q1..q3): a polygon, or a bar for a single touchpoint."""
    if not med:
        return []
    top = [(x_of[pt["touchpoint"]], _y(pt["q3"])) for pt in med]
    bot = [(x_of[pt["touchpoint"]], _y(pt["q1"])) for pt in reversed(med)]
    if len(med) == 1:
        (x, y1), (_, y0) = top[0], bot[0]
        return [
            f'<rect x="{x - 10:.1f}" y="{y1:.1f}" width="20" height="{y0 - y1:.1f}" fill="{BAND}"/>'
        ]
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in top + bot)
    return [f'<polygon points="{pts}" fill="{BAND}" fill-opacity="0.85"/>']


def _respondent_line(line: list[dict[str, Any]], x_of: dict[str, float]) -> list[str]:
    """One respondent's mean feeling per touchpoint: a faint line with small dots."""
    p = []
    pts = [(x_of[pt["touchpoint"]], _y(pt["value"])) for pt in line if pt["touchpoint"] in x_of]
    if len(pts) > 1:
        p.append(
            '<polyline fill="none" stroke="#8796a8" stroke-opacity="0.55" '
            'stroke-width="1.3" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>'
        )
    for x, y in pts:
        p.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.4" fill="#8796a8" fill-opacity="0.6"/>')
    return p


def _median(med: list[dict[str, Any]], x_of: dict[str, float]) -> list[str]:
    """The bold median line, and each median point coloured (good / bad / neutral) with its
    value written above it (below it near the top edge)."""
    p = []
    if len(med) > 1:
        p.append(
            f'<polyline fill="none" stroke="{INK}" stroke-width="3.2" '
            'stroke-linejoin="round" points="'
            + " ".join(f"{x_of[pt['touchpoint']]:.1f},{_y(pt['median']):.1f}" for pt in med)
            + '"/>'
        )
    for pt in med:
        x, y = x_of[pt["touchpoint"]], _y(pt["median"])
        color = GOOD if pt["median"] > 5.5 else BAD if pt["median"] < 4.5 else INK
        p.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{color}" stroke="#fff" '
            'stroke-width="2"/>'
        )
        dy = -12 if pt["median"] < 8.5 else 20
        p.append(
            f'<text x="{x:.1f}" y="{y + dy:.1f}" font-size="12.5" font-weight="700" '
            f'text-anchor="middle" fill="{color}">{pt["median"]:.1f}</text>'
        )
    return p


def _legend(all_reviewed: bool) -> list[str]:
    """What the median, a respondent line and the band are; and the dashed card, when one is
    drawn."""
    x_left = GUTTER
    y_leg = CURVE_TOP + CURVE_H + 30
    p = [
        f'<line x1="{x_left}" y1="{y_leg - 4}" x2="{x_left + 26}" y2="{y_leg - 4}" '
        f'stroke="{INK}" stroke-width="3.2"/>'
        f'<text x="{x_left + 32}" y="{y_leg}" font-size="11.5" fill="{MUTED}">median '
        "of respondents</text>"
        f'<line x1="{x_left + 180}" y1="{y_leg - 4}" x2="{x_left + 206}" y2="{y_leg - 4}" '
        'stroke="#8796a8" stroke-opacity="0.6" stroke-width="1.3"/>'
        f'<text x="{x_left + 212}" y="{y_leg}" font-size="11.5" fill="{MUTED}">one '
        "respondent</text>"
        f'<rect x="{x_left + 330}" y="{y_leg - 10}" width="26" height="11" fill="{BAND}"/>'
        f'<text x="{x_left + 362}" y="{y_leg}" font-size="11.5" fill="{MUTED}">middle '
        "half of respondents (quartiles)</text>"
    ]
    if not all_reviewed:
        p.append(
            f'<rect x="{x_left + 600}" y="{y_leg - 11}" width="26" height="13" rx="3" '
            'fill="#fffdf6" stroke="#d9b45a" stroke-dasharray="5 4"/>'
            f'<text x="{x_left + 632}" y="{y_leg}" font-size="11.5" fill="{MUTED}">touchpoint '
            "no reviewer has confirmed yet</text>"
        )
    return p


def _reviewed(tp: dict[str, Any]) -> bool:
    """Has a person confirmed (accepted, edited or added) any mention of this touchpoint?"""
    return any(e.get("review", "unreviewed") != "unreviewed" for e in tp["evidence"])


def _score_panel(m: dict[str, Any]) -> list[str]:
    """Overall grades beside the curve, on the same 0..10 axis."""
    x0 = WIDTH - SCORE_PANEL + 30
    cx = x0 + 45
    sc = m["scores"]
    p = [
        f'<text x="{cx}" y="{CURVE_TOP - 16}" font-size="12" font-weight="600" '
        f'text-anchor="middle" fill="{MUTED}">Overall score</text>',
        f'<line x1="{cx}" y1="{_y(10):.1f}" x2="{cx}" y2="{_y(0):.1f}" stroke="#c9d2dc"/>',
    ]
    vals = [o["value"] for o in sc["overall"]]
    seen: dict[float, int] = {}
    for v in vals:  # stack equal grades side by side
        k = seen.get(v, 0)
        seen[v] = k + 1
        dx = (k // 2 + 1) * 7 * (1 if k % 2 else -1) if k else 0
        p.append(
            f'<circle cx="{cx + dx:.1f}" cy="{_y(v):.1f}" r="3.2" fill="#8796a8" '
            'fill-opacity="0.75"/>'
        )
    if vals:
        med = statistics.median(vals)
        color = GOOD if med > 5.5 else BAD if med < 4.5 else INK
        p.append(
            f'<line x1="{cx - 26}" y1="{_y(med):.1f}" x2="{cx + 26}" y2="{_y(med):.1f}" '
            f'stroke="{color}" stroke-width="3.2"/>'
        )
        p.append(
            f'<text x="{cx + 30}" y="{_y(med) + 5:.1f}" font-size="15" font-weight="700" '
            f'fill="{color}">{med:.1f}</text>'
        )
        p.append(
            f'<text x="{cx}" y="{_y(0) + 18:.1f}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">median of {len(vals)}</text>'
        )
    else:
        p.append(
            f'<text x="{cx}" y="{_y(5):.1f}" font-size="11" text-anchor="middle" '
            f'fill="{FAINT}">none given</text>'
        )
    return p
