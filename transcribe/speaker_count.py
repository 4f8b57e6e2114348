"""How many people speak: pyannote's threshold count, checked against the 2-cluster solution.

pyannote's agglomerative clustering stops merging at one average-linkage distance, tuned on
AMI meetings (0.6). That merged the two voices of interviews whose embeddings sit 0.5-0.6
apart (issue #11): closer than the threshold, yet two tight groups far apart compared with
the spread of each voice. So, over the local-speaker embeddings pyannote clusters:

* the dendrogram (average linkage, cosine) is cut into k = 1..4 clusters, ignoring clusters
  too small to be a person (``min_share`` of the embeddings, at least ``min_size``); each
  cut records its mean silhouette and the smallest average-linkage distance between two of
  its clusters (:class:`Cut`);
* the count is pyannote's threshold count (meetings, monologues and three voices behave as
  before), except that the *interview prior* lifts 1 to 2 when the 2-cut is two clean groups:
  silhouette >= ``split_silhouette`` and distance >= ``split_link``. Measured: real and
  synthetic two-voice recordings have silhouette 0.57-0.83 and distance 0.57-1.05,
  monologues <= 0.34 and <= 0.37 (docs/speakers.md);
* ``--num/--min/--max-speakers`` are hard limits applied after that;
* a decision is *close* when its deciding figure lies within ``close_margin`` of its
  threshold; the transcript then warns and names the fix (:func:`count_warnings`), as it does
  for one speaker on a recording shaped like questions and answers.

Pure numpy/scipy, cheap to test and to tune offline (``bench/diarization_count.py``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

#: embeddings pyannote keeps for clustering: the local speaker talks alone at least this
#: share of the 10 s window (pyannote's ``filter_embeddings``)
MIN_ACTIVE_RATIO = 0.2
MAX_K = 4


@dataclass(frozen=True)
class CountRule:
    """The constants of the count decision (tuned in ``bench/diarization_count.py``)."""

    #: average-linkage distance above which clusters stay apart (pyannote's threshold rule)
    threshold: float = 0.6
    #: the interview prior: one speaker becomes two when the 2-cut is two clean groups
    split_silhouette: float = 0.5
    split_link: float = 0.45
    #: a decision is "close" when its deciding figure is within this of its threshold
    close_margin: float = 0.08
    min_share: float = 0.05
    min_size: int = 2


DEFAULT_RULE = CountRule()

#: what ``bench/diarization_count.py --tune`` searches
GRID: dict[str, list[Any]] = {
    "threshold": [0.5, 0.55, 0.6, 0.65, 0.7],
    "split_silhouette": [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6],
    "split_link": [0.3, 0.35, 0.4, 0.45, 0.5, 0.55],
}


@dataclass
class Cut:
    """One k-cluster solution."""

    k: int
    labels: np.ndarray  # cluster per embedding, -1 for members of too-small clusters
    silhouette: float  # mean silhouette of the kept embeddings (nan for k = 1)
    min_centroid_distance: float  # closest pair of centroids (cosine distance)
    sizes: list[int]
    #: closest pair of clusters by mean pairwise cosine distance (average linkage)
    min_link_distance: float = float("nan")


@dataclass
class Evidence:
    num_embeddings: int
    #: the average-linkage dendrogram (scipy linkage matrix), None below 2 embeddings
    tree: np.ndarray | None = None
    cuts: dict[int, Cut] = field(default_factory=dict)


@dataclass
class CountDecision:
    count: int
    #: True when a criterion was within ``close_margin`` of deciding otherwise
    close: bool
    reason: str
    scores: dict[str, Any] = field(default_factory=dict)
    #: the count a close call nearly gave
    alternative: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean_embeddings(embeddings: np.ndarray, segmentations: Any) -> np.ndarray:
    """The (N, D) unit-length embeddings of local speakers who talk alone long enough (what
    pyannote clusters), from (chunks, local speakers, D) and binarized segmentations."""
    data = np.asarray(getattr(segmentations, "data", segmentations))
    _, num_frames, _ = data.shape
    alone = np.sum(data, axis=2, keepdims=True) == 1
    clean = np.sum(data * alone, axis=1)
    valid = ~np.any(np.isnan(embeddings), axis=2)
    chunk, spk = np.where((clean >= MIN_ACTIVE_RATIO * num_frames) & valid)
    x = np.asarray(embeddings[chunk, spk], dtype=np.float64)
    return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)


def _cut(x: np.ndarray, tree: np.ndarray, k: int, min_count: int) -> Cut:
    from scipy.cluster.hierarchy import fcluster

    labels = fcluster(tree, k, criterion="maxclust") - 1 if k > 1 else np.zeros(len(x), int)
    ids, counts = np.unique(labels, return_counts=True)
    big = ids[counts >= min_count]
    labels = np.where(np.isin(labels, big), labels, -1)
    kept = labels >= 0
    cents = np.stack([x[labels == c].mean(axis=0) for c in big]) if len(big) else x[:1]
    cents = cents / (np.linalg.norm(cents, axis=1, keepdims=True) + 1e-12)
    sil, dmin = float("nan"), float("nan")
    if len(big) >= 2:
        dmin = float(min(1 - cents[i] @ cents[j] for i in range(len(big))
                         for j in range(i + 1, len(big))))  # fmt: skip
        sil = _silhouette(x[kept], labels[kept])
        d = 1.0 - x @ x.T
        link = float(min(d[np.ix_(labels == big[i], labels == big[j])].mean()
                         for i in range(len(big)) for j in range(i + 1, len(big))))  # fmt: skip
    else:
        link = float("nan")
    sizes = sorted(counts[counts >= min_count].tolist())
    return Cut(len(big), labels, sil, dmin, sizes, link)


def _silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    d = 1.0 - x @ x.T
    ids = np.unique(labels)
    s = np.zeros(len(x))
    for i in range(len(x)):
        own = labels == labels[i]
        n_own = own.sum() - 1
        a = d[i, own].sum() / n_own if n_own > 0 else 0.0
        b = min(d[i, labels == c].mean() for c in ids if c != labels[i])
        s[i] = 0.0 if n_own == 0 else (b - a) / max(a, b, 1e-12)
    return float(s.mean())


def evidence(embeddings: np.ndarray, segmentations: Any) -> Evidence:
    """Cut the average-linkage dendrogram into 1..4 clusters and measure each cut."""
    x = clean_embeddings(embeddings, segmentations)
    return evidence_from_clean(x)


def evidence_from_clean(x: np.ndarray, rule: CountRule = DEFAULT_RULE) -> Evidence:
    from scipy.cluster.hierarchy import linkage

    ev = Evidence(len(x))
    if len(x) < 2:
        return ev
    tree = linkage(x, method="average", metric="cosine")
    min_count = max(rule.min_size, int(np.ceil(rule.min_share * len(x))))
    ev.tree = tree
    for k in range(1, min(MAX_K, len(x)) + 1):
        cut = _cut(x, tree, k, min_count)
        ev.cuts.setdefault(cut.k, cut)
    return ev


def threshold_count(ev: Evidence, threshold: float, min_cluster_size: int = 3) -> int:
    """Large clusters left at ``threshold``, as pyannote's AgglomerativeClustering counts."""
    from scipy.cluster.hierarchy import fcluster

    if ev.tree is None:
        return 1
    labels = fcluster(ev.tree, threshold, criterion="distance")
    _, counts = np.unique(labels, return_counts=True)
    size = min(min_cluster_size, max(1, round(0.1 * ev.num_embeddings)))
    return max(1, int((counts >= size).sum()))


