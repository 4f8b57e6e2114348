"""Tag a transcript against an interview guide with spaCy rules: channels, touchpoints, goals,
emotions, scores, expectations and peaks.

Each segment is one spaCy ``Doc``; every rule adds spans to ``doc.spans["journeytape"]``
(overlaps allowed) and a :class:`Hit` with the normalised value and details. Hits become
:class:`~journeytape.annotate.annotations.Tag` objects with character offsets inside the
segment and times from the word timestamps. The words each rule looks for live in
``data/rules/<lang>.yaml`` and in the guide; this module only knows how to combine them.

Layout: this module compiles the matchers per language (checklist synonyms and patterns from
the guide, cue lists from the rule files) and turns hits into tags and coverage; the label
rules live in ``emotion.py``, ``scores.py``, ``expectations.py`` and ``moments.py`` (mixins of
:class:`LanguageAnnotator`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from journeytape.annotate.annotations import Annotations, CoverageItem, Tag, tag_id
from journeytape.annotate.cues import CueMatcher
from journeytape.annotate.emotion import EmotionRules
from journeytape.annotate.expectations import ExpectationRules
from journeytape.annotate.hits import Hit
from journeytape.annotate.moments import MomentRules
from journeytape.annotate.pipelines import load_pipeline
from journeytape.annotate.rules import EmotionEntry, Rules, load_emolex, load_rules, rules_sha256
from journeytape.annotate.scores import ScoreRules
from journeytape.annotate.session_marks import apply_ticks, marker_peaks
from journeytape.guide import Guide, GuideError
from journeytape.transcribe.transcript import Segment, Transcript

#: bump when the code changes results; the rule files are hashed separately
ANNOTATOR_VERSION = "1.2"
SPAN_KEY = "journeytape"
#: labels only the respondent can have (the interviewer asks about them)
RESPONDENT_LABELS = ("GOAL", "EMOTION", "SCORE", "EXPECTATION", "PEAK")
#: an interviewer role less sure than this may be a merged or mislabelled respondent: their
#: turns still get respondent labels, with lower confidence (conversation evidence gives
#: 0.5 + the score margin; a clear two-person interview is ~0.7–0.99)
ROLE_SURE = 0.65
#: confidence factor of respondent labels on a speaker whose role is unknown or uncertain
UNSURE_ROLE_FACTOR = 0.7
#: words Whisper heard with a lower probability than this lower the confidence of their tag
WELL_HEARD = 0.7


#: where the annotator departs from ../shared/CODEBOOK.md on purpose (docs/annotate.md); written
#: into every annotations file so a reader of the JSON knows what the tags mean
CODEBOOK_DEVIATIONS = (
    "respondent labels are also tagged in turns whose speaker role is unknown or uncertain "
    "(one voice found, role confidence < 0.65), with lower confidence and attrs.role_uncertain",
    "an expectation whose outcome is not stated is 'unmet'",
    "a purely evaluative word (great, prima, toll) is an EMOTION only when said sarcastically",
    "German names count as an implicit colleague only in apposition ('meine Kollegin Anna')",
)


def annotator_version() -> dict[str, Any]:
    return {
        "version": ANNOTATOR_VERSION,
        "rules_sha256": rules_sha256(),
        "codebook_deviations": list(CODEBOOK_DEVIATIONS),
    }


# -- per-language compiled matchers --------------------------------------------------------------
class LanguageAnnotator(EmotionRules, ScoreRules, ExpectationRules, MomentRules):
    """The compiled matchers of one language for one guide; the label rules come from the
    mixins (emotion.py, scores.py, expectations.py, moments.py)."""

    def __init__(self, guide: Guide, lang: str, emolex: str | None = None) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.lang = lang
        self.guide = guide
        self.nlp, self.info = load_pipeline(lang)
        self.rules: Rules | None = load_rules(lang)
        nlp = self.nlp
        vocab = nlp.vocab
        self.warnings: list[str] = []
        if self.rules is None:
            self.warnings.append(
                f"no journeytape rules for language {lang!r}: only checklist items are tagged"
            )

        # checklist: synonyms on LOWER and LEMMA, wildcards and guide patterns in a Matcher
        self.check_lower = PhraseMatcher(vocab, attr="LOWER")
        self.check_lemma = PhraseMatcher(vocab, attr="LEMMA")
        self.check_matcher = Matcher(vocab, validate=True)
        self.match_info: dict[str, tuple[str, str, str, float]] = {}
        for item in guide.checklist:
            plain, wild, exact = [], [], []
            for syn in item.synonyms_for(lang):
                if syn.startswith("="):
                    exact.append(syn[1:])
                else:
                    (wild if "*" in syn else plain).append(syn)
            if plain or exact:
                key = f"{item.id}|synonym"
                self.match_info[key] = (item.id, item.kind, "synonym", 0.9)
                self.check_lower.add(key, [nlp.make_doc(s) for s in plain + exact])
            if plain:
                key_l = f"{item.id}|lemma"
                self.match_info[key_l] = (item.id, item.kind, "lemma", 0.85)
                self.check_lemma.add(key_l, list(nlp.pipe(plain)))
            if wild:
                key = f"{item.id}|wildcard"
                self.match_info[key] = (item.id, item.kind, "wildcard", 0.8)
                self.check_matcher.add(key, [_wildcard_pattern(nlp, w) for w in wild])
            pats = item.patterns_for(lang)
            _split_abbreviations(nlp, [w.strip("*=") for w in item.synonyms_for(lang)])
            if pats:
                key = f"{item.id}|pattern"
                self.match_info[key] = (item.id, item.kind, "pattern", 0.7)
                try:
                    self.check_matcher.add(key, pats)
                except Exception as exc:  # spaCy's pattern validation: name the guide line
                    msg = str(exc).strip().splitlines()
                    detail = next((m for m in msg if m.strip().startswith("-")), msg[-1])
                    raise GuideError(
                        f"{guide.path or '<guide>'}:{item.line}: invalid spaCy pattern in "
                        f"{item.id!r} ({lang}): {detail.strip()}"
                    ) from None

        self.item_ids = {item.id for item in guide.checklist}
        if self.rules is None:
            return
        r = self.rules
        self.name_verbs = PhraseMatcher(vocab, attr="LOWER")
        self.name_verbs.add("verb", [nlp.make_doc(v) for v in r.words("name_verbs")])
        # emotions
        entries = list(r.emotions)
        if emolex:
            try:
                known = {e.term.lower() for e in entries} | {
                    f.lower() for e in entries for f in e.forms
                }
                synonyms = {
                    w.strip("*=")
                    for it in guide.checklist
                    for syn in it.synonyms_for(lang)
                    for w in syn.split()
                }
                extra = load_emolex(emolex, lang, skip=synonyms)
                entries += [e for e in extra if e.term.lower() not in known]
            except (OSError, ValueError) as exc:
                self.warnings.append(f"NRC EmoLex not used ({exc})")
        self.emotions: dict[str, EmotionEntry] = {}
        self.emo_lower = PhraseMatcher(vocab, attr="LOWER")
        self.emo_lemma = PhraseMatcher(vocab, attr="LEMMA")
        for idx, e in enumerate(entries):
            key = f"emo{idx}"
            self.emotions[key] = e
            forms = [e.term, *e.forms]
            self.emo_lower.add(key, [nlp.make_doc(f) for f in forms])
            single = [f for f in forms if " " not in f]
            if single:
                self.emo_lemma.add(key, list(nlp.pipe(single)))
        _split_abbreviations(nlp, [f for e in entries for f in (e.term, *e.forms)])
        self.negators = {w.lower() for w in r.words("negators")}
        self.breaks = {w.lower() for w in r.words("clause_breaks")}
        self.intensifiers = r.mapping("intensifiers")
        self.downtoners = r.mapping("downtoners")
        self.neg_window = int(r.data.get("negation_window", 3))
        self.neg_after = bool(r.data.get("negation_after", False))

        def phrase_matcher(*groups: tuple[str, list[str]]) -> PhraseMatcher:
            m = PhraseMatcher(vocab, attr="LOWER")
            for key, phrases in groups:
                if phrases:
                    m.add(key, [nlp.make_doc(p) for p in phrases])
            return m

        self.sarcasm_m = phrase_matcher(
            ("before", r.words("sarcasm_before")),
            ("after", r.words("sarcasm_after")),
            ("strong", r.words("sarcasm_strong")),
        )
        self.sarcasm_repeat = {w.lower() for w in r.words("sarcasm_repeat")}
        self.self_words = {w.lower() for w in r.words("self_words")}
        self.person_m = phrase_matcher(
            ("other", r.words("other_people")), ("self", r.words("self_words"))
        )
        self.cf_modals = {w.lower() for w in r.words("counterfactual_modals")}
        self.cf_if = {w.lower() for w in r.words("counterfactual_if")}

        self.peak_m = phrase_matcher(
            ("high", r.words("peak", "high")), ("low", r.words("peak", "low"))
        )
        fillers = r.words("cue_fillers")
        self.goal_m = CueMatcher(
            nlp,
            fillers,
            {
                "goal": r.words("goal", "cues"),
                "conditional": r.words("goal", "conditional_cues"),
                "need": r.words("goal", "need_cues"),
            },
            {"need": _pairs(r.data.get("goal", {}).get("split_cues"))},
        )
        self.goal_purpose = {w.lower() for w in r.words("goal", "purpose_words")}
        self.indirect_m = phrase_matcher(("indirect", r.words("goal", "indirect_cues")))
        self.goal_recurring_stop = {w.lower() for w in r.words("goal", "recurring_stop")}
        self.goal_steps = {w.lower() for w in r.words("goal", "step_verbs")}
        self.exp_cue_m = CueMatcher(
            nlp,
            fillers,
            {
                "strong": r.words("expectation", "strong_cues"),
                "weak": r.words("expectation", "weak_cues"),
                "norm": r.words("expectation", "norm_cues"),
            },
            {"strong": _pairs(r.data.get("expectation", {}).get("split_cues"))},
        )
        self.exp_modals = {w.lower() for w in r.words("expectation", "modals")}
        self.exp_question = [w.lower() for w in r.words("expectation", "question_cues")]
        self.exp_free_rel = {w.lower() for w in r.words("expectation", "free_relative")}
        self.exp_but = {w.lower() for w in r.words("expectation", "but_words")}
        self.exp_status_m = CueMatcher(
            nlp,
            fillers,
            {
                "contrast": r.words("expectation", "contrast"),
                "met": r.words("expectation", "met_words"),
                "exceeded": r.words("expectation", "exceeded_words"),
                # "I'd assumed it would be a nightmare, but …": trouble expected, then a contrast
                "trouble": r.words("expectation", "trouble_words"),
            },
        )
        self.deadline_m = phrase_matcher(("deadline", r.words("goal", "deadline_words")))
        self.goal_not_after = {w.lower() for w in r.words("goal", "not_after")}
        self.goal_recurring = {w.lower() for w in r.words("goal", "recurring")}
        self.exp_m = phrase_matcher(
            ("as_expected", r.words("expectation", "as_expected")),
            ("too_long", r.words("expectation", "too_long")),
            ("counterfactual", r.words("expectation", "counterfactual")),
            ("same_day", r.words("durations", "same_day")),
        )
        self.exp_cues = {w.lower() for w in r.words("expectation", "cues")}
        self.than = {w.lower() for w in r.words("expectation", "than")}
        self.faster = {w.lower() for w in r.words("expectation", "faster")}
        self.slower = {w.lower() for w in r.words("expectation", "slower")}
        self.units = r.mapping("durations", "units")
        self.whole = {w.lower() for w in r.words("durations", "whole")}
        self.numbers = r.mapping("numbers")
        self.half = {w.lower() for w in r.words("half")}
        self.score_m = phrase_matcher(
            ("scale", r.words("scale_phrases")),
            ("overall", r.words("overall_cues")),
            ("moment", r.words("moment_cues")),
            ("and_half", r.words("and_half")),
            ("article", r.words("score_articles")),
            ("cue", r.words("score_cues")),
        )
        self.score_question = [w.lower() for w in r.words("score_question_cues")]
        self.five_scale = [w.lower() for w in r.words("five_scale_cues")]
        self.moment_question = {w.lower() for w in r.words("moment_question_cues")}
        self.between = {w.lower() for w in r.words("score_between")}
        self.and_words = {w.lower() for w in r.words("score_between_and")}
        self.hypo_m = phrase_matcher(("hypo", r.words("hypothetical_score_cues")))
        self.correction_m = phrase_matcher(("fix", r.words("correction_cues")))
        self.not_score_after = {w.lower() for w in r.words("not_score_after")}
        self.diminutives = r.mapping("diminutives")
        self.school_grades = r.mapping("school_grades")
        self.grade_cues = {w.lower() for w in r.words("grade_cues")}
        #: grades said as words ("gut", "ausreichend"); the numbers stay in school_grades
        self.grade_words = {
            k: v for k, v in self.school_grades.items() if not self.numbers.get(k) and " " not in k
        }
        self.grade_mods = r.mapping("grade_modifiers")
        self.range_words = {w.lower() for w in r.words("score_range_words")}
        self.article_words = {w.lower() for w in r.words("score_articles") if " " not in w}
        self.fillers = {w.lower() for w in r.words("fillers")}

    # -- the whole doc ------------------------------------------------------------------------
    def tag_doc(
        self, doc, role: str | None, context: dict[str, Any], role_sure: bool = True
    ) -> list[Hit]:
        """``role_sure=False``: the speaker's role may be wrong (one voice found, a weak
        interviewer guess), so respondent labels are looked for in their turns too."""
        hits = self.checklist(doc)
        hits += self.implicit_colleagues(doc, hits)
        if (role != "interviewer" or not role_sure) and self.rules is not None:
            cues = [(s, e) for _, s, e in self.peak_m(doc)]
            # "the worst moment", "das Schlimmste": a superlative naming a peak is no emotion
            found = [h for h in self.emotion(doc) if not any(s <= h.start < e for s, e in cues)]
            found += self.score(doc, hits + found, context)
            found += self.expectation(doc, context)
            found += self.peak(doc, hits, context)
            found += self.goal(doc, context)
            if role is None or not role_sure:
                # no speaker roles (one voice, no diarization): a question is the interviewer's
                found = [h for h in found if not _in_question(doc, h)]
            if not role_sure or role is None:
                for h in found:
                    h.confidence *= UNSURE_ROLE_FACTOR
                    h.attrs["role_uncertain"] = True
            hits += found
        from spacy.tokens import Span

        doc.spans[SPAN_KEY] = [
            Span(doc, h.start, h.end, label=h.label, kb_id=h.value or "") for h in hits
        ]
        return hits

    # -- CHANNEL / TOUCHPOINT --------------------------------------------------------------------
    def checklist(self, doc) -> list[Hit]:
        found: dict[tuple[int, int, str], Hit] = {}
        matches = [
            *self.check_lower(doc),
            *self.check_lemma(doc),
            *(self.check_matcher(doc) if len(self.check_matcher) else []),
        ]
        for match_id, s, e in matches:
            key = self.nlp.vocab.strings[match_id]
            item, kind, how, conf = self.match_info[key]
            label = "CHANNEL" if kind == "channel" else "TOUCHPOINT"
            hit = Hit(label, s, e, item, f"checklist:{item}:{self.lang}:{how}", conf)
            old = found.get((s, e, item))
            if old is None or old.confidence < conf:
                found[(s, e, item)] = hit
        # one hit per mention: drop spans inside a longer span of the same item, and join
        # neighbours ("Hotline angerufen") that name the same item
        hits = sorted(found.values(), key=lambda h: (h.value, h.start, -(h.end - h.start)))
        kept: list[Hit] = []
        for h in hits:
            prev = kept[-1] if kept else None
            if prev and prev.value == h.value and h.start < prev.end:
                prev.end = max(prev.end, h.end)
                continue
            if (
                prev
                and prev.value == h.value
                and h.start - prev.end <= 0
                or (
                    prev
                    and prev.value == h.value
                    and h.start == prev.end
                    and not doc[prev.end - 1].is_punct
                )
            ):
                prev.end = max(prev.end, h.end)
                continue
            kept.append(h)
        # a mention inside a longer mention of another item of the same label is part of it:
        # "close the ticket" is ticket_closed, not also ticket_logged
        return [
            h
            for h in kept
            if not any(
                o is not h
                and o.label == h.label
                and o.start <= h.start
                and h.end <= o.end
                and (o.end - o.start) > (h.end - h.start)
                for o in kept
            )
        ]

    def implicit_colleagues(self, doc, hits: list[Hit]) -> list[Hit]:
        """Names used as a source of help ("I asked Sam", "my friend Jo") → colleague."""
        if self.rules is None or "colleague" not in self.item_ids:
            return []
        r = self.rules
        verbs = self.name_verbs
        det = {w.lower() for w in r.words("name_determiners")}
        stop = {w.lower() for w in r.words("name_stopwords")}
        taken = {k for h in hits for k in range(h.start, h.end)}
        ends = {h.end for h in hits if h.value == "colleague"}
        near = {k for _, s, e in verbs(doc) for k in range(max(0, s - 2), min(len(doc), e + 3))}
        out = []
        for t in doc:
            i = t.i
            if (
                i in taken
                or t.is_sent_start
                or not t.is_alpha
                or len(t.text) < 2
                or not t.text[0].isupper()
                or t.text.isupper()
                or t.lower_ in stop
                or (i > 0 and doc[i - 1].lower_ in det and i not in ends)
            ):
                continue
            if self.lang == "en" and t.pos_ and t.pos_ != "PROPN":
                continue
            # German capitalises every noun ("Konto", "Ort"): there only "meine Kollegin Anna"
            if i in ends or (i in near and self.lang != "de"):
                out.append(
                    Hit(
                        "CHANNEL",
                        i,
                        i + 1,
                        "colleague",
                        f"name:colleague:{self.lang}",
                        0.55,
                        {"implicit": True},
                    )
                )
        return out

    # -- EMOTION ---------------------------------------------------------------------------------


def _pairs(value: Any) -> list[tuple[str, str]]:
    """``split_cues`` from a rule file: ``[[head, tail], …]``."""
    return [(str(a), str(b)) for a, b in (value or [])]


def _in_question(doc, hit: Hit) -> bool:
    return doc[hit.start].sent.text.rstrip().endswith("?")


def _split_abbreviations(nlp, words: Iterable[str]) -> None:
    """Lexicon words must stay words at the end of a sentence: spaCy's Dutch tokenizer keeps
    "top." together as an abbreviation, so "dat was top." would hide the emotion."""
    rules = nlp.tokenizer.rules or {}
    for w in words:
        if " " in w:
            continue
        for form in {w, w.lower(), w.capitalize()}:
            if f"{form}." in rules:
                nlp.tokenizer.add_special_case(f"{form}.", [{"ORTH": form}, {"ORTH": "."}])


def _wildcard_pattern(nlp, phrase: str) -> list[dict[str, Any]]:
    """ "helpdesk*" → a token pattern whose last token is matched by prefix (or suffix)."""
    lead = phrase.startswith("*")
    trail = phrase.endswith("*")
    toks = [t.lower_ for t in nlp.make_doc(phrase.strip("*"))]
    pattern: list[dict[str, Any]] = [{"LOWER": t} for t in toks]
    if trail:
        pattern[-1] = {"LOWER": {"REGEX": "^" + re.escape(toks[-1])}}
    if lead:
        pattern[0] = {"LOWER": {"REGEX": re.escape(toks[0]) + "$"}}
    return pattern


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
        tags: list[Tag] = []
        context: dict[str, Any] = {"question": "", "previous_durations": []}
        texts = [seg.text for seg in transcript.segments]
        for seg, doc in zip(transcript.segments, la.nlp.pipe(texts, batch_size=64), strict=True):
            role = roles.get(seg.speaker) if seg.speaker else None
            hits = la.tag_doc(doc, role, context, sure.get(seg.speaker or "", False))
            for h in hits:
                tags.append(_to_tag(h, doc, seg, role))
            if role == "interviewer" or (role is None and seg.text.rstrip().endswith("?")):
                context["question"] = seg.text.lower()
                context["previous_durations"] = []
                if la.rules is not None:
                    la.score_context(doc, hits, context)
                    la.peak_context(doc, context)
                    la.goal_context(doc, context)
            elif la.rules is not None:
                context["previous_durations"] = [
                    (doc[a:b].text, sec) for a, b, sec in la.durations(doc)
                ]
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


def _to_tag(h: Hit, doc, seg: Segment, role: str | None) -> Tag:
    span = doc[h.start : h.end]
    start_char, end_char = span.start_char, span.end_char
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
        text=span.text,
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
