"""Cue phrases that survive how people actually talk: fillers inside, the verb at the end.

Goals and expectations are said in families, not fixed sentences: "what I *really* needed was",
"het ging mij *eigenlijk* erom dat", "mir war *es wirklich* wichtig, dass", "I was, uh, hoping".
Listing every variant would memorise the development set, so a :class:`CueMatcher` removes
filler words (``cue_fillers`` in the rule file: adverbs, hesitations, commas) from both the cue
phrases and the text before matching, and maps the match back to the real tokens. Split cues
handle Dutch and German verb brackets: ``["ik had", "nodig"]`` matches "ik had eigenlijk een
werkende laptop nodig" when the tail follows the head within the same sentence. A filler
may be several words ("vor allem", "in de eerste plaats", "above all"): the whole run is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable


class CueMatcher:
    """Phrase cues in groups; ``matcher(doc)`` → ``[(group, start, end)]`` in doc tokens."""

    #: how far (tokens) the tail of a split cue may follow its head
    MAX_GAP = 12

    def __init__(
        self,
        nlp,
        fillers: Iterable[str],
        groups: dict[str, list[str]],
        split: dict[str, list[tuple[str, str]]] | None = None,
    ) -> None:
        from spacy.matcher import PhraseMatcher

        self.nlp = nlp
        fillers = [f.lower() for f in fillers]
        self.fillers = {f for f in fillers if " " not in f}
        #: several-word fillers as token tuples ("vor allem" → ("vor", "allem"))
        self.runs = [tuple(nlp.make_doc(f).text.split()) for f in fillers if " " in f]
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.tails: dict[str, tuple[str, str]] = {}
        for group, phrases in groups.items():
            docs = [d for d in (self._strip(p) for p in phrases) if d is not None]
            if docs:
                self.matcher.add(group, docs)
        for group, pairs in (split or {}).items():
            for k, (head, tail) in enumerate(pairs):
                key = f"{group}\x00split{k}"
                stripped = self._strip(head)
                if stripped is not None:
                    self.matcher.add(key, [stripped])
                    self.tails[key] = (group, tail.lower())

    def _strip(self, phrase: str):
        from spacy.tokens import Doc

        made = self.nlp.make_doc(phrase)
        words = [made[i].text for i in self.kept(made)]
        return Doc(self.nlp.vocab, words=words) if words else None

    def kept(self, doc) -> list[int]:
        """The indices of the tokens that are not fillers."""
        skip: set[int] = set()
        lows = [t.lower_ for t in doc]
        for run in self.runs:
            for i in range(len(lows) - len(run) + 1):
                if tuple(lows[i : i + len(run)]) == run:
                    skip.update(range(i, i + len(run)))
        return [i for i, w in enumerate(lows) if i not in skip and w not in self.fillers]

    def next_word(self, doc, i: int) -> int:
        """The first token at or after ``i`` that is not a filler (``len(doc)`` if none):
        what follows "I want to, um, just" is "say"."""
        return next((k for k in self.kept(doc) if k >= i), len(doc))

    def __call__(self, doc) -> list[tuple[str, int, int]]:
        from spacy.tokens import Doc

        keep = self.kept(doc)
        if not keep:
            return []
        sub = Doc(self.nlp.vocab, words=[doc[i].text for i in keep])
        out: list[tuple[str, int, int]] = []
        for match_id, s, e in self.matcher(sub):
            key = self.nlp.vocab.strings[match_id]
            start, end = keep[s], keep[e - 1] + 1
            if key in self.tails:
                group, tail = self.tails[key]
                stop = min(doc[start].sent.end, end + self.MAX_GAP)
                at = next(
                    (
                        k
                        for k in range(end, stop)
                        if doc[k].lower_ == tail or doc[k].lemma_.lower() == tail
                    ),
                    None,
                )
                if at is None:
                    continue
                out.append((group, start, at + 1))
            else:
                out.append((key, start, end))
        return out
