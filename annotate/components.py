"""One registered spaCy component per label, each owning its section of the rule file.

``nlp.add_pipe("journeytape_emotion")`` (and ``_score``, ``_expectation``, ``_peak``,
``_goal``; the checklist is in ``checklist.py``) builds the component from its section of
``data/rules/<lang>.yaml``: the words become typed attributes and ``PhraseMatcher``/``CueMatcher``
objects the component owns. The rule bodies stay in ``emotion.py``, ``scores.py``,
``expectations.py`` and ``moments.py`` (classes whose methods read these attributes); a
component class combines one of them with :class:`RuleComponent`, which reads the turn
(``doc._.journeytape_turn``) and writes ``doc.spans[LABEL]``. ``journeytape_conversation``,
last in the pipeline, lets each component remember what the next turn needs (the question
asked, the durations told).
"""

from __future__ import annotations

from typing import Any, ClassVar

from journeytape.annotate.checklist import ChecklistComponent, analysed, split_abbreviations
from journeytape.annotate.cues import CueMatcher
from journeytape.annotate.emotion import EmotionRules
from journeytape.annotate.expectations import ExpectationRules
from journeytape.annotate.hits import Hit
from journeytape.annotate.later_status import LaterStatus
from journeytape.annotate.moments import MomentRules
from journeytape.annotate.rules import EmotionEntry, Rules, load_emolex, load_rules
from journeytape.annotate.scores import ScoreRules
from journeytape.annotate.turns import Turn, checklist_hits, register_extensions, set_hits, turn_of

#: the label components in pipeline order (the order the annotator reports their tags in)
LABEL_COMPONENTS = {
    "EMOTION": "journeytape_emotion",
    "SCORE": "journeytape_score",
    "EXPECTATION": "journeytape_expectation",
    "PEAK": "journeytape_peak",
    "GOAL": "journeytape_goal",
}
CHECKLIST = "journeytape_checklist"
CONVERSATION = "journeytape_conversation"


def lower_set(rules: Rules, *path: str) -> set[str]:
    return {w.lower() for w in rules.words(*path)}


def phrase_matcher(nlp, *groups: tuple[str, list[str]]):
    """A LOWER ``PhraseMatcher`` with one key per non-empty group of phrases."""
    from spacy.matcher import PhraseMatcher

    m = PhraseMatcher(nlp.vocab, attr="LOWER")
    for key, phrases in groups:
        if phrases:
            m.add(key, [nlp.make_doc(p) for p in phrases])
    return m


def _pairs(value: Any) -> list[tuple[str, str]]:
    """``split_cues`` from a rule file: ``[[head, tail], …]``."""
    return [(str(a), str(b)) for a, b in (value or [])]


class RuleComponent:
    """What every label component shares: the language, its rules, and the turn protocol."""

    label: ClassVar[str]

    def __init__(self, nlp, name: str) -> None:
        rules = load_rules(nlp.lang)
        if rules is None:
            raise ValueError(f"journeytape has no rules for language {nlp.lang!r}")
        self.nlp = nlp
        self.name = name
        self.lang: str = nlp.lang
        self.rules: Rules = rules
        self.fillers = lower_set(rules, "fillers")
        self.breaks = lower_set(rules, "clause_breaks")
        self.negators = lower_set(rules, "negators")

    def __call__(self, doc):
        turn = turn_of(doc)
        hits = turn.settle(doc, self.find(doc, turn)) if turn.respondent_labels else []
        set_hits(doc, self.label, hits)
        return doc

    def find(self, doc, turn: Turn) -> list[Hit]:
        """This label's hits in a respondent's (or an uncertain speaker's) turn."""
        raise NotImplementedError

    def remember(self, doc, turn: Turn) -> None:
        """After every label of a turn: keep in ``turn.context`` what the next turn needs."""


class _PeopleWords:
    """Whose feeling, whose wish: "I"/"me" against "he", "my daughter", "the bank"."""

    def _read_people(self, nlp, rules: Rules) -> None:
        self.self_words = lower_set(rules, "self_words")
        self.person_m = phrase_matcher(
            nlp, ("other", rules.words("other_people")), ("self", rules.words("self_words"))
        )


