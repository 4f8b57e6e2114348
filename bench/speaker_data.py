"""Interview-shaped test recordings built at bench time from the real voices of ../shared/eval.

    .venv/bin/python -m bench.speaker_data [--long-minutes 0]

``ls_dialogue_dev_*`` has five LibriSpeech voices (1688, 1998 women; 2414, 2609 men; 2033)
in four dialogues. Their single-voice turns (no overlap with anyone) are cut out by the exact
RTTM and re-arranged into recordings of the same shape that the dev items never were:

* ``gen_pair_A_B``: new pairs (questioner A, answerer B), short questions, long answers,
  0.15-1.2 s gaps, every eighth reply overlapping the question's end by 0.2-0.6 s;
* ``gen_three_A_B_C``: a new three-voice combination;
* ``gen_mono_A``: one voice alone (a monologue, ~2 min) — must stay one speaker;
* ``gen_phone_*``: a pair through phone codecs (8 kHz G.711 mu-law, GSM 06.10, Opus 12 kb/s);
* ``gen_long_A_B``: (on request) a 20-60 min interview repeating one pair's turns, for the
  long-recording consistency and speed figures.

Which items are held out (never used to choose a setting) is ``HELD_OUT`` below. Everything is
written to a cache folder (``$JOURNEYTAPE_BENCH_CACHE`` or ``~/.cache/journeytape/bench``),
never into the repository, and rebuilt only when missing. Deterministic (fixed seeds).
"""

from __future__ import annotations

import argparse
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("JOURNEYTAPE_EVAL", REPO.parent / "shared" / "eval"))
CACHE = Path(
    os.environ.get("JOURNEYTAPE_BENCH_CACHE", Path.home() / ".cache" / "journeytape" / "bench")
)
SR = 16000
DEV = ("ls_dialogue_dev_mf", "ls_dialogue_dev_ff", "ls_dialogue_dev_mm", "ls_dialogue_dev_3spk")

#: generated items; those in HELD_OUT are only ever reported, never tuned on
PAIRS = (("2414", "1998"), ("1688", "2609"), ("2033", "1688"), ("2609", "2033"))
THREES = (("2609", "1688", "2414"),)
MONOS = ("1688", "2609", "1998", "2414", "2033")
PHONE = {"ulaw": ["-ar", "8000", "-c:a", "pcm_mulaw", "-f", "wav"],
         "gsm": ["-ar", "8000", "-c:a", "libgsm", "-f", "gsm"],
         "opus": ["-ar", "16000", "-c:a", "libopus", "-b:a", "12k", "-f", "ogg"]}  # fmt: skip
#: tuned on: the first monologues (a count rule must see a real monologue), nothing else
TUNE_GENERATED = ("gen_mono_1688", "gen_mono_2609")


@dataclass
class Utterance:
    speaker: str
    samples: np.ndarray

    @property
    def seconds(self) -> float:
        return len(self.samples) / SR


def read_rttm(path: Path) -> list[tuple[float, float, str]]:
    out = []
    for line in path.read_text().splitlines():
        f = line.split()
        if f and f[0] == "SPEAKER":
            out.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return out


def _read_wav(path: Path) -> np.ndarray:
    import soundfile as sf

    x, sr = sf.read(path, dtype="float32", always_2d=True)
    assert sr == SR, path
    return x.mean(axis=1)


def utterances() -> dict[str, list[Utterance]]:
    """Every single-voice turn of the dev dialogues, by speaker (turns overlapping another
    speaker's are skipped, so each piece holds exactly one voice)."""
    pool: dict[str, list[Utterance]] = {}
    for item in DEV:
        x = _read_wav(EVAL / item / f"{item}.wav")
        turns = read_rttm(EVAL / item / f"{item}.rttm")
        for i, (a, b, spk) in enumerate(turns):
            if any(j != i and o[0] < b and o[1] > a for j, o in enumerate(turns)):
                continue
            pool.setdefault(spk, []).append(Utterance(spk, x[int(a * SR) : int(b * SR)]))
    return pool


