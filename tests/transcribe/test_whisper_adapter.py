"""The faster-whisper adapter: fails as soon as the private API it drives changes.

The first tests need no model (a second): every private name the adapter uses must exist and
take the parameters it passes. The last ones make the adapter's calls with real models on real
speech and check what comes back has the shape the adapter's callers rely on.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib

import numpy as np
import pytest

from journeytape.transcribe import whisper_adapter as fw
from journeytape.transcribe.audio import decode

from .conftest import EN_TEXT, EN_WER_MAX, wer


def test_every_private_name_exists_with_the_parameters_the_adapter_passes():
    assert fw.api_problems() == []


def test_the_adapter_was_written_for_the_pinned_version(repo_dir):
    """Bumping the pin must come with a re-check of the adapter (its docstring says what)."""
    deps = tomllib.loads((repo_dir / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = [m[1] for d in deps if (m := re.fullmatch(r"faster-whisper==(\S+)", d))]
    assert pins == [fw.WRITTEN_FOR], (pins, "re-check transcribe/whisper_adapter.py")


def test_a_changed_private_api_is_reported(monkeypatch):
    """What an upgrade of faster-whisper could do to each kind of name the adapter uses."""
    import faster_whisper.transcribe as fwt
    import faster_whisper.vad as vad

    def restore(segments, chunks, sampling_rate):  # a renamed parameter (speech_chunks)
        return segments

    monkeypatch.setattr(fwt, "restore_speech_timestamps", restore)
    monkeypatch.delattr(fwt.BatchedInferencePipeline, "_batched_segments_generator")
    options = dataclasses.make_dataclass(
        "TranscriptionOptions",
        [f.name for f in dataclasses.fields(fwt.TranscriptionOptions)] + ["new_required"],
    )
    monkeypatch.setattr(fwt, "TranscriptionOptions", options)
    monkeypatch.setattr(vad, "VadOptions", dataclasses.make_dataclass("VadOptions", ["x"]))
    problems = "\n".join(fw.api_problems())
    assert "restore_speech_timestamps" in problems and "speech_chunks" in problems
    assert "_batched_segments_generator: missing" in problems
    assert "new ['new_required']" in problems
    assert "VadOptions has no ['max_speech_duration_s', 'min_silence_duration_ms']" in problems


def test_the_adapter_cuts_and_decodes_speech_with_tiny_en(tiny, en_wav, monkeypatch):
    audio = decode(en_wav).samples
    stamps = fw.speech_stamps(audio)
    assert stamps and all(0 <= s["start"] < s["end"] <= len(audio) for s in stamps)
    features, metadata = fw.window_features(tiny.model, audio, stamps)
    assert features.shape == (1, 80, 3000) and features.dtype == np.float32  # 13 s: one window
    assert metadata[0]["offset"] == 0 and 10 < metadata[0]["duration"] <= 30

    encoded = fw.encode(tiny.model, features)
    calls: list[int] = []
    encode = tiny.model.encode
    monkeypatch.setattr(tiny.model, "encode", lambda f: calls.append(len(f)) or encode(f))
    segments = list(
        fw.decode_batched(
            tiny.model,
            features,
            metadata,
            stamps,
            language="en",
            batch_size=8,
            encoded_first=encoded,
            beam_size=5,
        )
    )
    assert calls == []  # the first batch's encoder output was reused, not computed again
    assert wer(EN_TEXT, " ".join(s.text for s in segments)) < EN_WER_MAX
    words = [w for s in segments for w in s.words]
    assert len(words) >= 25
    last_speech = stamps[-1]["end"] / fw.SAMPLE_RATE
    assert all(
        0 <= w.start <= w.end <= last_speech + 0.05 and 0 <= w.probability <= 1 for w in words
    )
    assert all(isinstance(s.avg_logprob, float) and 0 <= s.no_speech_prob <= 1 for s in segments)


def test_language_probabilities_come_per_window_as_language_tokens(base, nl_wav):
    """What language.py reads: per window, ("<|xx|>", probability) for every language."""
    assert fw.is_multilingual(base.model) and "nl" in fw.language_codes()
    audio = decode(nl_wav).samples
    features, _ = fw.window_features(base.model, audio, fw.speech_stamps(audio))
    probs = fw.language_probabilities(base.model, fw.encode(base.model, features))
    assert len(probs) == len(features)
    tokens = dict(probs[0])
    assert all(re.fullmatch(r"<\|[a-z]{2,3}(_[a-z]+)?\|>", t) for t in tokens), list(tokens)[:5]
    assert sum(tokens.values()) == pytest.approx(1.0, abs=0.01)
    assert {"<|en|>", "<|nl|>", "<|de|>"} <= set(tokens)