class EmotionComponent(EmotionRules, _PeopleWords, RuleComponent):
    """EMOTION: the lexicon (``emotions``, plus NRC EmoLex words when given), negation,
    intensity, sarcasm and counterfactuals."""

    label = "EMOTION"

    def __init__(
        self, nlp, name: str, emolex: str | None = None, not_feelings: list[str] | None = None
    ) -> None:
        super().__init__(nlp, name)
        r = self.rules
        self.warnings: list[str] = []
        entries = list(r.emotions)
        if emolex:
            entries += self._emolex(emolex, entries, set(not_feelings or []))
        self._read_lexicon(nlp, entries)
        self.intensifiers = r.mapping("intensifiers")
        self.downtoners = r.mapping("downtoners")
        self.neg_window = int(r.data.get("negation_window", 3))
        self.neg_after = bool(r.data.get("negation_after", False))
        self.sarcasm_m = phrase_matcher(
            nlp,
            ("before", r.words("sarcasm_before")),
            ("after", r.words("sarcasm_after")),
            ("strong", r.words("sarcasm_strong")),
        )
        self.sarcasm_repeat = lower_set(r, "sarcasm_repeat")
        self._read_people(nlp, r)
        self.cf_modals = lower_set(r, "counterfactual_modals")
        self.cf_if = lower_set(r, "counterfactual_if")
        # "the worst moment", "das Schlimmste": a superlative naming a peak is no emotion
        self.peak_cues = phrase_matcher(
            nlp, ("high", r.words("peak", "high")), ("low", r.words("peak", "low"))
        )

    def _emolex(self, path: str, entries: list[EmotionEntry], skip: set[str]):
        """NRC EmoLex words the journeytape lexicon lacks; never the guide's synonyms."""
        try:
            known = {e.term.lower() for e in entries} | {
                f.lower() for e in entries for f in e.forms
            }
            extra = load_emolex(path, self.lang, skip=skip)
        except (OSError, ValueError) as exc:
            self.warnings.append(f"NRC EmoLex not used ({exc})")
            return []
        return [e for e in extra if e.term.lower() not in known]

    def _read_lexicon(self, nlp, entries: list[EmotionEntry]) -> None:
        from spacy.matcher import PhraseMatcher

        self.emotions: dict[str, EmotionEntry] = {}
        self.emo_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.emo_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        for idx, e in enumerate(entries):
            key = f"emo{idx}"
            self.emotions[key] = e
            forms = [e.term, *e.forms]
            self.emo_lower.add(key, [nlp.make_doc(f) for f in forms])
            single = [f for f in forms if " " not in f]
            if single:
                self.emo_lemma.add(key, analysed(nlp, single))
        split_abbreviations(nlp, [f for e in entries for f in (e.term, *e.forms)])

    def find(self, doc, turn: Turn) -> list[Hit]:
        cues = [(s, e) for _, s, e in self.peak_cues(doc)]
        return [h for h in self.emotion(doc) if not any(s <= h.start < e for s, e in cues)]


class _NumberWords:
    """How numbers are said (``numbers``, ``half``, ``and_half``, school grades), and what a
    number counts instead of grading ("five minutes"): SCORE and EXPECTATION both read them."""

    def _read_numbers(self, rules: Rules) -> None:
        self.numbers = rules.mapping("numbers")
        self.half = lower_set(rules, "half")
        self.school_grades = rules.mapping("school_grades")
        self.not_score_after = lower_set(rules, "not_score_after")
        self.grade_mods = rules.mapping("grade_modifiers")


