"""Throughput of `transcribe --ray` on a one-machine cluster vs one local process.

    .venv/bin/python -m bench.ray [--files 20] [--model base] [--diarize] [--cpus 2]

Makes ``--files`` different English recordings (~19 s each, espeak-ng, two voices), then
transcribes them three ways, one after the other, each as the command a user runs:

1. ``local``: one process, ``--threads 0`` (all cores);
2. ``ray 1x{cpus}``: a local Ray cluster (head node only, ``--cpus`` CPUs, loopback, private
   temp dir) with one worker of ``--cpus`` CPUs: the local run's arithmetic, through Ray;
3. ``ray {cpus}x1``: the same cluster with ``--cpus`` workers of 1 CPU: files in parallel.

Prints wall time, audio seconds per wall second and the mean per-file processing time, and
whether run 2 wrote the same outputs as run 1 (timings and creation time aside). The cluster
is stopped by its process group whatever happens. Needs the ``ray`` extra.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TEXTS = [
    "Last week I travelled by train to visit my sister. The ticket was expensive and the "
    "train was very late.",
    "The waiting room was cold and nobody told us what was happening. After a long time a "
    "friendly nurse brought us coffee and explained the delay.",
    "I called the service desk three times before anyone answered. The second person "
    "finally reset my password and the laptop worked again.",
    "Ordering online was easy, but the delivery came two days late and the box was "
    "damaged. Nobody replied to my email about it.",
    "At the bank the advisor was patient and explained every form. I left feeling that "
    "someone had actually listened to me.",
]
VOICES = ["en-us", "en-us+f3", "en-gb", "en-us+m3"]
ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}


def make_recordings(folder: Path, n: int) -> float:
    """``n`` different ~19 s recordings; returns their total duration in seconds."""
    parts = folder / "parts"
    parts.mkdir()
    total = 0.0
    for i in range(n):
        pieces = []
        for k in range(2):
            text = TEXTS[(i + k) % len(TEXTS)]
            voice = VOICES[(i + 2 * k) % len(VOICES)]
            p = parts / f"{i}_{k}.wav"
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", str(140 + 5 * (i % 4)), "-w", str(p), text],
                check=True,
            )
            pieces.append(str(p))
        out = folder / "in" / f"interview_{i:02d}.wav"
        out.parent.mkdir(exist_ok=True)
        subprocess.run(["sox", *pieces, str(out)], check=True)
        info = subprocess.run(["soxi", "-D", str(out)], capture_output=True, text=True)
        total += float(info.stdout)
    shutil.rmtree(parts)
    return total


def transcribe(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "journeytape"), "transcribe", *args, "-q"],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"journeytape failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return time.perf_counter() - t0


def per_file_seconds(out: Path) -> list[float]:
    return [
        json.loads(p.read_text("utf-8"))["timings"]["total"]
        for p in sorted(out.glob("*.transcript.json"))
    ]


def same_outputs(a: Path, b: Path) -> tuple[int, int]:
    """(identical files, files) between two output folders, timings and creation time aside."""
    same = n = 0
    for pa in sorted(a.iterdir()):
        pb = b / pa.name
        n += 1
        base = pa.name.split(".")[0]
        ca = json.loads((a / f"{base}.transcript.json").read_text("utf-8"))["created"]
        cb = json.loads((b / f"{base}.transcript.json").read_text("utf-8"))["created"]
        if pa.name.endswith(".transcript.json"):
            da, db = json.loads(pa.read_text("utf-8")), json.loads(pb.read_text("utf-8"))
            for d in (da, db):
                d.pop("timings"), d.pop("created")
            same += da == db
        else:
            same += pa.read_text("utf-8").replace(ca, "") == pb.read_text("utf-8").replace(cb, "")
    return same, n


@contextlib.contextmanager
def local_cluster(cpus: int, temp: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, **ENV}
    log = open(temp / "ray.log", "ab")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(BIN / "ray"), "start", "--head", "--block", "--disable-usage-stats",
         "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", str(cpus),
         "--include-dashboard=false", "--temp-dir", str(temp / "ray")],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        time.sleep(3)  # the raylet registers after the GCS listens
        yield f"127.0.0.1:{port}", env
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--model", default="base")
    ap.add_argument("--diarize", action="store_true")
    ap.add_argument("--cpus", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args(argv)
    temp = Path(tempfile.mkdtemp(prefix="jt-bench-ray-"))
    try:
        audio = make_recordings(temp, a.files)
        common = ["--model", a.model, "--diarize" if a.diarize else "--no-diarize"]
        src = temp / "in"
        rows = []
        wall = transcribe([str(src), "--out", str(temp / "local"), *common], dict(os.environ))
        rows.append(("local, 1 process", wall, per_file_seconds(temp / "local")))
        with local_cluster(a.cpus, temp) as (address, env):
            ray = ["--ray", "--ray-address", address]
            for workers, cpus in ((1, a.cpus), (a.cpus, 1)):
                out = temp / f"ray{workers}x{cpus}"
                run = [str(src), "--out", str(out), *common, *ray, "--ray-cpus", str(cpus)]
                wall = transcribe(run, env)
                rows.append((f"ray {workers}x{cpus} CPU", wall, per_file_seconds(out)))
        print(f"{a.files} files, {audio:.0f} s of audio, model {a.model}, "
              f"diarization {'on' if a.diarize else 'off'}, {a.cpus} CPUs")  # fmt: skip
        print(f"{'run':<20} {'wall s':>8} {'x real time':>12} {'per file s':>11}")
        for name, wall, per in rows:
            mean = sum(per) / len(per)
            print(f"{name:<20} {wall:8.1f} {audio / wall:12.2f} {mean:11.2f}")
        same, n = same_outputs(temp / "local", temp / f"ray1x{a.cpus}")
        print(f"ray 1x{a.cpus} vs local: {same} of {n} output files identical")
        same, n = same_outputs(temp / "local", temp / f"ray{a.cpus}x1")
        print(f"ray {a.cpus}x1 vs local: {same} of {n} output files identical "
              "(1 thread per worker: other float sums)")  # fmt: skip
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
