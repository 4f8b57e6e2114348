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

  const root = document.getElementById("interview");
  if (!root) return;
  const iid = root.dataset.iid;
  const player = document.getElementById("player");
  const follow = document.getElementById("follow");

  // -- playback ---------------------------------------------------------------------------
  function playFrom(t) {
    if (!player) return;
    player.currentTime = Math.max(0, t);
    const p = player.play();
    if (p && p.catch) p.catch(() => {});
  }
  let words = [];
  function indexWords() {
    words = Array.from(document.querySelectorAll(".seg .w[data-te]"))
      .filter((el) => parseFloat(el.dataset.te) > parseFloat(el.dataset.t))
      .map((el) => ({ el, t: parseFloat(el.dataset.t), te: parseFloat(el.dataset.te) }));
  }
  indexWords();
  let current = [];
  function onTime() {
    const t = player.currentTime;
    current.forEach((el) => el.classList.remove("now", "playing"));
    current = [];
    for (const w of words) {
      if (w.t <= t && t < w.te) { w.el.classList.add("now"); current.push(w.el); }
    }
    const seg = Array.from(document.querySelectorAll(".seg")).find(
      (s) => parseFloat(s.dataset.start) <= t && t < parseFloat(s.dataset.end));
    if (seg) {
      seg.classList.add("playing"); current.push(seg);
      if (follow && follow.checked && !player.paused) {
        const r = seg.getBoundingClientRect();
        if (r.top < 100 || r.bottom > window.innerHeight) seg.scrollIntoView({ block: "center", behavior: "smooth" });
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
    if (w && String(window.getSelection()).length === 0) { playFrom(parseFloat(w.dataset.ss)); }
  });

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
    const text = String(s).trim();
    // trim spaces the way a person means the selection
    const raw = String(s);
    a += raw.length - raw.trimStart().length;
    b -= raw.length - raw.trimEnd().length;
    if (b <= a) return null;
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
      if (old) old.replaceWith(fresh);
    }
    if (json.sidebar) document.getElementById("sidebar").innerHTML = json.sidebar;
    indexWords();
  }

  const dlgTag = document.getElementById("dlg-tag");
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

  dlgTag.addEventListener("close", async () => {
    if (dlgTag.returnValue !== "ok" || !pending) return;
    const label = document.getElementById("tag-label").value;
    const value = document.getElementById("tag-value").value.trim() || null;
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
      document.getElementById("dlg-tag-quote").textContent = chip.querySelector("q").textContent;
      document.getElementById("tag-label").value = chip.dataset.label;
      document.getElementById("tag-value").value = chip.dataset.value;
      document.getElementById("tag-note").value = chip.dataset.note;
      dlgTag.showModal();
      return;
    }
    try {
      replaceSegment(await post(`/api/i/${iid}/tag/${encodeURIComponent(chip.dataset.tag)}`, { action }));
      toast(action === "accept" ? "Accepted" : action === "reject" ? "Rejected" : "Undone");
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
    c.scrollIntoView({ block: "center" });
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
    const act = (name) => { if (c) c.querySelector(`.act[data-action="${name}"]`).click(); };
    switch (ev.key) {
      case " ":
        ev.preventDefault();
        if (player.paused) { const p = player.play(); if (p && p.catch) p.catch(() => {}); } else player.pause();
        break;
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
    if (seg) { seg.classList.add("playing"); seg.scrollIntoView({ block: "center" }); if (player) player.currentTime = parseFloat(seg.dataset.start); }
  }
})();
