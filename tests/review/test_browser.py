"""The review app in a real browser: headless Chromium (Debian's) through Selenium.

A researcher opens an interview, clicks a sentence and hears it from its start while the text
follows, accepts and rejects tags, corrects a word, tags a selection, renames a speaker,
reloads and finds everything kept; a page on another origin cannot change anything.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from journeytape.review.store import Workspace

from .conftest import css, wait

pytestmark = pytest.mark.browser


def open_interview(driver, served, name="onboarding_en"):
    with Workspace(served.folder) as ws:
        iid = ws.interview_id(name)
    driver.get(f"{served.url}/i/{iid}?token={served.token}")
    wait(lambda: driver.execute_script("return document.readyState") == "complete")
    return iid


def piece(driver, seg_id, text, nth=0):
    found = [
        el for el in driver.find_elements("css selector", f"#seg-{seg_id} .w") if el.text == text
    ]
    if not found:
        raise AssertionError(f"no word {text!r} in segment {seg_id}")
    return found[nth]


def test_click_a_sentence_plays_from_its_start_and_text_follows(driver, served):
    open_interview(driver, served)
    player = css(driver, "#player")
    wait(
        lambda: driver.execute_script("return arguments[0].readyState >= 1", player),
        what="audio metadata",
    )
    driver.execute_script(
        # half speed: a slow CI machine still catches the sentence while it plays
        "window.__seeks = []; arguments[0].playbackRate = 0.5;"
        " arguments[0].addEventListener('seeking',"
        " () => window.__seeks.push(arguments[0].currentTime));",
        player,
    )
    # segment 2 holds two sentences; "would" is in the second one
    word = piece(driver, 2, "would")
    first_of_sentence = piece(driver, 2, "I", nth=-1)
    start = float(word.get_attribute("data-ss"))
    seg_start = float(css(driver, "#seg-2").get_attribute("data-start"))
    assert start == float(first_of_sentence.get_attribute("data-t")) > seg_start
    word.click()
    seeks = wait(lambda: driver.execute_script("return window.__seeks"), what="a seek")
    assert seeks[0] == pytest.approx(start, abs=0.01)
    # it plays: time moves on from the sentence's start
    wait(
        lambda: driver.execute_script(
            "return !arguments[0].paused && arguments[0].currentTime > arguments[1] + 0.2",
            player,
            start,
        ),
        what="playback",
    )
    # the transcript follows: the segment and the spoken word are highlighted
    playing = wait(
        lambda: driver.execute_script(
            "return document.querySelector('.seg.playing') &&"
            " document.querySelector('.seg.playing').id"
        ),
        what="follow",
    )
    assert playing == "seg-2"
    now = wait(lambda: driver.find_elements("css selector", "#seg-2 .w.now"), what="word")
    t = driver.execute_script("return arguments[0].currentTime", player)
    assert float(now[0].get_attribute("data-t")) <= t + 0.3
    # clicking the time stamp plays the segment from its very start
    driver.execute_script("window.__seeks = []")
    css(driver, "#seg-4 .time").click()
    seeks = wait(lambda: driver.execute_script("return window.__seeks"), what="a seek")
    assert seeks[0] == pytest.approx(
        float(css(driver, "#seg-4").get_attribute("data-start")), abs=0.01
    )
    driver.execute_script("arguments[0].pause()", player)


def select_word(driver, el):
    from selenium.webdriver import ActionChains

    ActionChains(driver).double_click(el).perform()
    wait(lambda: css(driver, "#seltools").is_displayed(), what="selection tools")


def chip(driver, value):
    for c in driver.find_elements("css selector", ".chip"):
        if c.get_attribute("data-value") == value:
            return c
    raise AssertionError(f"no tag chip {value!r}")


def test_review_in_the_browser_and_find_it_all_after_reload(driver, served):
    from selenium.webdriver.common.keys import Keys

    iid = open_interview(driver, served)
    who = css(driver, "#who")
    who.clear()
    who.send_keys("Ruth", Keys.TAB)

    # accept one tag, reject another
    chip(driver, "service_desk").find_element("css selector", '[data-action="accept"]').click()
    wait(lambda: "st-accepted" in chip(driver, "service_desk").get_attribute("class"))
    chip(driver, "portal").find_element("css selector", '[data-action="reject"]').click()
    wait(lambda: "st-rejected" in chip(driver, "portal").get_attribute("class"))
    assert not piece(driver, 1, "portal").get_attribute("data-tags")  # no longer highlighted

    # correct a misheard word: double-click it, "Correct text…", type, save
    select_word(driver, piece(driver, 4, "colleague"))
    css(driver, "#btn-fix").click()
    box = css(driver, "#fix-new")
    assert box.get_attribute("value") == "colleague"
    box.clear()
    box.send_keys("IT colleague")
    css(driver, "#fix-ok").click()
    wait(lambda: "the IT colleague helped" in css(driver, "#seg-4").text, what="corrected text")

    # tag a selection
    select_word(driver, piece(driver, 2, "Honestly"))
    css(driver, "#btn-tag").click()
    from selenium.webdriver.support.ui import Select

    Select(css(driver, "#tag-label")).select_by_value("PEAK")
    css(driver, "#tag-value").send_keys("low")
    css(driver, "#tag-ok").click()
    wait(lambda: chip(driver, "low"), what="the new tag")
    assert "hl-PEAK" in piece(driver, 2, "Honestly").get_attribute("class")

    # rename the respondent
    css(driver, 'button.spk[data-speaker="SPEAKER_01"]').click()
    name = css(driver, "#spk-label")
    name.clear()
    name.send_keys("Anna")
    css(driver, "#spk-ok").click()
    wait(
        lambda: all(
            b.text == "Anna"
            for b in driver.find_elements("css selector", 'button.spk[data-speaker="SPEAKER_01"]')
        ),
        what="renamed speaker",
    )

    # reload: everything is still there
    driver.refresh()
    wait(lambda: driver.execute_script("return document.readyState") == "complete")
    assert "st-accepted" in chip(driver, "service_desk").get_attribute("class")
    assert "st-rejected" in chip(driver, "portal").get_attribute("class")
    assert "the IT colleague helped" in css(driver, "#seg-4").text
    assert "fixed" in piece(driver, 4, "IT colleague").get_attribute("class")
    assert "st-accepted" in chip(driver, "low").get_attribute("class")
    assert css(driver, 'button.spk[data-speaker="SPEAKER_01"]').text == "Anna"
    assert css(driver, "#decided").text == "3"  # accepted, rejected, and the added one
    with Workspace(served.folder) as ws:
        history = ws.history("onboarding_en")
        view = ws.interview(iid)
    assert {h["who"] for h in history} == {"Ruth"}
    assert [h["kind"] for h in history] == [
        "tag_status",
        "tag_status",
        "word_fix",
        "tag_add",
        "speaker_rename",
    ]
    assert next(t for t in view.tags if t.value == "colleague").text == "IT colleague"


class _Evil(BaseHTTPRequestHandler):
    """Another origin on this machine trying to change the review (CSRF)."""

    target = ""

    def do_GET(self):  # noqa: N802 (http.server's API)
        page = f"""<!doctype html><html><body>
