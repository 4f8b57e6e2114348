"""The live screen's layout: a pure function of the recorder's status and the screen's state,
sized to the terminal, so it can be rendered and checked at any size in tests.

Why a fixed layout: at 80x24 a screen that simply stacks its parts loses whatever comes last
(the marker label being typed, "press s again", the key help). Here every state has the same
frame, top to bottom::

    state · time · where the audio is saved            (3 lines: status, meter, disk/loss)
    file  …/2026-11-30_P05/recording.wav.part          (1 line)
    messages                                           (3 lines, always there, newest first)
    prompt: what to do now / the marker label typed    (1 line)
    body: the purpose text (READY, scrollable) or the checklist and markers
    key help                                           (last line, always)

Only the body grows or shrinks with the terminal; its parts are cut with a visible "+N more"
or "↓ more" rather than silently.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from rich.console import Group
from rich.text import Text

from journeytape.presentation import clock
from journeytape.recorder.capture import Status
from journeytape.recorder.diskspace import fmt_left

#: lines the frame itself takes (everything except the body)
TOP_LINES = 4
MESSAGE_LINES = 3
FIXED_LINES = TOP_LINES + MESSAGE_LINES + 1 + 1  # + prompt + key help


@dataclass
class ScreenState:
    """What the screen shows besides the recorder's :class:`Status`."""

    path: str = ""
    started: bool = False
    consent_open: bool = False
    #: the marker label being typed (None: not typing one)
    label_buf: str | None = None
    confirm_stop: bool = False
    purpose: str = ""
    purpose_scroll: int = 0
    checklist: list[dict[str, Any]] = field(default_factory=list)
    keymap: dict[str, str] = field(default_factory=dict)
    markers: list[dict[str, Any]] = field(default_factory=list)
    #: disk space below the warning threshold (the warning stays on screen while it is)
    disk_low: bool = False
    resumed_at: float | None = None
    #: live coverage: checklist items heard in the speech so far (id → seconds)
    heard: dict[str, float] = field(default_factory=dict)
    #: live coverage: steps and items not come up yet (None: live coverage not running)
    not_yet: list[str] | None = None
    #: live coverage: why it is not showing anything (loading, off)
    live_note: str | None = None


def _line(markup: str | Text, width: int, style: str = "") -> Text:
    t = markup if isinstance(markup, Text) else Text.from_markup(markup, style=style)
    t.no_wrap = True
    t.overflow = "ellipsis"
    t.truncate(width, overflow="ellipsis")
    return t


def _left_cut(text: str, width: int) -> str:
    """A path cut at the front, where it matters least: '…/2026-11-30_P05/recording.wav'."""
    return text if len(text) <= width else "…" + text[-(width - 1) :]


def level_bar(db: float, width: int = 30) -> str:
    frac = min(1.0, max(0.0, (db + 60) / 60))
    n = int(frac * width)
    colour = "red" if db > -1 else "yellow" if db > -12 else "green"
    return f"[{colour}]{'█' * n}[/{colour}]{'·' * (width - n)} {db:6.1f} dBFS"


def _badge(st: Status, s: ScreenState) -> Text:
    if not s.started:
        return Text(" READY (not recording) ", style="bold black on cyan")
    style = {
        "recording": "bold white on red",
        "paused": "bold black on yellow",
        "device-lost": "bold white on magenta",
    }.get(st.state, "bold")
    label = {"recording": "● REC", "device-lost": "MICROPHONE LOST"}.get(st.state, st.state.upper())
    return Text(f" {label} ", style=style)


def _top(st: Status, s: ScreenState, width: int) -> list[Text]:
    head = _badge(st, s)
    head.append(f"  {clock(st.seconds, hours=True)}", style="bold")
    if s.resumed_at is not None:
        head.append(f"  (resumed at {clock(s.resumed_at, hours=True)})", style="dim")
    if not s.started or st.state != "device-lost":
        meter = "input  " + level_bar(st.peak_db, max(10, min(40, width - 22)))
    else:  # the last level would freeze on screen and look like a live microphone
        meter = "input  [bold magenta]no audio: the microphone is gone[/]"
    disk_style = "bold red" if s.disk_low else ""
    disk = Text("disk   ")
    disk.append(f"{fmt_left(st.seconds_left)} left", style=disk_style)
    disk.append(f" ({st.free_bytes / 2**30:.1f} GiB)")
    lost = st.input_overflows + st.dropped_frames + st.gaps
    disk.append(
        f"   lost: {st.input_overflows} overflows, {st.dropped_frames} frames, "
        f"{st.gaps} gap{'' if st.gaps == 1 else 's'}",
        style="bold red" if lost else "dim",
    )
    where = Text("file   ")
    where.append(_left_cut(s.path, max(10, width - 7)), style="bold")
    return [_line(head, width), _line(meter, width), _line(disk, width), _line(where, width)]