class ScoreComponent(ScoreRules, _NumberWords, RuleComponent):
    """SCORE: grades said aloud, with the scale and what they grade (overall or a moment)."""

    label = "SCORE"

    def __init__(self, nlp, name: str) -> None:
        super().__init__(nlp, name)
        r = self.rules
        self._read_numbers(r)
        self.score_m = phrase_matcher(
            nlp,
            ("scale", r.words("scale_phrases")),
            ("overall", r.words("overall_cues")),
            ("moment", r.words("moment_cues")),
            ("and_half", r.words("and_half")),
            ("article", r.words("score_articles")),
            ("cue", r.words("score_cues")),
        )
        self.score_question = [w.lower() for w in r.words("score_question_cues")]
        self.five_scale = [w.lower() for w in r.words("five_scale_cues")]
        self.moment_question = lower_set(r, "moment_question_cues")
        self.between = lower_set(r, "score_between")
        self.and_words = lower_set(r, "score_between_and")
        self.hypo_m = phrase_matcher(nlp, ("hypo", r.words("hypothetical_score_cues")))
        self.correction_m = phrase_matcher(nlp, ("fix", r.words("correction_cues")))
        self.diminutives = r.mapping("diminutives")
        self.grade_cues = lower_set(r, "grade_cues")
        #: grades said as words ("gut", "ausreichend"); the numbers stay in school_grades
        self.grade_words = {
            k: v for k, v in self.school_grades.items() if not self.numbers.get(k) and " " not in k
        }
        self.range_words = lower_set(r, "score_range_words")
        self.article_words = {w.lower() for w in r.words("score_articles") if " " not in w}

    def find(self, doc, turn: Turn) -> list[Hit]:
        return self.score(doc, checklist_hits(doc), turn.context)

    def remember(self, doc, turn: Turn) -> None:
        if turn.asks(doc):
            self.score_context(doc, checklist_hits(doc), turn.context)


class ExpectationComponent(
    LaterStatus, ExpectationRules, ScoreRules, MomentRules, _NumberWords, RuleComponent
):
    """EXPECTATION: expected against actual, durations parsed. Reads numbers like SCORE
    (``number_at``), clauses like PEAK/GOAL (``_clause_end``), and feelings like EMOTION
    (a surprise is good or bad by the feelings around it: ``_surprise_status``)."""

    label = "EXPECTATION"

    def __init__(self, nlp, name: str) -> None:
        super().__init__(nlp, name)
        r = self.rules
        self._read_numbers(r)
        self.score_m = phrase_matcher(nlp, ("and_half", r.words("and_half")))
        self.units = r.mapping("durations", "units")
        self.whole = lower_set(r, "durations", "whole")
        self.exp_m = phrase_matcher(
            nlp,
            ("as_expected", r.words("expectation", "as_expected")),
            ("too_long", r.words("expectation", "too_long")),
            ("counterfactual", r.words("expectation", "counterfactual")),
            ("same_day", r.words("durations", "same_day")),
        )
        fillers = r.words("cue_fillers")
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
        self.exp_modals = lower_set(r, "expectation", "modals")
        self.exp_question = [w.lower() for w in r.words("expectation", "question_cues")]
        self.exp_free_rel = lower_set(r, "expectation", "free_relative")
        self.exp_but = lower_set(r, "expectation", "but_words")
        self.exp_cues = lower_set(r, "expectation", "cues")
        self.than = lower_set(r, "expectation", "than")
        self.faster = lower_set(r, "expectation", "faster")
        self.slower = lower_set(r, "expectation", "slower")
        # EMOTION's reader of feelings (not its spans: those are settled for the respondent,
        # and a surprise's direction needs every feeling word); built anew only when this
        # component runs in a pipeline without EMOTION, so the lexicon is compiled once
        emotion = LABEL_COMPONENTS["EMOTION"]
        self._feelings: EmotionComponent = (
            nlp.get_pipe(emotion) if emotion in nlp.pipe_names else EmotionComponent(nlp, name)
        )
        self.emotions = self._feelings.emotions
        self.emo_lower = self._feelings.emo_lower
        self.emo_lemma = self._feelings.emo_lemma

    def emotion(self, doc) -> list[Hit]:
        """The feelings of a doc, as EMOTION reads them."""
        return self._feelings.emotion(doc)

    def find(self, doc, turn: Turn) -> list[Hit]:
        hits = self.expectation(doc, turn.context)
        if turn.asks(doc):
            return hits
        # "I'd assumed a morning's work." … "And was it?" "No. A week.": this turn may tell
        # the outcome of an expectation stated before it (later_status.py)
        return self.settle_pending(doc, hits, turn.context)

    def remember(self, doc, turn: Turn) -> None:
        # "Three weeks, too long." / "I expected two days.": the next turn may compare
        if not turn.asks(doc):
            turn.context["previous_durations"] = [
                (doc[a:b].text, sec) for a, b, sec in self.durations(doc)
            ]
        self.keep_pending(doc, turn.asks(doc), turn.context)