<form id=f method=post action="{self.target}/api/i/1/speaker" enctype="text/plain">
<input name='{{"speaker":"SPEAKER_00","label":"pwned","x":"' value='"}}'></form>
<script>
fetch("{self.target}/api/i/1/speaker", {{method: "POST", credentials: "include", mode: "no-cors",
  headers: {{"Content-Type": "text/plain"}},
  body: JSON.stringify({{speaker: "SPEAKER_00", label: "pwned"}})}})
  .finally(() => document.getElementById("f").submit());
</script></body></html>"""
        data = page.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_untrusted_page_and_markup_cannot_act(driver, served):
    # the transcript's <script> is text on the page, never run
    open_interview(driver, served)
    assert "<script>alert('x')</script>" in css(driver, "#seg-4").text
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018

    # a page from another origin posts to the app with the browser's cookie: refused
    _Evil.target = served.url
    evil = ThreadingHTTPServer(("127.0.0.1", 0), _Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        before = len(Workspace(served.folder).history())
        # same site (127.0.0.1), other origin (port): the SameSite cookie IS sent, so the
        # CSRF token and Origin checks are what refuse it
        driver.get(f"http://127.0.0.1:{evil.server_port}/")
        wait(
            lambda: (
                driver.current_url.startswith(served.url)
                or "403" in driver.page_source
                or "415" in driver.page_source
            ),
            timeout=5,
            what="the forged form post",
        )
        time.sleep(0.3)
        with Workspace(served.folder) as ws:
            assert len(ws.history()) == before
            assert "pwned" not in {s.label for s in ws.interview(1).speakers.values()}
    finally:
        evil.shutdown()

    # without the token (a fresh browser profile has no cookie): 403
    driver.delete_all_cookies()
    driver.get(f"{served.url}/")
    assert "403" in driver.page_source and "onboarding_en" not in driver.page_source


def test_legend_hides_and_shows_a_label(driver, served):
    open_interview(driver, served)
    emotion = chip(driver, "frustration")
    assert emotion.is_displayed()
    css(driver, '.legend-item[data-label="EMOTION"]').click()
    wait(lambda: not chip(driver, "frustration").is_displayed(), what="hidden emotion tags")
    assert chip(driver, "service_desk").is_displayed()
    driver.refresh()  # remembered in this browser
    wait(lambda: not chip(driver, "frustration").is_displayed(), what="still hidden")
    css(driver, '.legend-item[data-label="EMOTION"]').click()
    wait(lambda: chip(driver, "frustration").is_displayed(), what="shown again")


def test_keyboard_review(driver, served):
    from selenium.webdriver.common.action_chains import ActionChains

    open_interview(driver, served, "laptop_nl")
    keys = ActionChains(driver)
    css(driver, "h1").click()  # focus the page, not a field
    keys.send_keys("n").perform()
    first = wait(lambda: css(driver, ".chip.focus"), what="a focused tag")
    first_id = first.get_attribute("data-tag")
    assert "st-pending" in first.get_attribute("class")
    ActionChains(driver).send_keys("a").perform()
    accepted = f'.chip.st-accepted[data-tag="{first_id}"]'
    wait(lambda: driver.find_elements("css selector", accepted), what="accepted")
    ActionChains(driver).send_keys("n").perform()
    second = wait(
        lambda: (c := css(driver, ".chip.focus")).get_attribute("data-tag") != first_id and c,
        what="the next undecided tag",
    )
    second_id = second.get_attribute("data-tag")
    ActionChains(driver).send_keys("r").perform()
    rejected = f'.chip.st-rejected[data-tag="{second_id}"]'
    wait(lambda: driver.find_elements("css selector", rejected), what="rejected")
    # l plays from the focused tag's start
    player = css(driver, "#player")
    driver.execute_script(
        "arguments[0].pause(); window.__seeks = [];"
        "arguments[0].addEventListener('seeking',"
        " () => window.__seeks.push(arguments[0].currentTime));",
        player,
    )
    ActionChains(driver).send_keys("l").perform()
    seeks = wait(lambda: driver.execute_script("return window.__seeks"), what="a seek")
    start = float(css(driver, f'.chip[data-tag="{second_id}"]').get_attribute("data-t"))
    assert seeks[0] == pytest.approx(start, abs=0.01)
    driver.execute_script("arguments[0].pause()", player)
    with Workspace(served.folder) as ws:
        status = {t.id: t.status for t in ws.interview(ws.interview_id("laptop_nl")).tags}
    assert (status[first_id], status[second_id]) == ("accepted", "rejected")
