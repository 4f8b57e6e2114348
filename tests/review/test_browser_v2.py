"""Issue #14 in a real browser (headless Chromium): the listening view and the interview list.

Search hits open below the sticky player, a double-click selects without playing, selections
snap to whole words, the waveform draws tag regions without breaking the security policy,
speed and skip keys work, emotions are coloured by valence with negation shown, chips show
checklist names, CHANNEL values come from the checklist, own tags can be deleted, and the
interview list sorts and filters.
"""

from __future__ import annotations

import time

import pytest

from journeytape.review.store import Workspace

from .conftest import css, wait

pytestmark = pytest.mark.browser

CSP_PROBE = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def js(d, script, *args):
    return d.execute_script(script, *args)


@pytest.fixture(scope="module")
def probe(driver):
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_PROBE})
    return driver


def iid_of(served, name="onboarding_en"):
    with Workspace(served.folder) as ws:
        return ws.interview_id(name)


def open_page(d, served, path):
    d.get(f"{served.url}{path}{'&' if '?' in path else '?'}token={served.token}")
    wait(lambda: js(d, "return document.readyState") == "complete")


def test_search_hits_open_below_the_sticky_header_and_player(probe, served):
    d = probe
    iid = iid_of(served)
    try:
        for height in (520, 700, 900):
            d.set_window_size(1300, height)
            for seg in (1, 2, 3, 4):
                open_page(d, served, "/search?q=x")  # arrive from the search page
                d.get(f"{served.url}/i/{iid}#seg-{seg}")
                wait(lambda: js(d, "return document.readyState") == "complete")
                time.sleep(0.6)  # the waveform arrives and the page re-scrolls

                def placed(seg=seg):
                    bar = js(d, "return document.querySelector('.player')"
                                ".getBoundingClientRect().bottom")  # fmt: skip
                    top = js(d, f"return document.getElementById('seg-{seg}')"
                                ".getBoundingClientRect().top")  # fmt: skip
                    return top >= bar - 1 and top < js(d, "return window.innerHeight")

                wait(placed, what=f"seg-{seg} below the player at height {height}")
    finally:
        d.set_window_size(1300, 1000)


def test_double_click_selects_a_word_without_playing(probe, served):
    d = probe
    from selenium.webdriver import ActionChains

    open_page(d, served, f"/i/{iid_of(served)}")
    player = css(d, "#player")
    js(d, "window.__seeks = []; arguments[0].addEventListener('seeking',"
          " () => window.__seeks.push(arguments[0].currentTime));", player)  # fmt: skip
    word = next(
        el for el in d.find_elements("css selector", "#seg-1 .w") if el.text.strip() == "portal"
    )
    ActionChains(d).double_click(word).perform()
    wait(lambda: css(d, "#seltools").is_displayed(), what="selection tools")
    time.sleep(0.6)
    assert js(d, "return arguments[0].paused", player)
    assert js(d, "return window.__seeks") == []
    # a single click still plays its sentence
    js(d, "window.getSelection().removeAllRanges()")
    word.click()
    wait(lambda: js(d, "return window.__seeks.length"), what="a seek")
    js(d, "arguments[0].pause()", player)


def test_a_selection_inside_a_word_snaps_to_the_whole_word(probe, served):
    d = probe
    open_page(d, served, f"/i/{iid_of(served)}")
    # select "ortal fru" (from inside "portal" to inside "frustrating") as a mouse drag would
    js(d, """
      const ws = Array.from(document.querySelectorAll('#seg-1 .w'));
      const a = ws.find((w) => w.textContent.startsWith('portal')).firstChild;
      const b = ws.find((w) => w.textContent.startsWith('frustrating')).firstChild;
      const r = document.createRange(); r.setStart(a, 1); r.setEnd(b, 3);
      const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
      a.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    """)  # fmt: skip
    wait(lambda: css(d, "#seltools").is_displayed(), what="selection tools")
    css(d, "#btn-tag").click()
    assert css(d, "#dlg-tag-quote").text == "portal was really frustrating"
    css(d, "#dlg-tag button[value=cancel]").click()


