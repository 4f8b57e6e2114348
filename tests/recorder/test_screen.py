"""The live screen rendered at 80x24 and 120x40 for every state: what must stay visible (the
key help, the output path, the marker label being typed, the stop confirmation, a message in
the fixed message area) and that the purpose text can be read in full before recording."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from journeytape.recorder.capture import Status
from journeytape.recorder.screen import ScreenState, build, purpose_lines

SIZES = [(80, 24), (120, 40)]
PATH = "/home/researcher/projects/it-help/sessions/2026-11-30_P05/recording.wav.part"
LONG_PURPOSE = "\n".join(
    f"Paragraph {i}: we want to understand how employees experience getting help from IT, "
    f"so that we can improve the service desk (line {i})."
    for i in range(1, 13)
)


def _checklist(n: int = 20) -> tuple[list[dict], dict[str, str]]:
    keys = "1234567890abdefghijklnortuvwxyz"
    items = [
        {
            "id": f"item{i}",
            "kind": "touchpoint",
            "label": f"Touchpoint number {i}",
            "ticked_at": None,
        }
        for i in range(n)
    ]
    items[3]["ticked_at"] = 12.0
    return items, {keys[i]: it["id"] for i, it in enumerate(items)}


def _status(**kw) -> Status:
    base = dict(
        state="recording",
        seconds=75.4,
        peak_db=-20.0,
        rms_db=-30.0,
        clipping=False,
        no_signal=False,
        free_bytes=2**30,
        seconds_left=3 * 3600,
        input_overflows=0,
        dropped_frames=0,
        gaps=0,
        messages=[],
    )
    base.update(kw)
    return Status(**base)


def _render(st: Status, scr: ScreenState, width: int, height: int) -> list[str]:
    console = Console(
        width=width, height=height, record=True, color_system=None, file=io.StringIO()
    )
    console.print(build(st, scr, width, height))
    lines = console.export_text().rstrip("\n").split("\n")
    print("\n".join(lines))  # shown with -s, and on failure
    return lines


def _busy_screen(**kw) -> ScreenState:
    items, keymap = _checklist()
    scr = ScreenState(
        path=PATH,
        started=True,
        checklist=items,
        keymap=keymap,
        markers=[{"t": 10.0 * i, "label": f"marker number {i}"} for i in range(6)],
    )
    for k, v in kw.items():
        setattr(scr, k, v)
    return scr


@pytest.mark.parametrize("size", SIZES)
def test_recording_screen_keeps_everything_visible(size):
    """The issue's worst case: many markers and a two-line warning while a label is typed."""
    width, height = size
    warning = (
        "Microphone 'pulse' stopped delivering audio at 0:01:15 into the recording. The "
        "recording so far is saved; trying to reopen it…"
    )
    st = _status(messages=[warning], seconds_left=18, clipping=True)
    lines = _render(st, _busy_screen(label_buf="peak mom", disk_low=True), width, height)
    text = "\n".join(lines)
    assert len(lines) == height and all(len(x) <= width for x in lines)
    assert lines[-1].startswith("Enter save marker · Esc cancel marker")
    assert "Marker label: peak mom" in text
    assert "2026-11-30_P05/recording.wav.part" in text  # where the audio is saved
    assert "disk   18 s left" in text and "0 min" not in text
    assert "Disk nearly full" in text and "CLIPPING" in text
    assert "Checklist (1 of 20 ticked)" in text
    assert "marker number 5" in text  # the newest marker
    # every checklist item is on screen, at least by its key and first letters
    for key in "1234567890abdefghijk":
        assert any(f"{key}☐Touch" in x or f"{key}✔Touch" in x for x in lines), key


@pytest.mark.parametrize("size", SIZES)
def test_stop_confirmation_and_key_help(size):
    width, height = size
    lines = _render(_status(), _busy_screen(confirm_stop=True), width, height)
    assert any("Press s again within 3 s to stop" in x for x in lines)
    assert lines[-1].startswith("space pause · m marker · 1…k tick") and "s s stop" in lines[-1]


@pytest.mark.parametrize("size", SIZES)
def test_device_lost_shows_no_level_and_a_lasting_message(size):
    width, height = size
    st = _status(state="device-lost", peak_db=-12.0, gaps=1, messages=[])
    lines = _render(st, _busy_screen(), width, height)
    text = "\n".join(lines)
    assert "MICROPHONE LOST" in text and "no audio: the microphone is gone" in text
    assert "dBFS" not in text  # the frozen last level is not shown as if it were live
    assert "Microphone lost: the audio so far is saved" in text  # even with no recent message
    assert "0 frames, 1 gap" in text


@pytest.mark.parametrize("size", SIZES)
def test_ready_screen_shows_the_purpose_text_and_scrolls_through_all_of_it(size):
    width, height = size
    scr = ScreenState(path=PATH, purpose=LONG_PURPOSE)
    wanted = purpose_lines(LONG_PURPOSE, width)
    seen: set[str] = set()
    for scroll in range(0, len(wanted) + 5):
        scr.purpose_scroll = scroll
        lines = _render(_status(state="ready", seconds=0.0), scr, width, height)
        assert len(lines) == height
        assert "READY (not recording)" in lines[0]
        assert any("press SPACE to record" in x for x in lines)
        assert lines[-1].startswith("SPACE start recording · ↑/↓ scroll")
        seen |= {x.rstrip() for x in lines}
    missing = [x for x in wanted if x.rstrip() not in seen]
    assert not missing, missing
    if height == 24:  # too long for 24 lines: the screen says there is more
        scr.purpose_scroll = 0
        lines = _render(_status(state="ready"), scr, width, height)
        assert any("more lines (arrow keys scroll)" in x for x in lines)


def test_a_tiny_terminal_still_shows_the_key_help_and_the_path():
    lines = _render(_status(), _busy_screen(label_buf="x"), 60, 12)
    assert len(lines) == 12 and lines[-1].startswith("Enter save marker")
    assert any("recording.wav.part" in x for x in lines)


@pytest.mark.parametrize("size", SIZES)
def test_live_coverage_shows_what_has_not_come_up(size):
    width, height = size
    scr = _busy_screen(
        heard={"item0": 5.0, "item5": 9.0},
        not_yet=["goal asked", "overall score", "Touchpoint number 1"],
    )
    lines = _render(_status(), scr, width, height)
    text = "\n".join(lines)
    assert "Not yet: goal asked, overall score, Touchpoint number 1" in text
    assert "1~Touch" in text and "6~Touch" in text and "4✔Touch" in text  # heard / ticked
    assert "2 heard ~" in text
    assert lines[-1].startswith("space pause")  # the key help still fits
    scr.live_note = "live coverage off: model 'tiny.en' not available"
    assert any("live coverage off" in x for x in _render(_status(), scr, width, height))


def test_plain_status_line_says_what_it_means():
    from journeytape.recorder.tui import status_line

    lost = status_line(_status(state="device-lost", peak_db=-12.0, seconds_left=18))
    assert "level no input" in lost and "dBFS" not in lost  # no frozen level
    assert "disk 18 s left" in lost  # not "0 min"
    assert "level  -12.0 dBFS" in status_line(_status(peak_db=-12.0))
