"""`journeytape transcribe --ray` on a real Ray cluster: two nodes on the loopback address.

The head node is `ray start --head` (1 CPU, dashboard off, usage stats off, its own 0700 temp
dir); the worker node is a second raylet (1 CPU) joining it. Both are bound to 127.0.0.1:
Ray binds its servers to the node's address, and on Linux only the switch in ``RAY_ENV``
lets that address be 127.0.0.1. `ray start --address` refuses to join a node under that
switch (it calls that a "Windows/OSX cluster"), so the worker node is started the way
`ray start` does it internally and Ray's own multi-node tests do (``ray._private.node.Node``).
Each node runs in its own process group, so the test can kill the worker node outright and
always stops exactly what it started, never with `ray stop` (which would stop every Ray on
the machine).
"""

from __future__ import annotations

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
from dataclasses import dataclass
from pathlib import Path
from secrets import token_hex

import pytest

from journeytape.transcribe.transcript import load_transcript

from .test_batch import FAST, cli, outputs

pytest.importorskip("ray", reason="Ray is the optional extra journeytape[ray] (in .[test])")

BIN = Path(sys.executable).parent
#: loopback only, no usage statistics, and a lost node declared dead in ~1.5 s, not ~30 s
RAY_ENV = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_health_check_initial_delay_ms": "0",
    "RAY_health_check_period_ms": "500",
    "RAY_health_check_timeout_ms": "500",
    "RAY_health_check_failure_threshold": "3",
}
NODE_MEMORY = 3 * 2**30
#: the worker node: what `ray start --address GCS --num-cpus 1` runs, minus its refusal
WORKER_NODE = """
import signal, sys
from ray._private.node import Node
from ray._private.parameter import RayParams
params = RayParams(
    gcs_address=sys.argv[1], node_ip_address="127.0.0.1", num_cpus=1, memory=int(sys.argv[2]),
    object_store_memory=150 * 2**20, include_log_monitor=False, node_manager_port=0,
    dashboard_agent_listen_port=None,
)
Node(params, head=False, shutdown_at_exit=True, spawn_reaper=True)
signal.sigwait({signal.SIGTERM})
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    address: str
    env: dict[str, str]
    worker: subprocess.Popen

    def nodes_alive(self) -> int:
        code = (
            f"import ray; ray.init(address={self.address!r}, logging_level='ERROR'); "
            "print(sum(n['Alive'] for n in ray.nodes()))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], env=self.env, capture_output=True, text=True, timeout=60
        )
        return int(out.stdout.split()[-1]) if out.returncode == 0 and out.stdout else 0

    def kill_worker_node(self) -> None:
        _kill_group(self.worker)


def _kill_group(proc: subprocess.Popen) -> None:
    """The node's starter and everything it started (raylet, workers, agents)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _spawn(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as fh:
        return subprocess.Popen(
            cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )


