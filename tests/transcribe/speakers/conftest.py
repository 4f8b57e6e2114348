"""Dialogues with known turn times, spoken by espeak-ng voices that CAM++ tells apart.

Voices were chosen by measuring CAM++ cosine similarity between two different sentences of
each candidate (same voice: 0.88-0.95). Chosen: A = en-us at pitch 20 (male, low), B =
en-us+f4 at pitch 80 (female, high), A-B similarity 0.23-0.28; C = en-us+f2 at pitch 50,
lowered 7 semitones with sox, C-A 0.24, C-B 0.31. Many espeak voice pairs score 0.7-0.87:
espeak's voices share one synthesiser, so "different" to the ear is not always different to
a speaker-embedding model. Within a 10 s window pyannote's segmentation model may also take two
low synthetic voices for one local speaker, which then mixes their embeddings: the three-voice
clip's third voice was picked among six candidates as one the segmentation model keeps apart
from A and B (with the others, the tuned pipeline finds two speakers): a property of these
synthetic voices, which real voices differ far more than.

Each clip is trimmed to its speech so the reference turn times are exact.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

SR = 16000

VOICES = {
    "A": (["-v", "en-us", "-p", "20", "-s", "165"], []),
    "B": (["-v", "en-us+f4", "-p", "80", "-s", "160"], []),
    "C": (["-v", "en-us+f2", "-p", "50"], ["pitch", "-700"]),
}

DIALOGUE = [
    ("A", "Hello, and thank you for joining me today. Could you tell me about the last time "
          "you travelled by train?", 0.8),
    ("B", "Well, it was last Tuesday. I was going to visit my sister in the north, and the "
          "trip took almost four hours.", 0.8),
    ("A", "Did you buy your ticket at the station?", 0.3),
    ("B", "Yes.", 0.6),
    ("A", "What happened when you arrived at the platform?", 0.8),
    ("B", "The train was delayed by forty minutes, and nobody told us why. I was really "
          "frustrated.", 0.8),
    ("A", "How did that make you feel about the company?", 0.8),
    ("B", "Honestly, I would not take that train again if I had another choice.", 0.0),
]  # fmt: skip

MONOLOGUE = [
    ("B", "Last week I travelled by train to visit my sister in the north.", 0.5),
    ("B", "The ticket machine at the station was broken, so I waited at the desk.", 0.6),
    ("B", "Then the train was delayed by forty minutes and nobody told us why.", 0.5),
    ("B", "When it finally arrived it was so full that I had to stand all the way.", 0.7),
    ("B", "I think next time I will take the bus, or maybe drive myself.", 0.0),
]

THREE = [
    ("A", "Welcome to both of you. Could you each tell me how you travel to work?", 0.8),
    ("B", "I usually cycle to the station and then take the train into the city.", 0.8),
    ("C", "I drive, because there is no bus from my village before seven in the morning.", 0.8),
    ("A", "And what is the most annoying part of that journey, on a normal working day?", 0.8),
    ("B", "Waiting on the cold platform when the train is late again.", 0.8),
    ("C", "Finding a parking space near the office, it takes me twenty minutes every day.", 0.0),
]

VOICE_SAMPLE_A = "This is a short sample of my voice, so that the program can recognise me later."
VOICE_SAMPLE_B = "I am recording a sample of my own voice for the speaker recognition test today."


@dataclass
class Clip:
    path: Path
    samples: np.ndarray  # mono float32 16 kHz
    turns: list[tuple[float, float, str]]  # reference (start, end, voice)
    channels: np.ndarray | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def speakers(self) -> set[str]:
        return {t[2] for t in self.turns}


def speak(voice: str, text: str, folder: Path) -> np.ndarray:
    """One utterance as 16 kHz float32, trimmed to its speech."""
    args, effects = VOICES[voice]
    raw = folder / "raw.wav"
    out = folder / "utt.wav"
    subprocess.run(["espeak-ng", *args, "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), str(out), *effects, "rate", str(SR)], check=True)
    x, sr = sf.read(out, dtype="float32")
    assert sr == SR
    loud = np.flatnonzero(np.abs(x) > 0.02)
    return x[loud[0] : loud[-1] + 1]


def build(script: list[tuple[str, str, float]], folder: Path, name: str) -> Clip:
    folder.mkdir(parents=True, exist_ok=True)
    pieces, turns, t = [np.zeros(int(0.5 * SR), np.float32)], [], 0.5
    for voice, text, gap in script:
        x = speak(voice, text, folder)
        turns.append((round(t, 3), round(t + len(x) / SR, 3), voice))
        pieces += [x, np.zeros(int(gap * SR), np.float32)]
        t += len(x) / SR + int(gap * SR) / SR
    pieces.append(np.zeros(int(0.5 * SR), np.float32))
    samples = np.concatenate(pieces).astype(np.float32)
    path = folder / f"{name}.wav"
    sf.write(path, samples, SR, subtype="PCM_16")
    return Clip(path, samples, turns, texts=[s[1] for s in script])


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory) -> Path:
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox are needed to make test speech (make test installs them)")
    return tmp_path_factory.mktemp("diarize-speech")


@pytest.fixture(scope="session")
def dialogue(speech_dir) -> Clip:
    return build(DIALOGUE, speech_dir / "dialogue", "dialogue")


@pytest.fixture(scope="session")
def monologue(speech_dir) -> Clip:
    return build(MONOLOGUE, speech_dir / "monologue", "monologue")


@pytest.fixture(scope="session")
def three_voices(speech_dir) -> Clip:
    return build(THREE, speech_dir / "three", "three")


@pytest.fixture(scope="session")
def stereo_dialogue(speech_dir, dialogue) -> Clip:
    """The dialogue as two lavalier microphones: A on the left, B on the right, each voice
    leaking into the other microphone 24 dB down, plus a little noise on both."""
    rng = np.random.default_rng(0)
    n = len(dialogue.samples)
    voice = {"A": np.zeros(n, np.float32), "B": np.zeros(n, np.float32)}
    for start, end, who in dialogue.turns:
        a, b = int(start * SR), int(end * SR)
        voice[who][a:b] = dialogue.samples[a:b]
    leak = 10 ** (-24 / 20)
    left = voice["A"] + leak * voice["B"] + 0.002 * rng.standard_normal(n).astype(np.float32)
    right = voice["B"] + leak * voice["A"] + 0.002 * rng.standard_normal(n).astype(np.float32)
    channels = np.stack([left, right]).astype(np.float32)
    path = speech_dir / "stereo.wav"
    sf.write(path, channels.T, SR, subtype="PCM_16")
    return Clip(path, channels.mean(axis=0), dialogue.turns, channels=channels)


@pytest.fixture(scope="session")
def voice_samples(speech_dir) -> dict[str, Path]:
    out = {}
    for who, text in (("A", VOICE_SAMPLE_A), ("B", VOICE_SAMPLE_B)):
        x = speak(who, text, speech_dir)
        out[who] = speech_dir / f"voice_{who}.wav"
        sf.write(out[who], x, SR, subtype="PCM_16")
    return out


@pytest.fixture(scope="session")
def asr_settings():
    from journeytape.transcribe.settings import TranscribeSettings

    return TranscribeSettings(model="tiny.en", language="en", diarize=False)


@pytest.fixture(scope="session")
def asr_model(asr_settings):
    from journeytape.transcribe.asr import load_model

    return load_model(asr_settings.model, asr_settings.compute_type, asr_settings.threads)


@pytest.fixture(scope="session")
def dialogue_asr(dialogue, asr_settings, asr_model):
    """The dialogue transcribed (tiny.en) but not yet diarized."""
    from journeytape.transcribe.pipeline import transcribe_file

    return transcribe_file(dialogue.path, asr_settings, asr_model)


@pytest.fixture(scope="session")
def dialogue_transcript(dialogue, asr_settings, asr_model):
    """The dialogue through the whole pipeline: ASR then diarization, merge and roles."""
    from dataclasses import replace

    from journeytape.transcribe.pipeline import transcribe_file

    return transcribe_file(dialogue.path, replace(asr_settings, diarize=True), asr_model)