def _messages(st: Status, s: ScreenState, width: int) -> list[Text]:
    """Conditions that still hold come first and stay; then the latest messages."""
    items: list[tuple[str, str]] = []
    if st.state == "device-lost" and s.started:
        items.append(("bold magenta", "Microphone lost: the audio so far is saved; reopening…"))
    if s.disk_low:
        items.append(
            (
                "bold red",
                f"Disk nearly full: {fmt_left(st.seconds_left)} of audio left; "
                "the recording stops cleanly before the disk is full.",
            )
        )
    if st.clipping:
        items.append(("bold red", "CLIPPING: move the microphone away or speak softer."))
    if st.no_signal and s.started and st.state == "recording":
        items.append(("bold yellow", "NO SIGNAL: is the microphone on and unmuted?"))
    for m in reversed(st.messages):
        if all(m != text for _, text in items):
            items.append(("yellow", m))
    lines: list[Text] = []
    for style, text in items:
        for w in textwrap.wrap(text, width) or [""]:
            if len(lines) < MESSAGE_LINES:
                lines.append(_line(Text(w, style=style), width))
    if not lines:
        lines.append(_line(Text("level ok, no messages", style="dim"), width))
    while len(lines) < MESSAGE_LINES:
        lines.append(Text(""))
    return lines


def _prompt(s: ScreenState, width: int) -> Text:
    if s.label_buf is not None:
        return _line(
            Text.assemble(("Marker label: ", "bold"), _left_cut(s.label_buf, width - 16) + "▏"),
            width,
        )
    if s.confirm_stop:
        return _line("[bold red]Press s again within 3 s to stop recording.[/]", width)
    if not s.started and s.resumed_at is not None:
        return _line(
            "[bold]Resuming: consent is on record; press SPACE to go on recording.[/]", width
        )
    if not s.started:
        return _line(
            "[bold]Read the purpose text below aloud, then press SPACE to record.[/]", width
        )
    if s.consent_open:
        return _line("[bold]Ask for spoken consent now; press c when they said yes.[/]", width)
    return Text("")


def _keys(st: Status, s: ScreenState) -> str:
    if s.label_buf is not None:
        return "Enter save marker · Esc cancel marker · Backspace delete"
    if not s.started:
        return "SPACE start recording · ↑/↓ scroll the purpose text · q cancel"
    keys = "space " + ("resume" if st.state == "paused" else "pause") + " · m marker"
    if s.keymap:
        ks = list(s.keymap)
        keys += f" · {ks[0]}…{ks[-1]} tick"
    if s.consent_open:
        keys += " · c consent given"
    return keys + " · s s stop"


def purpose_lines(text: str, width: int) -> list[str]:
    """The purpose text wrapped to ``width``, bullets indented under their text."""
    out: list[str] = []
    for para in text.splitlines():
        indent = "  " if para.lstrip().startswith("- ") else ""
        out += textwrap.wrap(para, width, subsequent_indent=indent + "  ") or [""]
    return out


def _purpose_body(s: ScreenState, width: int, rows: int) -> list[Text]:
    """The purpose text with a heading; when it does not fit, the last line says how much is
    above and below, and the arrow keys scroll it."""
    if rows < 1:
        return []
    lines = purpose_lines(s.purpose, width)
    room = rows - 1
    if len(lines) > room:
        room = max(0, room - 1)  # one line for "↓ 4 more lines"
    top = max(0, min(s.purpose_scroll, len(lines) - room))
    shown = lines[top : top + room]
    more = len(lines) - top - len(shown)
    out = [_line("[bold underline]Purpose text (read it out)[/]", width)]
    out += [_line(Text(x), width) for x in shown]
    if top or more:
        out.append(
            _line(
                Text(
                    f"↑ {top} lines above · ↓ {more} more lines (arrow keys scroll)",
                    style="bold cyan",
                ),
                width,
            )
        )
    return out[:rows]


