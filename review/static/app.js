// journeytape review: a little vanilla JS, no build step, nothing from the network.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const whoInput = document.getElementById("who");
  if (whoInput) {
    const saved = localStorage.getItem("journeytape.reviewer");
    if (saved) whoInput.value = saved;
    whoInput.addEventListener("change", () => localStorage.setItem("journeytape.reviewer", whoInput.value.trim()));
  }
  const toastEl = document.getElementById("toast");
  function toast(msg, error) {
    if (!toastEl) return;
    toastEl.textContent = msg; // textContent: never HTML
    toastEl.className = error ? "error" : "";
    toastEl.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { toastEl.hidden = true; }, 2500);
  }
  async function post(url, data) {
    data.who = whoInput ? whoInput.value.trim() : "";
    const resp = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(data),
    });
    let json = {};
    try { json = await resp.json(); } catch (e) { /* not JSON */ }
    if (!resp.ok) { toast(json.error || ("Error " + resp.status), true); throw new Error(json.error || resp.status); }
    return json;
  }

  const rescan = document.getElementById("rescan");
  if (rescan) rescan.addEventListener("click", async () => {
    const r = await post("/api/scan", {});
    toast(`Added ${r.added.length}, updated ${r.updated.length}, missing ${r.missing.length}`);
    setTimeout(() => location.reload(), 600);
  });

  // -- the interview list: sort by any column, filter by language, status, coverage, text --
  const table = document.getElementById("interviews");
  if (table) {
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const F = (id) => document.getElementById(id);
    const saved = JSON.parse(localStorage.getItem("journeytape.list") || "{}");
    function filter() {
      const text = F("f-text").value.trim().toLowerCase();
      const lang = F("f-lang").value, status = F("f-status").value, cov = F("f-cov").value;
      let shown = 0;
      for (const r of rows) {
        const d = r.dataset;
        const ok = (!text || d.name.toLowerCase().includes(text) || d.speakers.toLowerCase().includes(text))
          && (!lang || d.lang === lang) && (!status || d.status === status)
          && (!cov || (parseFloat(d.cov) >= 0 && parseFloat(d.cov) < parseFloat(cov)));
        r.hidden = !ok;
        if (ok) shown++;
      }
      F("f-count").textContent = `${shown} of ${rows.length} shown`;
      localStorage.setItem("journeytape.list", JSON.stringify({ ...saved, text: F("f-text").value, lang, status, cov }));
    }
    function sortBy(th, dir) {
      const key = th.dataset.sort, num = th.hasAttribute("data-num");
      for (const h of table.querySelectorAll("th[data-sort]")) h.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      const val = (r) => (num ? parseFloat(r.dataset[key]) : r.dataset[key].toLowerCase());
      rows.sort((a, b) => (val(a) < val(b) ? -dir : val(a) > val(b) ? dir : 0));
      rows.forEach((r) => body.appendChild(r));
      saved.sort = key; saved.dir = dir;
      localStorage.setItem("journeytape.list", JSON.stringify(saved));
    }
    table.querySelectorAll("th[data-sort]").forEach((th) => th.addEventListener("click", () =>
      sortBy(th, th.getAttribute("aria-sort") === "ascending" ? -1 : 1)));
    document.getElementById("listfilters").addEventListener("submit", (ev) => ev.preventDefault());
    for (const id of ["f-text", "f-lang", "f-status", "f-cov"]) {
      if (saved[id.slice(2)] !== undefined) F(id).value = saved[id.slice(2)];
      F(id).addEventListener("input", filter);
      F(id).addEventListener("change", filter);
    }
    const th = saved.sort && table.querySelector(`th[data-sort="${saved.sort}"]`);
    if (th) sortBy(th, saved.dir || 1);
    filter();
  }

  const root = document.getElementById("interview");
  if (!root) return;
  const iid = root.dataset.iid;
  const player = document.getElementById("player");
  const follow = document.getElementById("follow");

  // -- the sticky header and player: anchors and scrolling stop below them ---------------
  function stickyHeight() {
    const head = document.querySelector("header.top");
    const bar = document.getElementById("playerbar");
    return (head ? head.offsetHeight : 0) + (bar ? bar.offsetHeight : 0) + 8;
  }
  function setStickyMargin() {
    document.documentElement.style.setProperty("--sticky", stickyHeight() + "px");
  }
  setStickyMargin();
  window.addEventListener("resize", setStickyMargin);

  // -- playback ---------------------------------------------------------------------------
  function play() { const p = player.play(); if (p && p.catch) p.catch(() => {}); }
  function playFrom(t) {
    if (!player) return;
    player.currentTime = Math.max(0, t);
    play();
  }
  function togglePlay() { if (player.paused) play(); else player.pause(); }
  function skip(dt) {
    const end = isFinite(player.duration) ? player.duration : Infinity;
    player.currentTime = Math.min(end, Math.max(0, player.currentTime + dt));
  }
  const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const speedSel = document.getElementById("speed");
  function setRate(r) {
    player.playbackRate = r;
    if (speedSel) speedSel.value = String(r);
    localStorage.setItem("journeytape.rate", String(r));
  }
  function stepRate(dir) {
    const i = RATES.indexOf(player.playbackRate);
    const j = Math.min(RATES.length - 1, Math.max(0, (i < 0 ? 1 : i) + dir));
    setRate(RATES[j]);
    toast(`Speed ${RATES[j]}×`);
  }
  if (speedSel) {
    speedSel.addEventListener("change", () => setRate(parseFloat(speedSel.value)));
    const saved = parseFloat(localStorage.getItem("journeytape.rate") || "1");
    if (RATES.includes(saved)) setRate(saved);
  }
  const playBtn = document.getElementById("btn-play");
  const clock = document.getElementById("clock");
  function fmt(t) {
    t = Math.max(0, Math.floor(t || 0));
    const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
  }
  function showState() {
    if (playBtn) { playBtn.textContent = player.paused ? "▶" : "❚❚"; playBtn.setAttribute("aria-pressed", String(!player.paused)); }
    if (clock) clock.textContent = fmt(player.currentTime) + " / " + (isFinite(player.duration) ? fmt(player.duration) : clock.textContent.split(" / ")[1]);
  }
  if (player) ["play", "pause", "timeupdate", "loadedmetadata"].forEach((e) => player.addEventListener(e, showState));
  if (playBtn) playBtn.addEventListener("click", togglePlay);
  const back = document.getElementById("btn-back"), fwd = document.getElementById("btn-fwd");
  if (back) back.addEventListener("click", () => skip(-5));
  if (fwd) fwd.addEventListener("click", () => skip(5));
  const dlgHelp = document.getElementById("dlg-help");
  const helpBtn = document.getElementById("btn-help");
  if (helpBtn) helpBtn.addEventListener("click", () => dlgHelp.showModal());

  // -- waveform with tag regions (wavesurfer.js, vendored; peaks computed by the server, so
  //    the browser never decodes a two-hour recording) ----------------------------------------
  const waveEl = document.getElementById("waveform");
  // label colours come from /labels.css (generated from presentation.LABEL_COLORS)
  const rootStyle = getComputedStyle(document.documentElement);
  function labelRgb(label) {
    const hex = rootStyle.getPropertyValue("--" + label).trim();
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    return m ? [m[1], m[2], m[3]].map((h) => parseInt(h, 16)).join(",") : null;
  }
  const VALENCE = { pos: "44,160,44", neg: "214,39,40", neutral: "127,127,127" };
  let regions = null;
  function addRegions(chips) {
    for (const c of chips) {
      if (c.classList.contains("st-rejected")) continue;
      const start = parseFloat(c.dataset.t), end = parseFloat(c.dataset.te);
      if (!(end > start)) continue;
      const val = ["pos", "neg", "neutral"].find((k) => c.classList.contains(k));
      const rgb = (val && VALENCE[val]) || labelRgb(c.dataset.label) || "120,120,120";
      regions.addRegion({ start, end, color: `rgba(${rgb},0.28)`, drag: false, resize: false, id: "r-" + c.dataset.tag });
    }
  }
  function drawRegions() {
    if (!regions) return;
    regions.clearRegions();
    addRegions(document.querySelectorAll(".chip[data-tag]"));
  }
  // after a decision only that segment's regions change
  function redrawSegment(oldIds, segEl) {
    if (!regions) return;
    const gone = new Set(oldIds.map((id) => "r-" + id));
    for (const r of regions.getRegions()) if (gone.has(r.id)) r.remove();
    addRegions(segEl.querySelectorAll(".chip[data-tag]"));
  }
  if (waveEl && window.WaveSurfer && player) {
    fetch(waveEl.dataset.peaks, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((d) => {
        const ws = WaveSurfer.create({
          container: waveEl, media: player, peaks: [d.peaks], duration: d.duration,
          height: 56, waveColor: "#9db3cc", progressColor: "#1f5fa8", cursorColor: "#d62728",
          cursorWidth: 2, barWidth: 2, barGap: 1, barRadius: 1, normalize: true,
          cspNonce: waveEl.dataset.nonce, dragToSeek: true,
        });
        if (WaveSurfer.Regions) {
          regions = ws.registerPlugin(WaveSurfer.Regions.create());
          ws.on("ready", drawRegions);
          // regions added before the duration is known are kept back by the plugin and added
          // again at "ready", after drawRegions has cleared: every tag came out twice
          if (ws.getDuration() > 0) drawRegions();
        }
        waveEl.classList.add("ready");
        window.__wavesurfer = ws;
      })
      .catch(() => { waveEl.classList.add("failed"); player.controls = true; });
  } else if (player && player.src) {
    player.controls = true; // no waveform: the browser's own controls
  }
  // segments by start time, for the follow-along (words are looked up in the playing segment
  // only: indexing 25,000 words of a long interview after every decision cost a click 50 ms)
  let segs = null;
  function segList() {
    if (!segs) segs = Array.from(document.querySelectorAll(".seg")).map((el) => ({ id: el.id, t: parseFloat(el.dataset.start), te: parseFloat(el.dataset.end) }));
    return segs;
  }
  function indexWords() { segs = null; }
  let current = [];
  function onTime() {
    const t = player.currentTime;
    current.forEach((el) => el.classList.remove("now", "playing"));
    current = [];
    const list = segList();
    let lo = 0, hi = list.length - 1, hit = null;
    while (lo <= hi) { // binary search: the last segment starting at or before t
      const mid = (lo + hi) >> 1;
      if (list[mid].t <= t) { hit = list[mid]; lo = mid + 1; } else hi = mid - 1;
    }
    const seg = hit && t < hit.te ? document.getElementById(hit.id) : null;
    if (seg) {
      for (const w of seg.querySelectorAll(".w[data-te]")) {
        if (parseFloat(w.dataset.t) <= t && t < parseFloat(w.dataset.te)) { w.classList.add("now"); current.push(w); }
      }
      seg.classList.add("playing"); current.push(seg);
      if (follow && follow.checked && !player.paused) {
        const r = seg.getBoundingClientRect();
        if (r.top < stickyHeight() || r.bottom > window.innerHeight) seg.scrollIntoView({ block: "center", behavior: "smooth" });
      }
    }
  }
  if (player) player.addEventListener("timeupdate", onTime);

  document.addEventListener("click", (ev) => {
    const seek = ev.target.closest(".seek");
    if (seek) { ev.preventDefault(); playFrom(parseFloat(seek.dataset.t)); return; }
    const time = ev.target.closest(".seg .time");
    if (time) { playFrom(parseFloat(time.dataset.t)); return; }
    const w = ev.target.closest(".seg .w");
    if (!w) return;
    // a double-click selects a word: do not start playback for its first click
    clearTimeout(wordClick);
    if (ev.detail > 1) return;
    wordClick = setTimeout(() => {
      if (String(window.getSelection()).length === 0) playFrom(parseFloat(w.dataset.ss));
    }, 280);
  });
  let wordClick = null;

  // -- selection: tag it or correct it ----------------------------------------------------
  const tools = document.getElementById("seltools");
  let sel = null;
  function offsetIn(node, offset, isEnd) {
    const el = (node.nodeType === 3 ? node.parentElement : node).closest(".w");
    if (!el) return null;
    const s = parseInt(el.dataset.s, 10), e = parseInt(el.dataset.e, 10);
    if (el.classList.contains("fixed") || node.nodeType !== 3) return isEnd ? e : s;
    return Math.min(e, s + offset);
  }
  const WORDCH = /[\p{L}\p{N}]/u;
  // a piece's word ends where its trailing spaces and punctuation begin
  function wordEnd(el) {
    const s = parseInt(el.dataset.s, 10), e = parseInt(el.dataset.e, 10);
    if (el.classList.contains("fixed")) return e;
    const t = el.textContent;
    let k = t.length;
    while (k > 0 && !WORDCH.test(t[k - 1])) k--;
    return k > 0 ? s + k : e;
  }
  function readSelection() {
    const s = window.getSelection();
    if (!s || s.isCollapsed || s.rangeCount === 0) return null;
    const r = s.getRangeAt(0);
    const segA = (r.startContainer.nodeType === 3 ? r.startContainer.parentElement : r.startContainer).closest(".seg");
    const segB = (r.endContainer.nodeType === 3 ? r.endContainer.parentElement : r.endContainer).closest(".seg");
    if (!segA || segA !== segB) return null;
    let a = offsetIn(r.startContainer, r.startOffset, false);
    let b = offsetIn(r.endContainer, r.endOffset, true);
    if (a === null || b === null) return null;
    // trim spaces the way a person means the selection
    const raw = String(s);
    a += raw.length - raw.trimStart().length;
    b -= raw.length - raw.trimEnd().length;
    if (b <= a) return null;
    // snap to whole words: "ort" in "portal" means "portal"
    const pieces = Array.from(segA.querySelectorAll(".w[data-s]"));
    const inside = pieces.filter((el) => parseInt(el.dataset.s, 10) < b && parseInt(el.dataset.e, 10) > a);
    if (!inside.length) return null;
    const first = inside[0], last = inside[inside.length - 1];
    if (parseInt(first.dataset.s, 10) < a && WORDCH.test(first.textContent[a - parseInt(first.dataset.s, 10) - 1] || "")) a = parseInt(first.dataset.s, 10);
    const lastEnd = wordEnd(last);
    if (b < lastEnd && WORDCH.test(last.textContent[b - parseInt(last.dataset.s, 10)] || "")) b = lastEnd;
    if (b <= a) return null;
    const text = inside.map((el) => {
      const s0 = parseInt(el.dataset.s, 10), e0 = parseInt(el.dataset.e, 10);
      if (el.classList.contains("fixed")) return el.textContent;
      return el.textContent.slice(Math.max(0, a - s0), Math.min(e0, b) - s0);
    }).join("").trim();
    return { segment_id: parseInt(segA.dataset.seg, 10), start_char: a, end_char: b, text, rect: r.getBoundingClientRect() };
  }
  document.addEventListener("mouseup", (ev) => {
    if (ev.target.closest("#seltools") || ev.target.closest("dialog")) return;
    setTimeout(() => {
      sel = readSelection();
      if (!sel) { tools.hidden = true; return; }
      tools.style.left = (window.scrollX + sel.rect.left) + "px";
      tools.style.top = (window.scrollY + sel.rect.bottom + 6) + "px";
      tools.hidden = false;
    }, 0);
  });

  function replaceSegment(json) {
    if (json.segment) {
      const tpl = document.createElement("template");
      tpl.innerHTML = json.segment.trim(); // server-rendered with Jinja autoescape
      const fresh = tpl.content.firstElementChild;
      const old = document.getElementById(fresh.id);
      if (old) {
        const oldIds = Array.from(old.querySelectorAll(".chip[data-tag]")).map((c) => c.dataset.tag);
        old.replaceWith(fresh);
        redrawSegment(oldIds, fresh);
      }
    }
    if (json.sidebar) document.getElementById("sidebar").innerHTML = json.sidebar;
    indexWords();
  }

  const dlgTag = document.getElementById("dlg-tag");
  const labelSel = document.getElementById("tag-label");
  const itemSel = document.getElementById("tag-item");
  function syncItem(value) {
    // CHANNEL/TOUCHPOINT take a checklist item: offer the guide's names, store its id
    const kind = { CHANNEL: "channel", TOUCHPOINT: "touchpoint" }[labelSel.value];
    const groups = itemSel ? Array.from(itemSel.querySelectorAll("optgroup")) : [];
    const group = groups.find((g) => g.dataset.kind === kind);
    document.getElementById("tag-item-row").hidden = !group;
    groups.forEach((g) => { g.hidden = g !== group; g.disabled = g !== group; });
    if (group) {
      const opts = Array.from(group.querySelectorAll("option"));
      // a value that is no checklist item stays as it is ("other", typed below)
      const hit = value ? opts.find((o) => o.value === value) : opts[0];
      itemSel.value = hit ? hit.value : "";
    }
    showValue();
  }
  function showValue() {
    const row = document.getElementById("tag-item-row");
    document.getElementById("tag-value-row").hidden = !row.hidden && itemSel.value !== "";
  }
  if (labelSel) labelSel.addEventListener("change", () => syncItem(null));
  if (itemSel) itemSel.addEventListener("change", showValue);
  function tagValue() {
    if (!document.getElementById("tag-item-row").hidden && itemSel.value) return itemSel.value;
    return document.getElementById("tag-value").value.trim() || null;
  }
  const dlgFix = document.getElementById("dlg-fix");
  const dlgSpk = document.getElementById("dlg-spk");
  let pending = null;

  document.getElementById("btn-tag").addEventListener("click", () => {
    if (!sel) return;
    pending = { kind: "add", sel };
    document.getElementById("dlg-tag-title").textContent = "Tag the selection";
    document.getElementById("dlg-tag-quote").textContent = sel.text;
    document.getElementById("tag-value").value = "";
    document.getElementById("tag-note").value = "";
    syncItem(null);
    tools.hidden = true;
    dlgTag.showModal();
  });
  document.getElementById("btn-fix").addEventListener("click", () => {
    if (!sel) return;
    pending = { kind: "fix", sel };
    document.getElementById("dlg-fix-old").textContent = sel.text;
    document.getElementById("fix-new").value = sel.text;
    tools.hidden = true;
    dlgFix.showModal();
  });

  const clipBtn = document.getElementById("btn-clip");
  if (clipBtn) clipBtn.addEventListener("click", () => {
    if (!sel) return;
    tools.hidden = true;
    location.href = `/clip/${iid}?segment_id=${sel.segment_id}&start_char=${sel.start_char}&end_char=${sel.end_char}`;
  });

  dlgTag.addEventListener("close", async () => {
    if (dlgTag.returnValue !== "ok" || !pending) return;
    const label = document.getElementById("tag-label").value;
    const value = tagValue();
    const note = document.getElementById("tag-note").value.trim() || null;
    try {
      if (pending.kind === "add") {
        replaceSegment(await post(`/api/i/${iid}/tags`, { ...pending.sel, rect: undefined, text: undefined, label, value, note }));
        toast("Tag added");
      } else {
        replaceSegment(await post(`/api/i/${iid}/tag/${encodeURIComponent(pending.tag)}`, { action: "edit", label, value, note }));
        toast("Tag edited");
      }
    } catch (e) { /* toast shown */ }
    pending = null;
  });
  dlgFix.addEventListener("close", async () => {
    if (dlgFix.returnValue !== "ok" || !pending) return;
    const s = pending.sel;
    try {
      replaceSegment(await post(`/api/i/${iid}/word`, { segment_id: s.segment_id, start_char: s.start_char, end_char: s.end_char, new: document.getElementById("fix-new").value }));
      toast("Correction saved");
    } catch (e) { /* toast shown */ }
    pending = null;
  });

  // -- tag chips ------------------------------------------------------------------------------
  document.addEventListener("click", async (ev) => {
    const btn = ev.target.closest(".chip .act");
    if (!btn) return;
    const chip = btn.closest(".chip");
    const action = btn.dataset.action;
    if (action === "edit") {
      pending = { kind: "edit", tag: chip.dataset.tag };
      document.getElementById("dlg-tag-title").textContent = "Edit tag";
      document.getElementById("dlg-tag-quote").textContent = chip.dataset.quote;
      document.getElementById("tag-label").value = chip.dataset.label;
      document.getElementById("tag-value").value = chip.dataset.value;
      document.getElementById("tag-note").value = chip.dataset.note;
      syncItem(chip.dataset.value);
      dlgTag.showModal();
      return;
    }
    try {
      replaceSegment(await post(`/api/i/${iid}/tag/${encodeURIComponent(chip.dataset.tag)}`, { action }));
      toast({ accept: "Accepted", reject: "Rejected", delete: "Deleted" }[action] || "Undone");
    } catch (e) { /* toast shown */ }
  });

  // -- legend: show or hide one label's highlights and tags (remembered in this browser) --
  const turnsEl = document.getElementById("turns");
  const hidden = new Set(JSON.parse(localStorage.getItem("journeytape.hidden") || "[]"));
  function applyLegend() {
    for (const b of document.querySelectorAll(".legend-item")) {
      b.setAttribute("aria-pressed", hidden.has(b.dataset.label) ? "false" : "true");
    }
    for (const c of Array.from(turnsEl.classList)) if (c.startsWith("hide-")) turnsEl.classList.remove(c);
    hidden.forEach((l) => turnsEl.classList.add("hide-" + l));
  }
  applyLegend();
  new MutationObserver(applyLegend).observe(document.getElementById("sidebar"), { childList: true });
  document.addEventListener("click", (ev) => {
    const b = ev.target.closest(".legend-item");
    if (!b) return;
    const l = b.dataset.label;
    if (hidden.has(l)) hidden.delete(l); else hidden.add(l);
    localStorage.setItem("journeytape.hidden", JSON.stringify(Array.from(hidden)));
    applyLegend();
  });

  // -- speakers ----------------------------------------------------------------------------------
  let spk = null;
  document.addEventListener("click", (ev) => {
    const b = ev.target.closest("button.spk");
    if (!b) return;
    spk = b.dataset.speaker;
    document.getElementById("spk-label").value = b.textContent.trim();
    dlgSpk.showModal();
  });
  dlgSpk.addEventListener("close", async () => {
    if (dlgSpk.returnValue !== "ok" || !spk) return;
    try {
      const r = await post(`/api/i/${iid}/speaker`, { speaker: spk, label: document.getElementById("spk-label").value });
      document.querySelectorAll("button.spk").forEach((b) => { if (b.dataset.speaker === r.speaker) b.textContent = r.label; });
      toast("Speaker renamed");
    } catch (e) { /* toast shown */ }
    spk = null;
  });

  // -- keyboard review: n/p next/previous undecided tag, a accept, r reject, e edit,
  //    l listen from the tag, Space play/pause (never while typing) --------------------------
  let focusId = null;
  function chips() { return Array.from(document.querySelectorAll(".chip[data-tag]")); }
  function focused() { return focusId && document.querySelector(`.chip[data-tag="${CSS.escape(focusId)}"]`); }
  function focusChip(c) {
    document.querySelectorAll(".chip.focus").forEach((x) => x.classList.remove("focus"));
    if (!c) return;
    focusId = c.dataset.tag;
    c.classList.add("focus");
    c.scrollIntoView({ block: "nearest" });
  }
  function step(dir) {
    const all = chips();
    let i = all.indexOf(focused());
    for (let k = 0; k < all.length; k++) {
      i = (i + dir + all.length) % all.length;
      if (all[i].classList.contains("st-pending")) { focusChip(all[i]); return; }
    }
    toast("No undecided tags left");
  }
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target.closest("input, textarea, select, button, dialog, audio")) return;
    const c = focused();
    const act = (name) => { const b = c && c.querySelector(`.act[data-action="${name}"]`); if (b) b.click(); };
    switch (ev.key) {
      case " ":
        ev.preventDefault();
        togglePlay();
        break;
      case "ArrowLeft": ev.preventDefault(); skip(-5); break;
      case "ArrowRight": ev.preventDefault(); skip(5); break;
      case "[": stepRate(-1); break;
      case "]": stepRate(1); break;
      case "?": if (dlgHelp) dlgHelp.showModal(); break;
      case "u": act("reset"); break;
      case "n": case "j": step(1); break;
      case "p": case "k": step(-1); break;
      case "a": act("accept"); break;
      case "r": case "x": act("reject"); break;
      case "e": act("edit"); break;
      case "l": if (c) playFrom(parseFloat(c.dataset.t)); break;
      default: return;
    }
  });
  // keep the focus ring on the same tag when its segment is re-rendered
  new MutationObserver(() => { const c = focused(); if (c) c.classList.add("focus"); })
    .observe(document.getElementById("turns"), { childList: true, subtree: true });

  // open at a search hit: #seg-N
  if (location.hash.startsWith("#seg-")) {
    const seg = document.getElementById(location.hash.slice(1));
    if (seg) {
      seg.classList.add("playing", "target");
      const go = () => { setStickyMargin(); seg.scrollIntoView({ block: "start" }); };
      go();
      // the waveform arrives a moment later and makes the sticky player taller
      setTimeout(go, 400);
      if (player) player.currentTime = parseFloat(seg.dataset.start);
    }
  }
})();
