"""Fixtures for the review area: a folder of real transcripts and annotations with real audio.

Until the transcriber and annotator produce outputs, the interviews are built here as valid
``Transcript``/``Annotations`` objects (saved with the contract's own writers, so they pass
its JSON schemas) over speech synthesised with espeak-ng: every segment is spoken on its own,
so its start and end times in the concatenated recording are known exactly.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import wave
from pathlib import Path

import pytest

from journeytape.annotate.annotations import (
    Annotations,
    CoverageItem,
    Tag,
    save_annotations,
    tag_id,
)
from journeytape.files import sha256_file
from journeytape.review.store import locate_words
from journeytape.transcribe.transcript import (
    Recording,
    Segment,
    Speaker,
    Transcript,
    Word,
    save_transcript,
)

RATE = 16000
GAP = 0.35  # seconds of silence between segments

#: (speaker, text, spoken text or None); the <script> line is shown, never spoken
EN = [
    ("SPEAKER_00", "How did you get your laptop on the first day?", None),
    ("SPEAKER_01", "I called the service desk, but the portal was really frustrating.", None),
    ("SPEAKER_01", "Honestly I was not really happy. I would give it six out of ten.", None),
    ("SPEAKER_00", "And when was your account activated?", None),
    (
        "SPEAKER_01",
        "After three weeks, I expected two days. <script>alert('x')</script> Later the "
        "colleague helped me.",
        "After three weeks, I expected two days. Later the colleague helped me.",
    ),
]
NL = [
    ("SPEAKER_00", "Hoe ging het met de servicedesk?", None),
    ("SPEAKER_01", "Het portaal was frustrerend, ik geef het een zesje.", None),
]
PLAIN = [
    ("SPEAKER_00", "This interview was only transcribed.", None),
    ("SPEAKER_01", "Nobody tagged it yet.", None),
]


def _speak(text: str, voice: str, out: Path) -> list[int]:
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "165", "-w", str(out), text],
        check=True,
        capture_output=True,
    )
    with wave.open(str(out), "rb") as w:
        rate = w.getframerate()
        frames = w.readframes(w.getnframes())
    import numpy as np

    pcm = np.frombuffer(frames, dtype=np.int16)
    if rate != RATE:  # espeak-ng speaks at 22050 Hz: resample linearly, plenty for tests
        n = int(len(pcm) * RATE / rate)
        pcm = np.interp(np.linspace(0, len(pcm) - 1, n), np.arange(len(pcm)), pcm).astype(np.int16)
    return pcm.tolist()


def _words(text: str, start: float, end: float) -> list[Word]:
    """Word timestamps spread over the segment by character count (Whisper-style leading
    spaces), good enough to test that playback follows the text."""
    tokens = text.split()
    total = sum(len(t) + 1 for t in tokens)
    out, t = [], start
    for tok in tokens:
        d = (end - start) * (len(tok) + 1) / total
        out.append(Word(round(t, 3), round(t + d, 3), " " + tok, 0.9))
        t += d
    return out


def build_interview(folder: Path, name: str, lines, language: str, voices: dict[str, str]):
    """Write ``<name>.wav`` and ``<name>.transcript.json``; return the Transcript."""
    import numpy as np

    tmp = folder / f".{name}.tmp.wav"
    pcm: list[int] = []
    segments = []
    for i, (spk, text, spoken) in enumerate(lines):
        start = len(pcm) / RATE
        pcm += _speak(spoken or text, voices[spk], tmp)
        end = len(pcm) / RATE
        segments.append(
            Segment(
                i,
                round(start, 3),
                round(end, 3),
                text,
                spk,
                _words(text, start, end),
                avg_logprob=-0.2,
            )
        )
        pcm += [0] * int(GAP * RATE)
    tmp.unlink()
    audio = (folder / f"{name}.wav").resolve()
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.asarray(pcm, dtype=np.int16).tobytes())
    duration = len(pcm) / RATE
    talk = {}
    for s in segments:
        talk[s.speaker] = talk.get(s.speaker, 0.0) + s.end - s.start
    t = Transcript(
        recording=Recording(
            str(audio), sha256_file(audio), duration, RATE, 1, audio.stat().st_size, "wav"
        ),
        language=language,
        language_probability=0.99,
        segments=segments,
        speakers=[
            Speaker("SPEAKER_00", "Interviewer", "interviewer", "test", 1.0, talk["SPEAKER_00"]),
            Speaker("SPEAKER_01", "Respondent", "respondent", "test", 1.0, talk["SPEAKER_01"]),
        ],
        models={"asr": {"name": "espeak-fixture"}, "diarization": None},
        settings={},
        settings_key="fixture",
        timings={"total": 0.0},
        created="2026-11-25T08:00:00Z",
    )
    save_transcript(t, folder / f"{name}.transcript.json")
    return t


def make_tag(t: Transcript, seg_id: int, phrase: str, label: str, value, attrs=None, conf=0.9):
    seg = t.segments[seg_id]
    start_char = seg.text.index(phrase)
    end_char = start_char + len(phrase)
    spans = locate_words(seg.text, seg.words)
    words = [
        w for w, sp in zip(seg.words, spans, strict=True) if sp[3] < end_char and sp[4] > start_char
    ]
    role = {"SPEAKER_00": "interviewer", "SPEAKER_01": "respondent"}[seg.speaker]
    return Tag(
        id=tag_id(label, seg_id, start_char, end_char, value),
        label=label,
        value=value,
        segment_id=seg_id,
        start_char=start_char,
        end_char=end_char,
        text=phrase,
        start=words[0].start,
        end=words[-1].end,
        speaker=seg.speaker,
        role=role,
        rule=f"test:{label.lower()}",
        confidence=conf,
        attrs=attrs or {},
    )


def en_tags(t: Transcript) -> list[Tag]:
    return [
        make_tag(t, 0, "laptop", "TOUCHPOINT", "laptop_delivered"),
        make_tag(t, 1, "service desk", "CHANNEL", "service_desk"),
        make_tag(t, 1, "portal", "CHANNEL", "portal"),
        make_tag(
            t,
            1,
            "really frustrating",
            "EMOTION",
            "frustration",
            {"polarity": -0.8, "intensity": 0.8, "negated": False, "emotion": "frustration"},
        ),
        make_tag(
            t,
            2,
            "not really happy",
            "EMOTION",
            "happy",
            {"polarity": -0.3, "intensity": 0.4, "negated": True, "emotion": "joy"},
        ),
        make_tag(
            t,
            2,
            "six out of ten",
            "SCORE",
            "6.0",
            {"raw": "six out of ten", "scale": "0-10", "score_0_10": 6.0, "scope": "overall"},
        ),
        make_tag(t, 3, "account activated", "TOUCHPOINT", "account_activated"),
        make_tag(
            t,
            4,
            "After three weeks, I expected two days",
            "EXPECTATION",
            "too slow",
            {"expected": "two days", "actual": "three weeks", "met": False},
        ),
        make_tag(t, 4, "colleague", "CHANNEL", "colleague", conf=0.6),
    ]


def coverage(tags: list[Tag], items) -> list[CoverageItem]:
    out = []
    for item, kind, label in items:
        hits = [x for x in tags if x.value == item]
        out.append(
            CoverageItem(
                item,
                kind,
                label,
                bool(hits),
                len(hits),
                min((x.start for x in hits), default=None),
                [x.id for x in hits],
            )
        )
    return out


CHECKLIST = [
    ("service_desk", "channel", "service desk"),
    ("portal", "channel", "self-service portal"),
    ("colleague", "channel", "skilled colleague"),
    ("intranet", "channel", "intranet"),
    ("laptop_delivered", "touchpoint", "laptop delivered"),
    ("account_activated", "touchpoint", "account activated"),
]


def write_annotations(folder: Path, name: str, t: Transcript, tags: list[Tag]) -> Annotations:
    tpath = folder / f"{name}.transcript.json"
    a = Annotations(
        transcript={
            "path": str(tpath),
            "sha256": sha256_file(tpath),
            "recording_sha256": t.recording.sha256,
        },
        guide={"path": "guide.yaml", "sha256": "0" * 64, "journey": "onboarding"},
        language=t.language,
        pipeline={"name": "test", "version": None, "kind": "blank+lookups", "components": []},
        tags=tags,
        coverage=coverage(tags, CHECKLIST),
        created="2026-11-25T08:00:00Z",
    )
    save_annotations(a, folder / f"{name}.annotations.json")
    return a


def build_folder(folder: Path) -> Path:
    en = build_interview(
        folder, "onboarding_en", EN, "en", {"SPEAKER_00": "en-us+m3", "SPEAKER_01": "en-us+f3"}
    )
    write_annotations(folder, "onboarding_en", en, en_tags(en))
    nl = build_interview(
        folder, "laptop_nl", NL, "nl", {"SPEAKER_00": "nl+m3", "SPEAKER_01": "nl+f3"}
    )
    write_annotations(
        folder,
        "laptop_nl",
        nl,
        [
            make_tag(nl, 0, "servicedesk", "CHANNEL", "service_desk"),
            make_tag(nl, 1, "portaal", "CHANNEL", "portal"),
            make_tag(
                nl,
                1,
                "frustrerend",
                "EMOTION",
                "frustration",
                {"polarity": -0.7, "intensity": 0.7, "negated": False, "emotion": "frustration"},
            ),
            make_tag(nl, 1, "een zesje", "SCORE", "6.0", {"raw": "een zesje", "score_0_10": 6.0}),
        ],
    )
    sub = folder / "later"
    sub.mkdir()
    build_interview(sub, "only_transcribed", PLAIN, "en", {"SPEAKER_00": "en", "SPEAKER_01": "en"})
    return folder


@pytest.fixture(scope="session")
def _template(tmp_path_factory) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    return build_folder(tmp_path_factory.mktemp("review-template"))


def copy_folder(template: Path, dst: Path) -> Path:
    """Copy the interviews; point each transcript at its own audio copy (as the transcriber
    would have) and keep the annotations linked to their transcript by hash."""
    from journeytape.annotate.annotations import load_annotations
    from journeytape.transcribe.transcript import load_transcript

    shutil.copytree(template, dst)
    for tpath in dst.rglob("*.transcript.json"):
        t = load_transcript(tpath)
        t.recording.path = str(tpath.parent / Path(t.recording.path).name)
        save_transcript(t, tpath)
    for apath in dst.rglob("*.annotations.json"):
        a = load_annotations(apath)
        tpath = apath.with_name(apath.name.replace(".annotations.json", ".transcript.json"))
        a.transcript["path"] = str(tpath)
        a.transcript["sha256"] = sha256_file(tpath)
        save_annotations(a, apath)
    return dst


@pytest.fixture
def folder(_template, tmp_path) -> Path:
    """A fresh copy of the interview folder for each test (decisions do not leak)."""
    return copy_folder(_template, tmp_path / "interviews")


@pytest.fixture
def ws(folder):
    """A scanned workspace over a fresh copy of the folder; decisions are alice's."""
    from journeytape.review.store import Workspace

    with Workspace(folder, "alice") as w:
        w.scan()
        yield w


