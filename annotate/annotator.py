"""Tag a transcript against an interview guide: channels, touchpoints, goals, emotions,
scores, expectations and peaks.

Each segment is one spaCy ``Doc`` run through the language's pipeline, to which
:class:`LanguageAnnotator` adds one registered component per label (``components.py``,
``checklist.py``); each writes ``doc.spans[LABEL]`` with a
:class:`~journeytape.annotate.hits.Hit` on every span. This module turns those hits into
:class:`~journeytape.annotate.annotations.Tag` objects (character offsets inside the segment,
times from the word timestamps) and the checklist coverage. The words each rule looks for live
in ``data/rules/<lang>.yaml`` and in the guide.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from journeytape.annotate.annotations import Annotations, CoverageItem, Tag, tag_id
from journeytape.annotate.components import CHECKLIST, CONVERSATION, LABEL_COMPONENTS
from journeytape.annotate.hits import Hit
from journeytape.annotate.pipelines import PipelineInfo, load_pipeline
from journeytape.annotate.rules import load_rules, rules_sha256
from journeytape.annotate.session_marks import apply_ticks, marker_peaks
from journeytape.annotate.turns import (
    CHECKLIST_LABELS,
    TURN_EXTENSION,
    Turn,
    checklist_hits,
    hits_of,
    new_context,
)
from journeytape.guide import Guide
from journeytape.transcribe.transcript import Segment, Transcript

#: bump when the code changes results; the rule files are hashed separately
ANNOTATOR_VERSION = "1.4"
#: labels only the respondent can have (the interviewer asks about them)
RESPONDENT_LABELS = ("GOAL", "EMOTION", "SCORE", "EXPECTATION", "PEAK")
#: an interviewer role less sure than this may be a merged or mislabelled respondent: their
#: turns still get respondent labels, with lower confidence (conversation evidence gives
#: 0.5 + the score margin; a clear two-person interview is ~0.7–0.99)
ROLE_SURE = 0.65
#: words Whisper heard with a lower probability than this lower the confidence of their tag
WELL_HEARD = 0.7


#: where the annotator departs from ../shared/CODEBOOK.md on purpose
#: (docs/tagging-quality.md); written into every annotations file so a reader of the JSON
#: knows what the tags mean
CODEBOOK_DEVIATIONS = (
    "respondent labels are also tagged in turns whose speaker role is unknown or uncertain "
    "(one voice found, role confidence < 0.65), with lower confidence and attrs.role_uncertain",
    "an expectation whose outcome is not stated (in its turn or the respondent's next one) "
    "is 'unmet'",
    "a purely evaluative word (great, prima, toll) is an EMOTION only when said sarcastically",
    "German names count as an implicit colleague only in apposition ('meine Kollegin Anna')",
)


def annotator_version() -> dict[str, Any]:
    return {
        "version": ANNOTATOR_VERSION,
        "rules_sha256": rules_sha256(),
        "codebook_deviations": list(CODEBOOK_DEVIATIONS),
    }


# -- one language: a spaCy pipeline with one component per label ---------------------------------
class LanguageAnnotator:
    """The spaCy pipeline of one language for one guide: the language's own components
    (tokenizer, tagger, lemmatizer; shared with every guide), then ``journeytape_checklist``
    with the guide's items, one component per respondent label (when journeytape has rules for
    the language) and ``journeytape_conversation``. Results land in ``doc.spans[LABEL]``."""

    def __init__(self, guide: Guide, lang: str, emolex: str | None = None) -> None:
        base, info = load_pipeline(lang)
        self.lang = lang
        self.guide = guide
        self.info: PipelineInfo = info
        self.nlp = _own_pipeline(base)
        self.warnings: list[str] = []
        checklist = self.nlp.add_pipe(CHECKLIST)
        checklist.add_items(guide.checklist, guide.path or "<guide>")
        self.has_rules = load_rules(lang) is not None
        if not self.has_rules:
            self.warnings.append(
                f"no journeytape rules for language {lang!r}: only checklist items are tagged"
            )
        else:
            # an EmoLex word that is one of the guide's synonyms is a channel, not a feeling
            synonyms = {
                w.strip("*=")
                for it in guide.checklist
                for syn in it.synonyms_for(lang)
                for w in syn.split()
            }
            config = {"emolex": emolex, "not_feelings": sorted(synonyms)}
            emotion = self.nlp.add_pipe(LABEL_COMPONENTS["EMOTION"], config=config)
            self.warnings += emotion.warnings
            for label, name in LABEL_COMPONENTS.items():
                if label != "EMOTION":
                    self.nlp.add_pipe(name)
        self.nlp.add_pipe(CONVERSATION)

    def component(self, label: str) -> Any | None:
        """The component that tags ``label`` (None: no rules for it in this language)."""
        name = CHECKLIST if label in CHECKLIST_LABELS else LABEL_COMPONENTS.get(label, "")
        return self.nlp.get_pipe(name) if name in self.nlp.pipe_names else None

    def analyse(self, text: str):
        """``text`` through the language's own components only (tokens, tags, lemmas). Runs
        them one by one rather than through ``select_pipes``, which would change the shared
        pipeline under the review app's other threads."""
        doc = self.nlp.make_doc(text)
        for name, proc in self.nlp.pipeline:
            if not name.startswith("journeytape_"):
                doc = proc(doc)
        return doc

    def hits(self, doc) -> list[Hit]:
        """Every label's hits of a tagged doc, in the order of the components."""
        return checklist_hits(doc) + [h for label in LABEL_COMPONENTS for h in hits_of(doc, label)]


