"""Live checklist coverage while recording: its CPU cost, how late items show, and whether it
disturbs a writer that must wake every 100 ms.

Replays ``sample_audio/interview_en.m4a`` (68 s) in real time into a ``.part`` file the way
the recorder's writer does (a block every 100 ms, header synced every second) and runs the
real live-coverage child process (``journeytape.recorder.live_coverage``, tiny.en, nice 19,
one thread) against it. Reports CPU seconds per audio second, skipped audio, when each item
and step showed (seconds after its chunk was written), and the writer's wake-up lateness
(p99/max). Baseline, measured in the same run: the same writer for the same time *without*
the child.

    python -m bench live_coverage
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_audio" / "interview_en.m4a"
BLOCK = 0.1


def _writer(pcm: np.ndarray, part: Path) -> list[float]:
    """Write ``pcm`` (int16, 16 kHz) in real time; return how late each wake-up was (s)."""
    from journeytape.recorder.wavfile import WavFormat, WavWriter

    w = WavWriter(part, WavFormat(16000, 1))
    n = int(16000 * BLOCK)
    late: list[float] = []
    t0 = time.monotonic()
    for k, i in enumerate(range(0, len(pcm), n)):
        due = t0 + k * BLOCK
        now = time.monotonic()
        if now < due:
            time.sleep(due - now)
        late.append(max(0.0, time.monotonic() - due))
        w.write(pcm[i : i + n].tobytes())
        if k % 10 == 0:
            w.sync()
    w.close()
    return late


def _pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs) * 1000, q)) if xs else 0.0


def main(argv: list[str]) -> int:
    from journeytape.guide import example_guide_path, load_guide
    from journeytape.recorder.live_coverage import checklist_patterns
    from journeytape.transcribe.audio import decode

    pcm = (np.clip(decode(SAMPLE).samples, -1, 1) * 32767).astype("<i2")
    seconds = len(pcm) / 16000
    with tempfile.TemporaryDirectory() as tmp:
        base_late = _writer(pcm, Path(tmp) / "baseline.part")
        part = Path(tmp) / "recording.wav.part"
        cfg = {
            "part": str(part),
            "rate": 16000,
            "channels": 1,
            "model": "tiny.en",
            "language": "en",
            "items": checklist_patterns(load_guide(example_guide_path()), "en"),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "journeytape.recorder.live_coverage"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        proc.stdin.write(json.dumps(cfg) + "\n")
        proc.stdin.flush()
        events: list[tuple[float, dict]] = []
        t0 = time.monotonic()

        def read() -> None:
            for line in proc.stdout:
                events.append((time.monotonic() - t0, json.loads(line)))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        late = _writer(pcm, part)
        time.sleep(8)  # the last chunk
        proc.stdin.close()
        proc.wait(20)
        reader.join(5)
    stats = next((e["stats"] for _, e in reversed(events) if "stats" in e), {})
    print(f"audio {seconds:.1f} s replayed in real time; live coverage with tiny.en, 1 thread")
    print(
        f"  transcribed {stats.get('audio_s', 0):.1f} s of audio in {stats.get('chunks', 0)} "
        f"chunks (5 s overlap), skipped {stats.get('skipped_s', 0):.1f} s"
    )
    cpu = stats.get("cpu_s", 0.0)
    print(f"  CPU {cpu:.2f} s = {cpu / seconds:.3f} CPU-s per second of recording")
    for wall, e in events:
        if "heard" in e or "step" in e:
            what = e.get("heard") or "step:" + e["step"]
            print(
                f"  {what:<22} at {e['t']:5.1f} s of audio, shown {wall:5.1f} s into the replay "
                f"({wall - e['t']:4.1f} s later)"
            )
    print("writer wake-up lateness (ms)       p50     p99     max")
    print(
        f"  baseline (no live coverage)  {_pct(base_late, 50):7.2f} {_pct(base_late, 99):7.2f} "
        f"{max(base_late) * 1000:7.2f}"
    )
    print(
        f"  with live coverage           {_pct(late, 50):7.2f} {_pct(late, 99):7.2f} "
        f"{max(late) * 1000:7.2f}"
    )
    ready = next((w for w, e in events if "ready" in e), 0.0)
    after = late[int(ready / BLOCK) + 1 :]
    if after:
        print(
            f"  … once the model was loaded  {_pct(after, 50):7.2f} {_pct(after, 99):7.2f} "
            f"{max(after) * 1000:7.2f}   (loaded {ready:.1f} s into the replay)"
        )
    print("(lateness is mostly the machine's other load: compare the two rows, not the numbers)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