@pytest.fixture(scope="session")
def builders():
    """The fixture builders, for tests that re-annotate (conftest is not importable under
    pytest's importlib mode)."""
    import types

    return types.SimpleNamespace(
        make_tag=make_tag, en_tags=en_tags, write_annotations=write_annotations
    )


# -- a real browser: the system chromium driven by the system chromedriver ----------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
BROWSER_TOKEN = "browser-test-token-42"


@pytest.fixture(scope="module")
def served(_template, tmp_path_factory):
    """The review app on 127.0.0.1 (free port) in a thread, over its own interview folder."""
    import threading

    from werkzeug.serving import make_server

    from journeytape.review.app import create_app

    folder = copy_folder(_template, tmp_path_factory.mktemp("browser") / "interviews")
    app = create_app(folder, token=BROWSER_TOKEN, reviewer="default-reviewer")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    import types

    yield types.SimpleNamespace(
        url=f"http://127.0.0.1:{server.server_port}", folder=folder, token=BROWSER_TOKEN
    )
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    """Headless Chromium from Debian's packages (never a downloaded browser)."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(
            "needs Debian's chromium and chromium-driver (apt-get install chromium "
            "chromium-driver; `make test` installs them)"
        )
    from selenium import webdriver  # in .[test]
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1300,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        opts.add_argument(arg)
    d = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    d.set_page_load_timeout(30)
    yield d
    d.quit()


def wait(predicate, timeout=8.0, what="condition"):
    """Poll until ``predicate()`` is truthy; the page re-renders segments, so an element may
    go stale (or not exist yet) between two polls."""
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
    )

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = predicate()
        except (StaleElementReferenceException, NoSuchElementException, AssertionError):
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def css(d, selector):
    return d.find_element("css selector", selector)