def arrange(
    voices: tuple[str, ...], pool: dict[str, list[Utterance]], seconds: float, seed: int
) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """An interview: voices[0] asks (its shortest turns), the others answer in turn (their
    longest), with interview gaps and an overlap every eighth reply."""
    rng = np.random.default_rng(seed)
    asker = sorted(pool[voices[0]], key=lambda u: u.seconds)
    asks = asker[: max(3, len(asker) // 2)] if len(voices) > 1 else asker
    answers = {v: sorted(pool[v], key=lambda u: -u.seconds) for v in voices[1:]}
    out = np.zeros(int((seconds + 120) * SR), np.float32)
    turns: list[tuple[float, float, str]] = []
    t, k = 0.5, 0
    while t < seconds:
        if len(voices) == 1:
            seq = [asks[k % len(asks)]]
        else:
            who = voices[1 + k % (len(voices) - 1)]
            seq = [asks[k % len(asks)], answers[who][(k // (len(voices) - 1)) % len(answers[who])]]
        for n, u in enumerate(seq):
            if n == 1 and k % 8 == 7:  # the reply starts before the question ends
                start = max(turns[-1][0] + 0.5, t - float(rng.uniform(0.2, 0.6)))
            else:
                start = t
            a = int(start * SR)
            out[a : a + len(u.samples)] += u.samples
            turns.append((round(start, 3), round(start + u.seconds, 3), u.speaker))
            t = max(t, start + u.seconds) + float(rng.uniform(0.15, 1.2))
        k += 1
    end = int((turns and max(b for _, b, _ in turns) + 0.5 or 0) * SR)
    return out[:end], turns


def _write(folder: Path, name: str, x: np.ndarray, turns: list[tuple[float, float, str]]) -> Path:
    import soundfile as sf

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    wav = folder / f"{name}.wav"
    sf.write(wav, np.clip(x, -1, 1), SR, subtype="PCM_16")
    (folder / f"{name}.rttm").write_text(
        "".join(
            f"SPEAKER {name} 1 {a:.3f} {b - a:.3f} <NA> <NA> {s} <NA> <NA>\n" for a, b, s in turns
        )  # fmt: skip
    )
    (folder / f"{name}.uem").write_text(f"{name} 1 0.000 {len(x) / SR:.3f}\n")
    for p in folder.iterdir():
        p.chmod(0o600)  # speech: private like every interview file
    return wav


def _phone(src: Path, dst: Path, codec: list[str]) -> None:
    """Round-trip through a phone codec and back to 16 kHz PCM (what the pipeline reads)."""
    tmp = dst.with_suffix(".coded")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-ac", "1", *codec, str(tmp)],
                   check=True)  # fmt: skip
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(tmp), "-ar", str(SR), "-ac", "1",
                    "-c:a", "pcm_s16le", str(dst)], check=True)  # fmt: skip
    tmp.unlink()


def build(long_minutes: float = 0.0) -> list[Path]:
    """Make (or reuse) every generated item; returns their folders."""
    if not all((EVAL / d).is_dir() for d in DEV):
        return []
    made: list[Path] = []
    pool: dict[str, list[Utterance]] | None = None

    def item(name: str, voices: tuple[str, ...], seconds: float, seed: int) -> Path:
        nonlocal pool
        folder = CACHE / name
        if not (folder / f"{name}.uem").exists():
            pool = pool or utterances()
            x, turns = arrange(voices, pool, seconds, seed)
            _write(folder, name, x, turns)
        made.append(folder)
        return folder

    for i, pair in enumerate(PAIRS):
        item(f"gen_pair_{'_'.join(pair)}", pair, 170.0, 10 + i)
    for i, three in enumerate(THREES):
        item(f"gen_three_{'_'.join(three)}", three, 200.0, 20 + i)
    for i, voice in enumerate(MONOS):
        item(f"gen_mono_{voice}", (voice,), 120.0, 30 + i)
    src = CACHE / f"gen_pair_{'_'.join(PAIRS[0])}"
    for codec, args in PHONE.items():
        name = f"gen_phone_{codec}"
        folder = CACHE / name
        if not (folder / f"{name}.uem").exists():
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            _phone(src / f"{src.name}.wav", folder / f"{name}.wav", args)
            for ext in ("rttm", "uem"):
                text = (src / f"{src.name}.{ext}").read_text().replace(src.name, name)
                (folder / f"{name}.{ext}").write_text(text)
        made.append(folder)
    if long_minutes > 0:
        item(f"gen_long_{'_'.join(PAIRS[1])}_{long_minutes:g}min", PAIRS[1], long_minutes * 60, 99)
    return made


def is_held_out(item_id: str) -> bool:
    """Generated items (except the two tuning monologues) and AMI dev00 are never tuned on."""
    if item_id.startswith("gen_"):
        return item_id not in TUNE_GENERATED
    return "dev00" in item_id


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="build the generated speaker bench items")
    ap.add_argument("--long-minutes", type=float, default=0.0)
    args = ap.parse_args(argv)
    for folder in build(args.long_minutes):
        turns = read_rttm(folder / f"{folder.name}.rttm")
        end = max(b for _, b, _ in turns)
        spk = sorted({s for *_, s in turns})
        print(f"{folder.name:28s} {end:7.1f} s  {len(turns):4d} turns  speakers {spk}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