def decide(
    ev: Evidence,
    *,
    rule: CountRule = DEFAULT_RULE,
    num: int | None = None,
    lo: int | None = None,
    hi: int | None = None,
) -> CountDecision:
    """The speaker count from the evidence, the interview prior and the user's limits."""
    scores = {
        str(k): {"silhouette": _r(c.silhouette), "distance": _r(c.min_link_distance),
                 "sizes": c.sizes}
        for k, c in ev.cuts.items() if k > 1
    }  # fmt: skip
    if num is not None:
        return CountDecision(num, False, "given (--num-speakers)", scores)
    count, alternative, reason = _estimate(ev, rule)
    lo, hi = lo or 1, hi or 99
    if count < lo or count > hi:
        bounded = min(max(count, lo), hi)
        return CountDecision(bounded, False, f"{reason}; limited to [{lo}, {hi}]", scores)
    if alternative is not None and not lo <= alternative <= hi:
        alternative = None
    return CountDecision(count, alternative is not None, reason, scores, alternative)


def _estimate(ev: Evidence, rule: CountRule) -> tuple[int, int | None, str]:
    """pyannote's threshold count, then the interview prior (1 -> 2 on clean evidence).
    Returns (count, the count a close call nearly gave or None, reason)."""
    count = threshold_count(ev, rule.threshold)
    reason = f"average-linkage threshold {rule.threshold:g}: {count}"
    alternative = None
    nxt = ev.cuts.get(count + 1)
    # the merge that made ``count`` out of ``count + 1`` clusters: how close to the threshold
    if nxt is not None and abs(nxt.min_link_distance - rule.threshold) < rule.close_margin:
        alternative = count + 1
    two = ev.cuts.get(2)
    if count == 1 and two is not None:
        margin = min(
            two.silhouette - rule.split_silhouette, two.min_link_distance - rule.split_link
        )
        alternative = 2 if abs(margin) < rule.close_margin else None
        if margin >= 0:
            count, alternative = 2, (1 if alternative else None)
            reason = (
                f"two clean groups of voice embeddings (silhouette {two.silhouette:.2f}, "
                f"distance {two.min_link_distance:.2f}): interview prior"
            )
    return count, alternative, reason


