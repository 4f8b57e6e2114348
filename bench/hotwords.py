"""Does passing the guide's checklist words to Whisper as ``hotwords`` help, and not hurt?

    .venv/bin/python -m bench.hotwords [--model base] [--guide GUIDE]

1. **WER** on every ``../shared/eval`` clip with a reference ``.txt`` (en, nl, de), with and
   without the guide's hotwords for the clip's language (the same normalisation as
   ``bench.asr``). Hotwords must not make it worse.
2. **Checklist-word recall** on sentences full of checklist words, spoken by espeak-ng (the
   only offline voice on the machine; robotic, so recall is a lower bound): the share of the
   target words found in the transcript, with and without hotwords.

Runs in this process, one clip after another (``nice`` it on a shared machine).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from bench.asr import EVAL, language_of, normalise
from journeytape.guide import example_guide_path, load_guide

#: sentences with checklist words of the shipped service-desk guide; targets in brackets
SPOKEN = {
    "en": [
        "I logged a ticket in the [self-service] portal and then I called the [servicedesk].",
        "The [technician] used [TeamViewer] to fix my [password] remotely.",
        "My [supervisor] sent a message on [WhatsApp] to the [helpdesk].",
    ],
    "nl": [
        "Ik heb eerst het [selfserviceportaal] geprobeerd en toen de [servicedesk] gebeld.",
        "Mijn [leidinggevende] vroeg naar mijn [ticketnummer] en mijn [personeelspas].",
        "De [leverancier] stuurde een [reservelaptop] en ik kreeg een [statusupdate].",
    ],
    "de": [
        "Ich habe im [Self-Service-Portal] eine [Störungsmeldung] angelegt.",
        "Der [Servicetechniker] hat mein [Benutzerkonto] wieder [freigeschaltet].",
        "Meine [Führungskraft] hat beim [Hersteller] einen [Ersatzrechner] bestellt.",
    ],
}
VOICES = {"en": "en-gb", "nl": "nl", "de": "de"}


def wer(ref: str, hyp: str) -> tuple[int, int]:
    """(word errors, reference words) after ``bench.asr`` normalisation."""
    import jiwer

    out = jiwer.process_words(ref, hyp)
    return out.substitutions + out.deletions + out.insertions, len(ref.split())


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def speak(text: str, lang: str, dst: Path) -> None:
    subprocess.run(
        ["espeak-ng", "-v", VOICES[lang], "-s", "150", "-w", str(dst), text],
        check=True,
        capture_output=True,
    )


def transcribe(model, wav: Path, lang: str, hotwords: str | None) -> str:
    from journeytape.transcribe.asr import transcribe_audio
    from journeytape.transcribe.audio import decode

    r = transcribe_audio(model, decode(wav).samples, language=lang, hotwords=hotwords)
    return " ".join(s.text.strip() for s in r.segments)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="base")
    ap.add_argument("--guide", default=str(example_guide_path()))
    args = ap.parse_args(argv)

    from journeytape.transcribe.asr import load_model

    hot = load_guide(args.guide).hotwords()
    model = load_model(args.model)
    print(f"model {args.model}; hotwords from {args.guide}\n")

    if EVAL.is_dir():
        errs = {False: {}, True: {}}
        for ref_path in sorted(EVAL.glob("*/*.txt")):
            if ref_path.stem != ref_path.parent.name:
                continue  # e.g. *.upstream.txt
            wav = ref_path.with_suffix(".wav")
            if not wav.is_file():
                continue
            lang = language_of(ref_path.stem)
            ref = normalise(ref_path.read_text("utf-8"), lang)
            for use in (False, True):
                hyp = normalise(transcribe(model, wav, lang, hot.get(lang) if use else None), lang)
                e, n = wer(ref, hyp)
                a, b = errs[use].get(lang, (0, 0))
                errs[use][lang] = (a + e, b + n)
        print("| language | WER without | WER with hotwords |\n|---|---|---|")
        for lang in sorted(errs[False]):
            (e0, n0), (e1, n1) = errs[False][lang], errs[True][lang]
            print(f"| {lang} | {e0 / n0:.3f} ({e0}/{n0}) | {e1 / n1:.3f} ({e1}/{n1}) |")
        print()
    else:
        print(f"{EVAL} not found: WER part skipped\n")

    print("| language | checklist words heard without | with hotwords |\n|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for lang, sentences in SPOKEN.items():
            found = {False: 0, True: 0}
            total = 0
            for k, sentence in enumerate(sentences):
                targets = [t for t in sentence.split("[")[1:]]
                targets = [t.split("]")[0] for t in targets]
                total += len(targets)
                wav = Path(tmp) / f"{lang}{k}.wav"
                speak(sentence.replace("[", "").replace("]", ""), lang, wav)
                for use in (False, True):
                    hyp = _squash(transcribe(model, wav, lang, hot.get(lang) if use else None))
                    found[use] += sum(_squash(t) in hyp for t in targets)
            print(f"| {lang} | {found[False]}/{total} | {found[True]}/{total} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