class PeakComponent(MomentRules, RuleComponent):
    """PEAK: the named high or low point, and the answer to "what was the worst moment?"."""

    label = "PEAK"

    def __init__(self, nlp, name: str) -> None:
        super().__init__(nlp, name)
        r = self.rules
        self.peak_m = phrase_matcher(
            nlp, ("high", r.words("peak", "high")), ("low", r.words("peak", "low"))
        )

    def find(self, doc, turn: Turn) -> list[Hit]:
        return self.peak(doc, checklist_hits(doc), turn.context)

    def remember(self, doc, turn: Turn) -> None:
        if turn.asks(doc):
            self.peak_context(doc, turn.context)


class GoalComponent(MomentRules, _PeopleWords, RuleComponent):
    """GOAL: what the respondent was trying to do (cues, deadlines, answers to "what did you
    need?")."""

    label = "GOAL"

    def __init__(self, nlp, name: str) -> None:
        super().__init__(nlp, name)
        r = self.rules
        goal = r.data.get("goal", {})
        self.goal_m = CueMatcher(
            nlp,
            r.words("cue_fillers"),
            {
                "goal": r.words("goal", "cues"),
                "conditional": r.words("goal", "conditional_cues"),
                "need": r.words("goal", "need_cues"),
            },
            {"need": _pairs(goal.get("split_cues"))},
        )
        self.goal_purpose = lower_set(r, "goal", "purpose_words")
        self.indirect_m = phrase_matcher(
            nlp,
            ("indirect", r.words("goal", "indirect_cues")),
            ("weak", r.words("goal", "weak_indirect_cues")),
        )
        self.goal_openers = lower_set(r, "goal", "clause_openers")
        self.goal_speech = lower_set(r, "goal", "speech_verbs")
        self.goal_q_skip = lower_set(r, "goal", "question_skip")
        self.goal_addressee = lower_set(r, "goal", "addressee")
        self.goal_q_not = lower_set(r, "goal", "question_not")
        self.goal_recurring_stop = lower_set(r, "goal", "recurring_stop")
        self.goal_steps = lower_set(r, "goal", "step_verbs")
        self.deadline_m = phrase_matcher(nlp, ("deadline", r.words("goal", "deadline_words")))
        self.not_deadline_m = phrase_matcher(nlp, ("not", r.words("goal", "not_deadline")))
        self.goal_not_after = lower_set(r, "goal", "not_after")
        self.goal_recurring = lower_set(r, "goal", "recurring")
        self._read_people(nlp, r)

    def find(self, doc, turn: Turn) -> list[Hit]:
        return self.goal(doc, turn.context)

    def remember(self, doc, turn: Turn) -> None:
        if turn.asks(doc):
            self.goal_context(doc, turn.context)


class ConversationComponent:
    """Last in the pipeline: an interviewer's turn becomes the question the next answers are
    read against, and each label component keeps what it needs for the next turn."""

    def __init__(self, nlp, name: str = CONVERSATION) -> None:
        self.nlp = nlp
        self.name = name

    def __call__(self, doc):
        turn = turn_of(doc)
        if turn.asks(doc):
            turn.context["question"] = doc.text.lower()
            turn.context["previous_durations"] = []
        for _, proc in self.nlp.pipeline:
            if isinstance(proc, RuleComponent):
                proc.remember(doc, turn)
        return doc


def _register() -> None:
    """Register the factories with spaCy (once; importing this module does it)."""
    from spacy.language import Language

    register_extensions()
    if Language.has_factory(CHECKLIST):
        return
    Language.factory(CHECKLIST, assigns=["doc.spans"])(ChecklistComponent)
    Language.factory(
        LABEL_COMPONENTS["EMOTION"],
        assigns=["doc.spans"],
        default_config={"emolex": None, "not_feelings": []},
    )(make_emotion)
    for label, cls in (
        ("SCORE", ScoreComponent),
        ("EXPECTATION", ExpectationComponent),
        ("PEAK", PeakComponent),
        ("GOAL", GoalComponent),
    ):
        Language.factory(LABEL_COMPONENTS[label], assigns=["doc.spans"])(cls)
    Language.factory(CONVERSATION)(ConversationComponent)


def make_emotion(nlp, name: str, emolex: Any, not_feelings: list) -> EmotionComponent:
    """``emolex``: an optional NRC EmoLex JSON path; ``not_feelings``: the guide's synonyms,
    which an EmoLex word never becomes."""
    return EmotionComponent(nlp, name, emolex, list(not_feelings))


_register()