def test_waveform_speed_skip_and_help(probe, served):
    d = probe
    from selenium.webdriver import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    open_page(d, served, f"/i/{iid_of(served)}")
    wait(lambda: js(d, "return document.querySelector('#waveform.ready')"), what="waveform")
    # wavesurfer drew into its shadow DOM, with one region per visible tag
    count = "return window.__wavesurfer.getActivePlugins()[0].getRegions().length"
    chips = "return document.querySelectorAll('.chip[data-tag]:not(.st-rejected)').length"
    wait(lambda: js(d, count) == js(d, chips) > 0, what="one region per chip")
    assert js(d, "return document.querySelector('#waveform div').shadowRoot"
                 ".querySelectorAll('canvas').length") > 0  # fmt: skip
    assert js(d, "return window.__csp") == []  # the nonce lets its style in; nothing blocked
    player = css(d, "#player")
    Select(css(d, "#speed")).select_by_value("1.5")
    wait(lambda: js(d, "return arguments[0].playbackRate", player) == 1.5, what="speed 1.5")
    css(d, "h1").click()
    ActionChains(d).send_keys("]").perform()
    wait(lambda: js(d, "return arguments[0].playbackRate", player) == 1.75, what="speed 1.75")
    ActionChains(d).send_keys("[").send_keys("[").send_keys("[").perform()
    wait(lambda: js(d, "return arguments[0].playbackRate", player) == 1, what="speed 1")
    ActionChains(d).send_keys("[").send_keys("[").perform()
    wait(
        lambda: js(d, "return arguments[0].playbackRate", player) == 0.75, what="speed 0.75"
    )  # the slowest
    js(d, "arguments[0].currentTime = 12", player)
    ActionChains(d).send_keys(Keys.ARROW_LEFT).perform()
    wait(lambda: abs(js(d, "return arguments[0].currentTime", player) - 7) < 0.05, what="-5 s")
    css(d, "#btn-back").click()
    wait(lambda: abs(js(d, "return arguments[0].currentTime", player) - 2) < 0.05, what="-5 s")
    css(d, "h1").click()  # the keys act on the page, not on a focused button
    ActionChains(d).send_keys("?").perform()
    assert css(d, "#dlg-help").is_displayed() and "5 seconds" in css(d, "#dlg-help").text
    css(d, "#dlg-help button[value=ok]").click()
    Select(css(d, "#speed")).select_by_value("1")


def test_emotions_by_valence_negation_shown_and_readable_chips(probe, served):
    d = probe
    open_page(d, served, f"/i/{iid_of(served)}")

    def word_classes(text):
        el = next(e for e in d.find_elements("css selector", ".seg .w.hl-EMOTION")
                  if e.text.strip().startswith(text))  # fmt: skip
        return el.get_attribute("class").split()

    assert "neg" in word_classes("frustrating") and "negated" not in word_classes("frustrating")
    assert {"neg", "negated"} <= set(word_classes("happy"))
    happy = css(d, '.chip[data-value="happy"]')
    assert happy.find_element("css selector", ".neg").text == "not"
    # colours differ by valence, not by label
    pos_bg, neg_bg = js(d, """
      const probe = (cls) => { const s = document.createElement('span');
        s.className = 'w hl-EMOTION ' + cls; document.body.appendChild(s);
        const c = getComputedStyle(s).backgroundColor; s.remove(); return c; };
      return [probe('pos'), probe('neg')];""")  # fmt: skip
    assert pos_bg != neg_bg
    # checklist names on chips, not internal ids, and no repeated quote
    laptop = css(d, '.chip[data-value="laptop_delivered"]')
    assert "laptop delivered" in laptop.text and "laptop_delivered" not in laptop.text
    assert not laptop.find_elements("css selector", "q")