def _own_pipeline(base):
    """A ``Language`` for one guide that shares the vocab, tokenizer and trained components
    of the cached ``base`` pipeline (loading a model per guide would cost seconds)."""
    import spacy

    nlp = spacy.blank(base.lang, vocab=base.vocab)
    nlp.tokenizer = base.tokenizer
    for name in base.pipe_names:
        nlp.add_pipe(name, source=base)
    return nlp


# -- the transcript ------------------------------------------------------------------------------
class Annotator:
    """Tags transcripts against one guide; compiled matchers are reused across transcripts."""

    def __init__(self, guide: Guide, emolex: str | dict[str, str] | None = None) -> None:
        """``emolex``: one NRC EmoLex JSON for every language, or {language: path}."""
        self.guide = guide
        self.emolex = emolex if isinstance(emolex, dict) else {"*": emolex} if emolex else {}
        self._langs: dict[str, LanguageAnnotator] = {}

    def for_language(self, lang: str) -> LanguageAnnotator:
        if lang not in self._langs:
            emolex = self.emolex.get(lang) or self.emolex.get("*")
            self._langs[lang] = LanguageAnnotator(self.guide, lang, emolex)
        return self._langs[lang]

    def version(self) -> dict[str, Any]:
        """What decides whether existing annotations are current (besides the inputs)."""
        from journeytape.files import sha256_file

        v: dict[str, Any] = dict(annotator_version())
        if self.emolex:
            v["emolex_sha256"] = {k: sha256_file(p) for k, p in sorted(self.emolex.items())}
        return v

    def annotate(
        self,
        transcript: Transcript,
        transcript_path: str = "",
        transcript_sha256: str | None = None,
        language: str | None = None,
    ) -> Annotations:
        """Tag ``transcript``; ``language`` overrides the transcript's detected language."""
        from journeytape import __version__

        detected = (transcript.language or "en").split("-")[0].lower()
        lang = (language or detected).lower()
        warnings: list[str] = []
        if lang != detected:
            warnings.append(f"annotated as {lang!r}; the transcript says {detected!r}")
        if lang not in self.guide.languages:
            warnings.append(
                f"the guide has no {lang!r} texts (it has {', '.join(self.guide.languages)}): "
                "checklist items are matched only by language-independent synonyms"
            )
        la = self.for_language(lang)
        warnings += la.warnings
        roles = {s.id: s.role for s in transcript.speakers}
        sure = roles_sure(transcript)
        # one conversation shared by the turns: a component reads "Six." as a grade because the
        # interviewer's turn before it asked "out of ten?" (the conversation component, last in
        # the pipeline, updates it before the next doc enters the label components)
        context = new_context()
        docs = []
        # typed transcripts keep their lines: there a line is the author's unit, not a cut
        heard = {s.id for s in transcript.speakers if s.role_source != "text"}
        turns = speaker_turns(transcript.segments, {k: v for k, v in sure.items() if k in heard})
        for turn in turns:
            doc = la.nlp.make_doc(TURN_JOIN.join(seg.text for seg in turn))
            speaker = turn[0].speaker
            role = roles.get(speaker) if speaker else None
            doc._.set(TURN_EXTENSION, Turn(role, sure.get(speaker or "", False), context))
            docs.append(doc)
        # tags are read after the whole conversation ran: a later turn may settle the status of
        # an earlier turn's EXPECTATION ("I'd assumed a morning's work." … "No. A week.")
        tagged = list(la.nlp.pipe(docs, batch_size=64))
        tags: list[Tag] = []
        for turn, doc in zip(turns, tagged, strict=True):
            role = doc._.get(TURN_EXTENSION).role
            tags += [_to_tag(h, doc, turn, role) for h in la.hits(doc)]
        tags += marker_peaks(transcript, tags, roles)  # what was marked live (transcript 1.1)
        tags.sort(key=lambda t: (t.start, t.segment_id, t.start_char, t.label))
        coverage = compute_coverage(self.guide, tags, lang)
        apply_ticks(coverage, transcript.ticks)
        return Annotations(
            transcript={
                "path": transcript_path,
                "sha256": transcript_sha256 or "0" * 64,
                "recording_sha256": transcript.recording.sha256,
            },
            guide={
                "path": self.guide.path or "",
                "sha256": self.guide.sha256 or "0" * 64,
                "journey": self.guide.journey,
            },
            language=lang,
            pipeline=la.info.to_dict(),
            tags=tags,
            coverage=coverage,
            warnings=warnings,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            journeytape_version=__version__,
            annotator=self.version(),
        )


