// Journey page in the review app: play a quote's recording from its moment.
(() => {
  const player = new Audio();
  window.jmPlayer = player;
  let current = null;
  let stopAt = null;
  player.addEventListener("timeupdate", () => {
    if (stopAt !== null && player.currentTime >= stopAt) { player.pause(); }
  });
  player.addEventListener("pause", () => { if (current) current.classList.remove("jm-playing"); });
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest(".jm-play");
    if (!btn) return;
    ev.preventDefault();
    if (current === btn && !player.paused) { player.pause(); return; }
    if (current) current.classList.remove("jm-playing");
    current = btn;
    const t = parseFloat(btn.dataset.t);
    // play the sentence and a little after it, then stop
    stopAt = parseFloat(btn.dataset.end) + 4;
    const start = () => { player.currentTime = Math.max(0, t - 0.3); player.play(); };
    if (player.src.endsWith(btn.dataset.src)) { start(); }
    else { player.src = btn.dataset.src; player.addEventListener("loadedmetadata", start, { once: true }); player.load(); }
    btn.classList.add("jm-playing");
    window.jmLastPlay = { src: btn.dataset.src, t };
  });
})();
