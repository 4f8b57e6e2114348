"""The Journey page of the review app: the study map with quotes that open and play their moment.

Runs over the review fixture folder (espeak-ng speech, so the recordings are real) with the
shipped service-desk guide, in the Flask test client and in headless Chromium.
"""

from __future__ import annotations

import re
import threading
import types
from pathlib import Path

import pytest

from journeytape.review.app import create_app
from journeytape.review.store import Workspace

GUIDE = (
    Path(__file__).resolve().parents[2] / "journeytape" / "data" / "guides" / "service-desk.yaml"
)
TOKEN = "journey-test-token-7"


def make_app(folder: Path):
    app = create_app(folder, token=TOKEN, reviewer="tester")
    app.config["JOURNEY_GUIDE"] = str(GUIDE)
    return app


def get_page(app) -> str:
    c = app.test_client()
    assert c.get(f"/?token={TOKEN}").status_code == 303
    r = c.get("/journey")
    assert r.status_code == 200, r.data[:500]
    return r.get_data(as_text=True)


def test_journey_page_shows_the_map_with_links_into_the_transcripts(folder):
    app = make_app(folder)
    page = get_page(app)
    assert "Customer journey map" in page and "<svg" in page
    with Workspace(folder) as ws:
        ids = {s.name: s.id for s in ws.interviews()}
    links = re.findall(r'href="/i/(\d+)#seg-(\d+)"', page)
    assert links, "no quote links to a transcript moment"
    with Workspace(folder) as ws:
        for iid, seg in links:
            ws.interview(int(iid)).segment(int(seg))  # raises when the moment does not exist
    plays = re.findall(r'data-src="/audio/(\d+)" data-t="([\d.]+)"', page)
    assert plays and {int(i) for i, _ in plays} <= set(ids.values())
    # transcript text is escaped, and the page obeys the CSP (no inline style or script)
    assert "<script>alert" not in page
    assert " style=" not in page and not re.search(r"<script>(?!</script>)", page)
    # a reviewer rejects the frustration: the laptop is no longer a pain point
    with Workspace(folder, "tester") as ws:
        iid = ws.interview_id("onboarding_en")
        for t in ws.interview(iid).tags:
            if t.label == "EMOTION" and t.value == "frustration":
                ws.set_status(iid, t.id, "rejected")
    after = get_page(app)
    quote = "the portal was really frustrating"
    assert quote in page and quote not in after


def test_journey_page_needs_the_token(folder):
    app = make_app(folder)
    assert app.test_client().get("/journey").status_code == 403


@pytest.fixture
def served_journey(folder):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, make_app(folder), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield types.SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", folder=folder)
    server.shutdown()
    thread.join(5)


def _wait(predicate, timeout=8.0, what="condition"):
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.browser
def test_journey_page_in_chromium_plays_and_opens_the_quoted_moment(
    driver, served_journey, tmp_path
):
    d = driver
    d.get(f"{served_journey.url}/journey?token={TOKEN}")
    _wait(lambda: d.execute_script("return document.readyState") == "complete")
    # the stylesheet applied (served by the app itself, allowed by the CSP)
    assert (
        d.execute_script("return getComputedStyle(document.querySelector('.jm-kpis')).display")
        == "grid"
    )
    assert d.execute_script("return document.querySelector('svg.journey').getBBox().width") > 500
    d.save_screenshot(str(tmp_path / "journey.png"))
    # play a quote: the recording plays from the quoted moment
    buttons = d.find_elements("css selector", ".jm-play")
    btn = max(buttons, key=lambda b: float(b.get_attribute("data-t")))
    t = float(btn.get_attribute("data-t"))
    assert t > 2  # a moment well into the recording, so "plays from the start" cannot pass
    d.execute_script(
        "window.__seeks = [];"
        " window.jmPlayer.addEventListener('seeking',"
        " () => window.__seeks.push(window.jmPlayer.currentTime));"
        " arguments[0].scrollIntoView({block: 'center'})",
        btn,
    )
    btn.click()
    seeks = _wait(lambda: d.execute_script("return window.__seeks"), what="a seek")
    assert seeks[0] == pytest.approx(t - 0.3, abs=0.05)
    _wait(
        lambda: d.execute_script(
            "const p = window.jmPlayer; return !p.paused && p.currentTime > arguments[0] - 0.3",
            t,
        ),
        what="playback from the quote",
    )
    assert "jm-playing" in btn.get_attribute("class")
    d.execute_script("window.jmPlayer.pause()")
    # open the quote's transcript: the page scrolls to that segment and marks it
    link = d.find_element("css selector", ".jm-cite a")
    seg = link.get_attribute("href").rsplit("#seg-", 1)[1]
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    _wait(lambda: "/i/" in d.current_url, what="the transcript page")
    _wait(
        lambda: "playing" in d.find_element("css selector", f"#seg-{seg}").get_attribute("class"),
        what="the quoted segment highlighted",
    )