def roles_sure(transcript: Transcript) -> dict[str, bool]:
    """Per speaker: can respondent labels be trusted to the role? Not when the role is unknown,
    below :data:`ROLE_SURE`, or when fewer than two speakers talk (diarization merged them or
    found one voice) — unless a person set the role (``user``, or ``text`` for typed
    interviews). Codebook labels must not vanish with a wrong role."""
    talking = {seg.speaker for seg in transcript.segments if seg.speaker}
    out: dict[str, bool] = {}
    for s in transcript.speakers:
        conf = s.role_confidence if s.role_confidence is not None else 0.0
        by_person = s.role_source in ("user", "text")
        out[s.id] = s.role is not None and conf >= ROLE_SURE and (len(talking) >= 2 or by_person)
    return out


def heard_probability(seg: Segment, start_char: int, end_char: int) -> float | None:
    """The lowest Whisper probability of the words under a span (None: no words)."""
    probs = [
        w.probability
        for w, (s, e) in zip(seg.words, word_offsets(seg), strict=True)
        if s >= 0 and s < end_char and e > start_char and w.probability is not None
    ]
    return min(probs) if probs else None


#: how a turn's segments are joined into one text (offsets below rely on one character)
TURN_JOIN = " "


def speaker_turns(segments: list[Segment], sure: dict[str, bool]) -> list[list[Segment]]:
    """The segments read as one turn each: consecutive segments of one speaker whose role is
    sure. Whisper cuts what a person says into sentences, and a turn's sense often spans them
    — "Race in April." / "No scan by the end of February." / "I lose the entry fee." is one
    indirect goal, "I'd assumed they'd give me one." / "But, no." one expectation and its
    outcome. Not joined: speakers whose role is unsure (one voice found: every question must
    stay a turn of its own) and a segment after one that ends with "?" (a question cut off the
    interviewer's turn and given to the respondent, "And by when?", starts a new turn). The
    caller leaves typed speakers (``role_source == "text"``) out of ``sure``: a typed line is
    the author's own unit."""
    turns: list[list[Segment]] = []
    for seg in segments:
        prev = turns[-1][-1] if turns else None
        if (
            prev is not None
            and seg.speaker
            and seg.speaker == prev.speaker
            and sure.get(seg.speaker, False)
            and not prev.text.rstrip().endswith("?")
        ):
            turns[-1].append(seg)
        else:
            turns.append([seg])
    return turns


