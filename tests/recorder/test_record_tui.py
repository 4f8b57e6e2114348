"""The real live screen in an 80x24 terminal (tmux), driven by keys on the virtual microphone:
what the interviewer sees in each state, captured with ``tmux capture-pane``."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

pytestmark = [pytest.mark.mic, pytest.mark.timeout(150)]


class Tmux:
    """One private tmux server (own socket) running one command in an 80x24 window."""

    def __init__(self, socket, env, width=80, height=24):
        self.base = ["tmux", "-S", str(socket), "-f", "/dev/null"]
        self.env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
        self.env["TERM"] = "xterm-256color"
        self.size = (width, height)

    def start(self, cmd: list[str]) -> None:
        w, h = self.size
        subprocess.run(
            [*self.base, "new-session", "-d", "-s", "rec", "-x", str(w), "-y", str(h), *cmd],
            env=self.env,
            check=True,
            timeout=20,
        )
        subprocess.run([*self.base, "set-option", "-t", "rec", "remain-on-exit", "on"], check=True)

    def keys(self, *keys: str, wait: float = 0.4) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "rec", *keys], check=True, timeout=10)
        time.sleep(wait)

    def screen(self) -> list[str]:
        r = subprocess.run(
            [*self.base, "capture-pane", "-p", "-t", "rec"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return r.stdout.rstrip("\n").split("\n")

    def wait_for(self, text: str, timeout: float = 20.0) -> list[str]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            lines = self.screen()
            if any(text in x for x in lines):
                return lines
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not on screen:\n" + "\n".join(self.screen()))

    def dead(self) -> bool:
        r = subprocess.run(
            [*self.base, "display-message", "-p", "-t", "rec", "#{pane_dead}"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return r.stdout.strip() == "1"

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10)


def test_live_screen_at_80x24(virtual_mic, audio_tools, tmp_path):
    if not shutil.which("tmux"):
        pytest.skip("tmux is not installed")
    from journeytape import guide as guide_mod

    guide = guide_mod.example_guide_path()
    root = tmp_path / "s"
    tm = Tmux(tmp_path / "tmux.sock", virtual_mic.env)
    cmd = [*audio_tools.cmd(), "record", "--out", str(root), "--guide", str(guide)]
    tm.start([*cmd, "--rate", "16000"])
    shots: dict[str, list[str]] = {}
    try:
        tm.wait_for("pseudonym")
        for answer in ("P05", "y", "y", "yes"):
            tm.keys(answer, "Enter")
        shots["ready"] = tm.wait_for("READY (not recording)")
        tm.keys("Space", wait=1.5)
        shots["rec"] = tm.wait_for("● REC")
        tm.keys("m")
        tm.keys("-l", "peak moment")
        shots["label"] = tm.screen()
        tm.keys("Enter")
        tm.keys("m")
        tm.keys("-l", "oops")
        tm.keys("Escape")  # cancelled: this marker must not be saved
        tm.keys("1")
        tm.keys("s")
        shots["confirm"] = tm.screen()
        tm.keys("s", wait=1.0)
        end = time.monotonic() + 30
        while not tm.dead() and time.monotonic() < end:
            time.sleep(0.2)
        shots["after"] = tm.screen()
    finally:
        for name, lines in shots.items():
            print(f"--- {name}\n" + "\n".join(lines))
        tm.kill()
    for name in ("ready", "rec", "label", "confirm"):
        lines = shots[name]
        assert len(lines) <= 24 and all(len(x) <= 80 for x in lines), name
        assert any("recording.wav.part" in x for x in lines), name  # where it is saved
    ready = "\n".join(shots["ready"])
    assert "Purpose text (read it out)" in ready and "press SPACE to record" in ready
    # the guide's whole purpose text is on the READY screen, first line to last
    assert "Getting IT help at work" in ready and "for two years." in ready
    assert shots["ready"][-1].startswith("SPACE start recording")
    assert shots["rec"][-1].strip().startswith("space pause · m marker")
    assert "Checklist (0 of 20 ticked" in "\n".join(shots["rec"])
    assert any("Marker label: peak moment" in x for x in shots["label"])
    assert shots["label"][-1].startswith("Enter save marker · Esc cancel marker")
    assert any("Press s again within 3 s to stop" in x for x in shots["confirm"])
    assert any("Checklist (1 of 20 ticked" in x for x in shots["confirm"])
    # live coverage is on with a guide: what has not come up yet is on screen
    assert any(x.startswith(("Not yet: goal asked", "live coverage")) for x in shots["confirm"])
    after = " ".join(" ".join(shots["after"]).split())
    assert "Saved" in after and "Next: journeytape transcribe" in after
    folder = audio_tools.folder(root)
    sess = json.loads((folder / "session.json").read_text())
    assert sess["status"] == "closed" and sess["stopped_by"] == "user"
    assert [m["label"] for m in sess["markers"]] == ["peak moment"]
    assert [c["id"] for c in sess["checklist"] if c["ticked_at"] is not None] == ["email"]
