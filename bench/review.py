"""Review app speed on a long interview: is every click still instant?

Builds a synthetic two-hour interview (1,800 segments, ~25,000 words, 900 tags; no audio
needed) and times what a reviewer waits for: indexing, opening the interview page, one
accept click (decision + re-rendered segment and side bar), a search, and the exports.
Baseline, measured in the same run: loading and validating the two JSON files, which any
reader of them pays anyway.

With Debian's chromium and chromium-driver installed it also measures what the researcher
sees in a real (headless) browser: the page open until the transcript is usable
(``load`` event), and an accept click until its chip shows the decision. Targets (issue
#14): a two-hour interview opens in < 1 s, a decision round trip stays < 0.2 s.

    python -m bench review
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from journeytape.annotate.annotations import Annotations, Tag, load_annotations, save_annotations
from journeytape.annotate.annotations import tag_id as make_tag_id
from journeytape.transcribe.transcript import (
    Recording,
    Segment,
    Speaker,
    Transcript,
    Word,
    load_transcript,
    save_transcript,
)

WORDS = [
    "so",
    "I",
    "called",
    "the",
    "service",
    "desk",
    "and",
    "they",
    "said",
    "the",
    "portal",
    "was",
    "down",
    "again",
    "which",
    "was",
    "really",
    "frustrating",
    "because",
    "my",
    "laptop",
    "arrived",
    "late",
    "and",
    "the",
    "account",
    "was",
    "not",
    "activated",
    "for",
    "weeks",
]
LABELS = [
    ("CHANNEL", "service desk", "service_desk"),
    ("CHANNEL", "portal", "portal"),
    ("EMOTION", "frustrating", "frustration"),
    ("TOUCHPOINT", "laptop", "laptop_delivered"),
]


def build(folder: Path, n_segments: int = 1800) -> None:
    rng = random.Random(7)
    segments, tags, t = [], [], 0.0
    for i in range(n_segments):
        n = rng.randint(8, 20)
        start = rng.randint(0, len(WORDS) - n)
        toks = WORDS[start : start + n]
        words, w_t = [], t
        for tok in toks:
            words.append(Word(round(w_t, 2), round(w_t + 0.3, 2), " " + tok, 0.9))
            w_t += 0.3
        text = " " + " ".join(toks) + "."
        seg = Segment(i, round(t, 2), round(w_t, 2), text, f"SPEAKER_0{i % 2}", words)
        segments.append(seg)
        if i % 2:
            for label, phrase, value in LABELS:
                at = text.find(phrase)
                if at >= 0 and len(tags) < n_segments // 2:
                    tags.append(
                        Tag(
                            make_tag_id(label, i, at, at + len(phrase), value),
                            label,
                            value,
                            i,
                            at,
                            at + len(phrase),
                            phrase,
                            seg.start,
                            seg.end,
                            seg.speaker,
                            "respondent",
                            "bench",
                            0.8,
                            {"polarity": -0.7} if label == "EMOTION" else {},
                        )
                    )
        t = w_t + 0.5
    tr = Transcript(
        Recording("/nonexistent/long.wav", "0" * 64, t, 16000, 1, 0, "wav"),
        "en",
        1.0,
        segments,
        [
            Speaker("SPEAKER_00", "Interviewer", "interviewer", None, None, t / 2),
            Speaker("SPEAKER_01", "Respondent", "respondent", None, None, t / 2),
        ],
        models={"asr": {}},
        settings_key="bench",
        timings={"total": 0.0},
    )
    save_transcript(tr, folder / "long.transcript.json")
    save_annotations(
        Annotations(
            {"path": "long.transcript.json", "sha256": "0" * 64},
            {"path": "guide.yaml", "sha256": "0" * 64},
            "en",
            {"name": "bench", "kind": "trained"},
            tags,
            [],
        ),
        folder / "long.annotations.json",
    )


def timed(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main(argv: list[str]) -> int:
    from journeytape.review import exports
    from journeytape.review.app import create_app
    from journeytape.review.qdpx import qdpx_bytes
    from journeytape.review.store import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build(folder)
        baseline = timed(
            lambda: (
                load_transcript(folder / "long.transcript.json"),
                load_annotations(folder / "long.annotations.json"),
            )
        )

        def index() -> None:
            (folder / ".journeytape" / "workspace.sqlite").unlink(missing_ok=True)
            for p in (folder / ".journeytape").glob("workspace.sqlite-*"):
                p.unlink()
            with Workspace(folder) as ws:
                ws.scan()

        t_index = timed(index, 1)
        app = create_app(folder, token="bench", scan=False)
        client = app.test_client()
        client.get("/?token=bench")
        html = client.get("/").get_data(as_text=True)
        csrf = re.search(r'name="csrf-token" content="([0-9a-f]+)"', html).group(1)
        with Workspace(folder) as ws:
            iid = ws.interview_id("long")
            view = ws.interview(iid)
            n_words = sum(len(s.words) for s in view.segments)
            tag_ids = [t.id for t in view.tags]
            t_view = timed(lambda: ws.interview(iid))
            t_search = timed(lambda: ws.search("portal frustrating", label="EMOTION"))
            views = exports.load_views(ws)
        t_page = timed(lambda: client.get(f"/i/{iid}"))
        t_index_page = timed(lambda: client.get("/"))
        it = iter(tag_ids)
        t_click = timed(
            lambda: client.post(
                f"/api/i/{iid}/tag/{next(it)}",
                json={"action": "accept"},
                headers={"X-CSRF-Token": csrf},
            ),
            5,
        )
        browser = browser_times(app, iid, tag_ids[10:])
        t_csv = timed(lambda: exports.excerpts_csv(views))
        t_qdpx = timed(lambda: qdpx_bytes(views, include_audio=False))
        size = len(client.get(f"/i/{iid}").data)

    print(
        f"synthetic interview: {len(view.segments)} segments, {n_words} words, "
        f"{len(view.tags)} tags, {view.duration / 3600:.1f} h; page {size / 1e6:.1f} MB"
    )
    print(f"{'step':<34}{'seconds':>9}{'x baseline':>12}")
    print(f"{'baseline: load+validate the JSON':<34}{baseline:>9.3f}{1:>12.1f}")
    for name, t in (
        ("index (scan) into SQLite + FTS5", t_index),
        ("build the reviewed view", t_view),
        ("open the interview page", t_page),
        ("open the start page", t_index_page),
        ("one accept click (round trip)", t_click),
        ("search words + label filter", t_search),
        ("excerpts CSV", t_csv),
        ("qdpx (validated, no audio)", t_qdpx),
    ):
        print(f"{name:<34}{t:>9.3f}{t / baseline:>12.1f}")
    if browser is None:
        print("browser: skipped (needs /usr/bin/chromium, /usr/bin/chromedriver and selenium)")
    else:
        print(f"{'browser: open the interview page':<34}{browser['open']:>9.3f}   (target < 1 s)")
        print(
            f"{'browser: accept click round trip':<34}{browser['click']:>9.3f}   (target < 0.2 s)"
        )
    return 0


def browser_times(app, iid: int, tag_ids: list[str]) -> dict[str, float] | None:
    """Median page open (navigation start → load event) and accept round trip (click →
    the chip shows "accepted") in headless Chromium, over the app served on loopback."""
    import shutil
    import threading

    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        return None
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1300,1000", "--no-first-run"):  # fmt: skip
        opts.add_argument(arg)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        d.get(f"{url}/?token=bench")
        opens = []
        for _ in range(3):
            d.get(f"{url}/i/{iid}")
            opens.append(
                d.execute_script(
                    "const t = performance.getEntriesByType('navigation')[0];"
                    " return (t.loadEventEnd || performance.now()) / 1000;"
                )
            )
        clicks = []
        for tid in tag_ids[:7]:
            clicks.append(
                d.execute_async_script(
                    """
                    const [tid, done] = arguments;
                    const sel = `.chip[data-tag="${tid}"]`;
                    const chip = document.querySelector(sel);
                    chip.scrollIntoView();
                    const t0 = performance.now();
                    const check = () => {
                      const c = document.querySelector(sel);
                      const ok = c && c.classList.contains('st-accepted');
                      if (ok) done((performance.now() - t0) / 1000);
                      else requestAnimationFrame(check);
                    };
                    chip.querySelector('[data-action="accept"]').click();
                    check();
                    """,
                    tid,
                )
            )
        return {"open": statistics.median(opens), "click": statistics.median(clicks[1:])}
    finally:
        d.quit()
        server.shutdown()


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
