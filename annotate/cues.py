"""Cue phrases that survive how people actually talk: fillers inside, the verb at the end.

Goals and expectations are said in families, not fixed sentences: "what I *really* needed was",
"het ging mij *eigenlijk* erom dat", "mir war *es wirklich* wichtig, dass", "I was, uh, hoping".
Listing every variant would memorise the development set, so a :class:`CueMatcher` removes
filler words (``cue_fillers`` in the rule file: adverbs, hesitations, commas) from both the cue
phrases and the text before matching, and maps the match back to the real tokens. Split cues
handle Dutch and German verb brackets: ``["ik had", "nodig"]`` matches "ik had eigenlijk een
werkende laptop nodig" when the tail follows the head within the same sentence.
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
        self.fillers = {f.lower() for f in fillers}
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

        words = [t.text for t in self.nlp.make_doc(phrase) if t.lower_ not in self.fillers]
        return Doc(self.nlp.vocab, words=words) if words else None

    def __call__(self, doc) -> list[tuple[str, int, int]]:
        from spacy.tokens import Doc

        keep = [i for i, t in enumerate(doc) if t.lower_ not in self.fillers]
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