@pytest.fixture(scope="module")
def cluster():
    # a short private folder (0700): Ray's socket paths below it must fit in 107 bytes
    temp = Path(tempfile.mkdtemp(prefix="jt-ray-"))
    # token authentication with a token of this test's own: the nodes and the drivers have it
    # (from the environment, so nothing is read from or written to ~/.ray)
    env = {**os.environ, **RAY_ENV, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token_hex(32)}
    env.pop("RAY_AUTH_TOKEN_PATH", None)
    port = free_port()
    address = f"127.0.0.1:{port}"
    log = temp / "nodes.log"
    head = [
        str(BIN / "ray"), "start", "--head", "--block", "--disable-usage-stats",
        "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", "1",
        "--memory", str(NODE_MEMORY), "--object-store-memory", str(150 * 2**20),
        "--include-dashboard=false", "--ray-client-server-port", str(free_port()),
        "--dashboard-agent-listen-port", str(free_port()), "--temp-dir", str(temp),
    ]  # fmt: skip
    procs: list[subprocess.Popen] = []
    try:
        procs.append(_spawn(head, env, log))
        deadline = time.monotonic() + 90
        while not _listening(port):
            if time.monotonic() > deadline or procs[0].poll() is not None:
                pytest.fail("the head node did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.2)
        node = [sys.executable, "-c", WORKER_NODE, address, str(NODE_MEMORY)]
        worker = _spawn(node, env, log)
        procs.append(worker)
        c = Cluster(address, env, worker)
        while c.nodes_alive() < 2:
            if time.monotonic() > deadline or worker.poll() is not None:
                pytest.fail("the worker node did not join:\n" + log.read_text()[-3000:])
            time.sleep(1)
        yield c
    finally:
        for proc in reversed(procs):
            _kill_group(proc)
        shutil.rmtree(temp, ignore_errors=True)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def journeytape(env: dict[str, str], *args: str | Path, timeout: float = 300):
    """The CLI as its own process: a driver connects to the cluster the way a user's does."""
    proc = subprocess.run(
        [str(BIN / "journeytape"), "transcribe", *map(str, args), *FAST],
        env={**env, "COLUMNS": "300", "NO_COLOR": "1"},
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    return proc.returncode, proc.stdout + proc.stderr


def on_cluster(cluster: Cluster) -> list[str]:
    return ["--ray", "--ray-address", cluster.address, "--ray-cpus", "1"]


#: a local run that computes exactly like a 1-CPU worker: the thread count changes the order
#: of floating-point sums in CTranslate2/OpenBLAS, and with it probabilities and, rarely, a
#: word (tiny.en wrote "travelled" with 2 threads, "traveled" with 1). Ray gives a worker
#: OMP_NUM_THREADS = its CPUs, and the model as many threads.
LIKE_ONE_WORKER = {"OMP_NUM_THREADS": "1"}


def comparable(folder: Path, name: str) -> bytes:
    """An output without what legitimately differs between two runs: timings and the time
    the transcript was made (the JSON's ``created``, also printed in the .md)."""
    base = name.split(".")[0]
    tj = json.loads((folder / f"{base}.transcript.json").read_text("utf-8"))
    if name.endswith(".transcript.json"):
        tj.pop("timings"), tj.pop("created")
        return json.dumps(tj, sort_keys=True).encode()
    return (folder / name).read_bytes().replace(tj["created"].encode(), b"<created>")


@pytest.fixture()
def folder(tmp_path, en_wav, en_wav_2, bad_files) -> Path:
    d = tmp_path / "interviews"
    (d / "week1").mkdir(parents=True)
    shutil.copy(en_wav, d / "week1" / "anna.wav")
    shutil.copy(en_wav_2, d / "bram.wav")
    shutil.copy(bad_files["text"], d / bad_files["text"].name)  # a per-file error
    return d


@pytest.mark.slow
def test_cluster_run_writes_what_a_local_run_writes(cluster, folder, tmp_path):
    local, ray = tmp_path / "local", tmp_path / "ray"
    env = {**os.environ, **LIKE_ONE_WORKER}
    code, text = journeytape(env, folder, "--out", local, "--threads", "1")
    assert code == 1, text  # the text file fails, the batch goes on

    code, text = journeytape(cluster.env, folder, "--out", ray, *on_cluster(cluster))

    assert code == 1, text
    assert "2 done" in text and "1 failed" in text, text
    line = next(line for line in text.splitlines() if "notes_renamed.mp3" in line)
    assert "failed" in line and "text file" in line, line
    assert outputs(ray) == outputs(local) and "week1/anna.txt" in outputs(ray)
    for name in sorted(outputs(local)):
        assert comparable(ray, name) == comparable(local, name), name
        assert (ray / name).stat().st_mode & 0o077 == 0  # private, like every output
    assert load_transcript(ray / "bram.transcript.json").timings["total"] > 0

    # resume: the done files are skipped, only the failed one is tried again
    code, text = journeytape(cluster.env, folder, "--out", ray, *on_cluster(cluster))
    assert code == 1 and "2 skipped" in text and "1 failed" in text, text

    # the audio sent through Ray's object store instead of read from the shared path
    sent = tmp_path / "sent"
    code, text = journeytape(
        cluster.env, folder, "--out", sent, *on_cluster(cluster), "--ray-audio", "upload"
    )
    assert code == 1 and "2 done" in text, text
    assert outputs(sent) == outputs(local)
    for name in sorted(outputs(local)):
        assert comparable(sent, name) == comparable(local, name), name
    code, text = journeytape(
        cluster.env, folder, "--out", tmp_path / "small", *on_cluster(cluster),
        "--ray-audio", "upload", "--ray-upload-mb", "0", "--force",
    )  # fmt: skip
    assert code == 1 and "3 failed" in text and "--ray-upload-mb 0" in text, text


@pytest.mark.slow
def test_ctrl_c_stops_the_cluster_run_cleanly_and_it_resumes(cluster, tmp_path, long_folder):
    from journeytape.transcribe.ray_worker import UPLOAD_PREFIX

    uploads = Path(tempfile.gettempdir())  # the workers' temp folder: same machine
    before = set(uploads.glob(f"{UPLOAD_PREFIX}*"))
    out = tmp_path / "out"
    proc = start_driver(cluster, long_folder, out, "--ray-audio", "upload")
    try:
        wait_for_first_output(out)
        proc.send_signal(signal.SIGINT)
        text, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()

    assert proc.returncode == 130, text
    assert "Ctrl-C" in text and "run the same command again" in text, text
    done = sorted(out.glob("*.transcript.json"))
    assert 1 <= len(done) < 4, text
    for tj in done:  # everything on disk is complete
        load_transcript(tj)
        for suffix in (".txt", ".md", ".srt", ".vtt"):
            assert tj.with_name(tj.name.replace(".transcript.json", suffix)).is_file()
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    assert "not started" in text or "interrupted" in text, text
    if "did not stop within" not in text:  # the workers dropped their files in time
        assert set(uploads.glob(f"{UPLOAD_PREFIX}*")) <= before, text

    code, text = journeytape(cluster.env, long_folder, "--out", out, *on_cluster(cluster))
    assert code == 0 and f"{len(done)} skipped" in text and f"{4 - len(done)} done" in text, text
    # and whatever a stopped worker left, the next workers on the node removed
    assert set(uploads.glob(f"{UPLOAD_PREFIX}*")) <= before


@pytest.mark.slow
def test_workers_that_fit_nowhere_are_reported_and_ctrl_c_still_stops(cluster, tmp_path, en_wav):
    log = tmp_path / "driver.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [str(BIN / "journeytape"), "transcribe", str(en_wav), "--out", str(tmp_path),
             *FAST, *on_cluster(cluster), "--ray-memory", "1000"],
            env={**cluster.env, "COLUMNS": "300", "NO_COLOR": "1"}, stdout=fh,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "waiting for one to join" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert "no node of this cluster has 1 CPUs and 1000.0 GB" in text, text
    assert proc.returncode == 130 and "not started" in text, text
    assert not list(tmp_path.glob("*.transcript.json"))


@pytest.mark.slow
def test_settings_a_worker_cannot_use_stop_the_batch_before_any_work(cluster, tmp_path, en_wav):
    code, text = journeytape(
        cluster.env, en_wav, "--out", tmp_path, *on_cluster(cluster), "--language", "nl"
    )
    assert code == 2, text  # as locally: test_batch.test_bad_options_are_explained
    assert "error:" in text and "only knows English" in text, text
    assert not list(tmp_path.glob("*.transcript.json"))


@pytest.fixture()
def long_folder(tmp_path, en_wav, en_wav_2) -> Path:
    """Four 100 s recordings: long enough that when one worker's first file is written the
    other is in the middle of one (each takes ~6 s with tiny.en; with 25 s files, 1.4 s each
    on a quiet machine, the kill sometimes fell between two files and nothing was lost)."""
    d = tmp_path / "many"
    d.mkdir()
    long = tmp_path / "long.wav"
    subprocess.run(["sox", *[en_wav, en_wav_2] * 4, long], check=True)
    for i in range(4):
        shutil.copy(long, d / f"interview_{i}.wav")
    return d


def start_driver(cluster: Cluster, folder: Path, out: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "journeytape"), "transcribe", str(folder), "--out", str(out), *FAST,
         *on_cluster(cluster), *args],
        env={**cluster.env, "COLUMNS": "300", "NO_COLOR": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def wait_for_first_output(out: Path) -> None:
    deadline = time.monotonic() + 180
    while not list(out.glob("*.transcript.json")) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.slow
def test_worker_node_lost_mid_file_only_that_file_is_redone(cluster, tmp_path, long_folder):
    # last in this module: the cluster has one node left afterwards
    out = tmp_path / "out"
    proc = start_driver(cluster, long_folder, out)
    try:
        wait_for_first_output(out)  # one file is done: the other worker is in the middle of one
        cluster.kill_worker_node()
        text, _ = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()

    assert proc.returncode == 0, text
    assert "a Ray worker was lost while transcribing" in text, text
    assert text.count("retrying that file") == 1, text
    assert "4 done" in text, text
    made = list(out.glob("*.transcript.json"))
    texts = {load_transcript(tj).text for tj in made}
    assert len(made) == 4 and len(texts) == 1, texts  # four copies of one recording
    assert cluster.nodes_alive() == 1


def test_without_ray_the_option_says_how_to_get_it(monkeypatch, en_wav):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    code, text = cli(en_wav, *FAST, "--ray")
    assert code == 2, text
    assert "pip install 'journeytape[ray]'" in text
    assert not list(en_wav.parent.glob("*.transcript.json"))


def test_an_address_where_no_cluster_answers_fails_fast(en_wav):
    t0 = time.monotonic()
    code, text = cli(en_wav, *FAST, "--ray", "--ray-address", f"127.0.0.1:{free_port()}")
    assert code == 2, text
    assert "no Ray cluster answers" in text and "ray start --head" in text, text
    assert time.monotonic() - t0 < 30  # Ray alone retries for minutes
    assert not list(en_wav.parent.glob("*.transcript.json"))