def _checklist(s: ScreenState, width: int, rows: int) -> list[Text]:
    if not s.checklist or rows < 2:
        return []
    by_id = {it["id"]: it for it in s.checklist}
    cells = []
    for key, item_id in s.keymap.items():
        it = by_id[item_id]
        mark = (
            "[green]✔[/]"
            if it.get("ticked_at") is not None
            else "[cyan]~[/]"
            if item_id in s.heard
            else "☐"
        )
        label = (it.get("label") or item_id).replace("[", "(")
        cells.append(f"[bold]{key}[/]{mark}{label}")
    ticked = sum(it.get("ticked_at") is not None for it in s.checklist)
    heard = f", {len(s.heard)} heard ~" if s.not_yet is not None else ""
    out = [
        _line(f"[bold]Checklist[/] [dim]({ticked} of {len(s.checklist)} ticked{heard})[/]", width)
    ]
    room = rows - 1
    ncol = 1
    while -(-len(cells) // ncol) > room and ncol < 4:
        ncol += 1
    per_col = -(-len(cells) // ncol)
    colw = max(8, (width - (ncol - 1)) // ncol)
    hidden = 0
    if per_col > room:  # even 4 columns do not fit: show what fits and say how many not
        hidden = len(cells) - (room * ncol - 1)
        cells = cells[: room * ncol - 1] + [f"[bold]+{hidden} more[/]"]
        per_col = room
    for r in range(per_col):
        row = Text()
        for c in range(ncol):
            i = c * per_col + r
            if i < len(cells):
                cell = Text.from_markup(cells[i])
                cell.truncate(colw - 1, overflow="ellipsis", pad=True)
                row.append_text(cell)
                row.append(" ")
        out.append(_line(row, width))
    return out


def _markers(s: ScreenState, width: int, rows: int) -> list[Text]:
    if rows < 2:
        return []
    marks = s.markers
    head = f"[bold]Markers[/] [dim]({len(marks)})[/]"
    shown = marks[-(rows - 1) :] if marks else []
    lines = [_line(head, width)]
    for m in shown:
        label = m.get("label") or "(no label)"
        lines.append(_line(Text(f"{clock(m['t'], hours=True)}  {label}"), width))
    if not marks:
        lines.append(_line(Text("none yet (press m)", style="dim"), width))
    return lines


def _live_line(s: ScreenState, width: int) -> list[Text]:
    """One line: what has not come up yet in the speech (steps first), or why nothing shows."""
    if s.live_note:
        return [_line(Text(s.live_note, style="dim"), width)]
    if s.not_yet is None:
        return []
    if not s.not_yet:
        return [_line("[bold green]Everything on the checklist has come up.[/]", width)]
    return [_line(Text.assemble(("Not yet: ", "bold yellow"), ", ".join(s.not_yet)), width)]


def _recording_body(s: ScreenState, width: int, rows: int) -> list[Text]:
    live = _live_line(s, width) if rows > 4 else []
    rows -= len(live)
    want_marks = min(len(s.markers), 4) + 1 if s.markers else 2
    mark_rows = min(want_marks, max(0, rows - 3)) if s.checklist else rows
    body = live + _checklist(s, width, rows - mark_rows)
    body += _markers(s, width, rows + len(live) - len(body))
    return body


def build(st: Status, s: ScreenState, width: int, height: int) -> Group:
    """The whole screen: exactly ``height`` lines (a short terminal keeps the frame and key
    help; only the body shrinks)."""
    width = max(20, width)
    body_rows = max(0, height - FIXED_LINES)
    lines = _top(st, s, width) + _messages(st, s, width) + [_prompt(s, width)]
    make_body = _recording_body if s.started else _purpose_body
    body = make_body(s, width, body_rows)
    body = body[:body_rows]
    body += [Text("")] * (body_rows - len(body))
    keys = _line(Text(_keys(st, s), style="reverse"), width)
    lines = (lines + body)[: max(0, height - 1)] + [keys]
    return Group(*lines)