def _r(v: float) -> float | None:
    return None if np.isnan(v) else round(float(v), 3)


def describe(ev: Evidence) -> str:
    """One line of the figures, for benches and logs."""
    parts = [f"n={ev.num_embeddings} thr={threshold_count(ev, DEFAULT_RULE.threshold)}"]
    for k, c in ev.cuts.items():
        if k > 1:
            parts.append(
                f"k{k}:s={c.silhouette:.2f},d={c.min_centroid_distance:.2f},"
                f"l={c.min_link_distance:.2f},{c.sizes}"
            )
    return " ".join(parts)


# -- saying when unsure ---------------------------------------------------------------------

#: a one-speaker recording "looks like an interview" from this many question -> answer pairs
QA_MIN_PAIRS = 3


def qa_pairs(texts: list[str]) -> int:
    """How often a segment that asks a question is followed by one that does not (an answer
    of at least 4 words): the shape of an interview, whoever the speakers are."""
    from journeytape.transcribe.roles import question_score

    asks = [question_score(t) > 0 for t in texts]
    return sum(
        1
        for i in range(len(texts) - 1)
        if asks[i] and not asks[i + 1] and len(texts[i + 1].split()) >= 4
    )


def count_warnings(count: dict[str, Any] | None, found: int, texts: list[str]) -> list[str]:
    """Warnings for the transcript when the speaker count may be wrong, each naming the fix.

    ``count`` is the recorded decision (``CountDecision.to_dict()``), ``found`` the number of
    speakers in the result, ``texts`` the segment texts in order."""
    if not count or str(count.get("reason", "")).startswith(("given", "one speaker asked")):
        return []
    out = []
    pairs = qa_pairs(texts) if found == 1 else 0
    if found == 1 and pairs >= QA_MIN_PAIRS:
        out.append(
            f"one speaker found, but the recording looks like an interview ({pairs} questions "
            "followed by answers): if two people speak, re-run with `--num-speakers 2`"
        )
    elif count.get("close") and count.get("alternative"):
        other = count["alternative"]
        out.append(
            f"the speaker count was a close call ({found} found, {other} nearly): if {other} "
            f"people speak, re-run with `--num-speakers {other}`"
        )
    return out