def test_channel_from_the_checklist_and_deleting_an_own_tag(probe, served):
    d = probe
    from selenium.webdriver.support.ui import Select

    iid = iid_of(served)
    open_page(d, served, f"/i/{iid}")
    js(d, """
      const w = Array.from(document.querySelectorAll('#seg-4 .w'))
        .find((w) => w.textContent.startsWith('colleague')).firstChild;
      const r = document.createRange(); r.setStart(w, 0); r.setEnd(w, 9);
      const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
      w.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));""")  # fmt: skip
    wait(lambda: css(d, "#seltools").is_displayed(), what="selection tools")
    css(d, "#btn-tag").click()
    Select(css(d, "#tag-label")).select_by_value("CHANNEL")
    assert css(d, "#tag-item").is_displayed() and not css(d, "#tag-value").is_displayed()
    item = Select(css(d, "#tag-item"))
    offered = [o.text for o in css(d, "#tag-item").find_elements(
        "css selector", "optgroup:not([disabled]) option")]  # fmt: skip
    assert "intranet" in offered and "laptop delivered" not in offered  # channels only
    item.select_by_visible_text("intranet")
    css(d, "#tag-ok").click()
    wait(lambda: "covered" in css(d, 'tr[data-item="intranet"]').get_attribute("class"),
         what="intranet covered")  # fmt: skip
    mine = wait(lambda: css(d, '.chip.user[data-value="intranet"]'), what="the new chip")
    # a value that is no checklist item: "other", typed; editing it keeps it
    mine.find_element("css selector", '[data-action="edit"]').click()
    Select(css(d, "#tag-item")).select_by_value("")
    box = css(d, "#tag-value")
    assert box.is_displayed()
    box.clear()
    box.send_keys("Slack")
    css(d, "#tag-ok").click()
    mine = wait(lambda: css(d, '.chip.user[data-value="Slack"]'), what="custom value")
    mine.find_element("css selector", '[data-action="edit"]').click()
    assert css(d, "#tag-value").get_attribute("value") == "Slack"
    assert Select(css(d, "#tag-item")).first_selected_option.get_attribute("value") == ""
    css(d, "#tag-ok").click()
    time.sleep(0.5)
    mine = wait(lambda: css(d, '.chip.user[data-value="Slack"]'), what="value kept")
    assert "missing" in css(d, 'tr[data-item="intranet"]').get_attribute("class")
    mine.find_element("css selector", '[data-action="delete"]').click()
    wait(lambda: not d.find_elements("css selector", '.chip.user[data-value="Slack"]'),
         what="chip deleted")  # fmt: skip


def test_interview_list_sorts_filters_and_summarises(probe, served):
    d = probe
    from selenium.webdriver.support.ui import Select

    open_page(d, served, "/")
    js(d, "localStorage.removeItem('journeytape.list')")
    d.refresh()
    wait(lambda: css(d, "#f-count").text, what="filters ready")

    def names():
        rows = d.find_elements("css selector", "#interviews tbody tr")
        return [r.get_attribute("data-name") for r in rows if r.is_displayed()]

    every = names()
    assert len(every) >= 3
    assert "interviews" in css(d, "#summary").text
    css(d, 'th[data-sort="dur"]').click()
    durs = [float(r.get_attribute("data-dur")) for r in
            d.find_elements("css selector", "#interviews tbody tr")]  # fmt: skip
    assert durs == sorted(durs)
    css(d, 'th[data-sort="dur"]').click()
    durs = [float(r.get_attribute("data-dur")) for r in
            d.find_elements("css selector", "#interviews tbody tr")]  # fmt: skip
    assert durs == sorted(durs, reverse=True)
    Select(css(d, "#f-lang")).select_by_visible_text("nl")
    assert names() == ["laptop_nl"]
    Select(css(d, "#f-lang")).select_by_index(0)
    Select(css(d, "#f-status")).select_by_visible_text("transcribed")
    assert all(
        r.get_attribute("data-status") == "transcribed"
        for r in d.find_elements("css selector", "#interviews tbody tr") if r.is_displayed()
    )  # fmt: skip
    Select(css(d, "#f-status")).select_by_index(0)
    who = css(d, '#interviews tr[data-name="onboarding_en"]').get_attribute("data-speakers")
    who = who.split(" | ")[-1]
    css(d, "#f-text").send_keys(who)  # a speaker's name
    assert names() and all(
        who in r.get_attribute("data-speakers")
        for r in d.find_elements("css selector", "#interviews tbody tr") if r.is_displayed()
    )  # fmt: skip
    css(d, "#f-text").clear()
    js(d, "localStorage.removeItem('journeytape.list')")
