"""Every recording with known speakers that the speaker benches use, loaded one way.

Sources: ``ls_dialogue_dev_*`` (+ the ``mm`` AAC ``.m4a``) and ``ami_pyannote_*`` from
../shared/eval, the generated items of :mod:`bench.speaker_data`, the espeak-ng dialogues
of ``tests/transcribe/speakers/conftest.py`` and the ``sample_audio`` interviews (espeak,
exact RTTM).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import speaker_data as G

SR = 16000


@dataclass
class SpeakerItem:
    id: str
    group: str  # "ls_dev" | "ami" | "gen" | "espeak"
    path: Path
    samples: np.ndarray  # mono float32 16 kHz
    reference: list[tuple[float, float, str]]
    uem: tuple[float, float]

    @property
    def num_speakers(self) -> int:
        return len({s for *_, s in self.reference})

    @property
    def duration(self) -> float:
        return len(self.samples) / SR

    @property
    def held_out(self) -> bool:
        return G.is_held_out(self.id)


def _uem(path: Path, default: float) -> tuple[float, float]:
    if path.exists():
        f = path.read_text().split()
        return float(f[2]), float(f[3])
    return 0.0, default


def load(item_id: str, folder: Path, group: str, audio: Path | None = None) -> SpeakerItem:
    from journeytape.transcribe.audio import decode

    audio = audio or folder / f"{item_id}.wav"
    x = np.asarray(decode(audio).samples, dtype=np.float32)
    ref = G.read_rttm(folder / f"{folder.name}.rttm")
    uem = _uem(folder / f"{folder.name}.uem", len(x) / SR)
    return SpeakerItem(item_id, group, audio, x, ref, uem)


def eval_items(groups: tuple[str, ...] = ("ls_dev", "ami", "gen", "espeak")) -> list[SpeakerItem]:
    items: list[SpeakerItem] = []
    if "ls_dev" in groups:
        for d in G.DEV:
            if (G.EVAL / d).is_dir():
                items.append(load(d, G.EVAL / d, "ls_dev"))
        m4a = G.EVAL / "ls_dialogue_dev_mm" / "ls_dialogue_dev_mm.m4a"
        if m4a.exists():
            items.append(load("ls_dialogue_dev_mm.m4a", m4a.parent, "ls_dev", m4a))
    if "ami" in groups and G.EVAL.is_dir():
        for p in sorted(G.EVAL.glob("ami_*")):
            items.append(load(p.name, p, "ami"))
    if "gen" in groups:
        for folder in G.build():
            items.append(load(folder.name, folder, "gen"))
    if "espeak" in groups:
        items += espeak_items()
    return items


def espeak_items() -> list[SpeakerItem]:
    """The tests' espeak dialogues (two voices, a monologue, three voices) and the samples."""
    import sys

    sys.path.insert(0, str(G.REPO))
    from tests.diarize import conftest as C

    out = []
    folder = G.CACHE / "espeak"
    for name, script in (("dialogue", C.DIALOGUE), ("monologue", C.MONOLOGUE),
                         ("three", C.THREE)):  # fmt: skip
        wav = folder / name / f"{name}.wav"
        rttm = folder / name / f"{name}.rttm"
        if not rttm.exists():
            with tempfile.TemporaryDirectory() as tmp:
                clip = C.build(script, Path(tmp), name)
                (folder / name).mkdir(parents=True, exist_ok=True)
                G._write(folder / name, name, clip.samples, clip.turns)
        out.append(load(f"espeak_{name}", wav.parent, "espeak", wav))
    samples = G.REPO / "sample_audio"
    for name, ext in (("interview_nl", "mp3"), ("interview_en", "m4a"), ("interview_de", "opus")):
        audio = samples / f"{name}.{ext}"
        folder = G.CACHE / "espeak" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.rttm").write_text((samples / f"{name}.ref.rttm").read_text())
        out.append(load(f"sample_{name}", folder, "espeak", audio))
    return out