def _to_tag(h: Hit, doc, turn: list[Segment], role: str | None) -> Tag:
    """The hit as a tag on the turn's segment that holds most of its span (a tag's offsets are
    within one segment's text, so a span running over several segments is cut to that one:
    "twenty minutes." / "I expected the whole afternoon, so that was much faster" is the
    expectation of the second)."""
    span = doc[h.start : h.end]
    best, k, offset = -1, 0, 0
    for i, seg in enumerate(turn):
        inside = min(span.end_char, offset + len(seg.text)) - max(span.start_char, offset)
        if inside > best:
            best, k, at = inside, i, offset
        offset += len(seg.text) + len(TURN_JOIN)
    seg = turn[k]
    start_char = max(span.start_char - at, 0)
    end_char = min(span.end_char - at, len(seg.text))
    start, end = span_times(seg, start_char, end_char)
    heard = heard_probability(seg, start_char, end_char)
    if heard is not None and heard < WELL_HEARD:
        # a checklist word Whisper was unsure of may be a mishearing: say so in the confidence
        h.confidence *= max(0.4, heard / WELL_HEARD)
        h.attrs["asr_probability"] = round(heard, 3)
    return Tag(
        id=tag_id(h.label, seg.id, start_char, end_char, h.value),
        label=h.label,
        value=h.value,
        segment_id=seg.id,
        start_char=start_char,
        end_char=end_char,
        text=seg.text[start_char:end_char],
        start=start,
        end=end,
        speaker=seg.speaker,
        role=role,
        rule=h.rule,
        confidence=round(h.confidence, 3),
        attrs=h.attrs,
    )


def word_offsets(seg: Segment) -> list[tuple[int, int]]:
    """Character range of each word inside ``seg.text`` (words carry a leading space)."""
    out = []
    cursor = 0
    text = seg.text
    for w in seg.words:
        token = w.word.strip()
        pos = text.find(token, cursor) if token else -1
        if pos < 0:
            out.append((-1, -1))
            continue
        out.append((pos, pos + len(token)))
        cursor = pos + len(token)
    return out


def span_times(seg: Segment, start_char: int, end_char: int) -> tuple[float, float]:
    """Seconds of a character span, from the words it covers (interpolated if none match)."""
    covered = [
        w
        for w, (s, e) in zip(seg.words, word_offsets(seg), strict=True)
        if s >= 0 and s < end_char and e > start_char
    ]
    if covered:
        return round(covered[0].start, 3), round(max(w.end for w in covered), 3)
    n = max(len(seg.text), 1)
    dur = max(seg.end - seg.start, 0.0)
    return (
        round(seg.start + dur * start_char / n, 3),
        round(seg.start + dur * end_char / n, 3),
    )


def compute_coverage(guide: Guide, tags: list[Tag], lang: str) -> list[CoverageItem]:
    out = []
    for item in guide.checklist:
        mine = [t for t in tags if t.label in ("CHANNEL", "TOUCHPOINT") and t.value == item.id]
        out.append(
            CoverageItem(
                item=item.id,
                kind=item.kind,
                label=item.label(lang),
                covered=bool(mine),
                mentions=len(mine),
                first_mention=min((t.start for t in mine), default=None),
                tag_ids=[t.id for t in mine],
            )
        )
    return out
