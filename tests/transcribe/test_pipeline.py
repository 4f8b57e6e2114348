"""One file end to end: what the transcript records about how it was made, and the cache key."""

from __future__ import annotations

import dataclasses

import pytest

from journeytape import __version__
from journeytape.transcribe.pipeline import expected_key, transcribe_file
from journeytape.transcribe.settings import TranscribeSettings
from journeytape.transcribe.transcript import validate
from journeytape.transcribe.writers import write_outputs

from .conftest import espeak, run, wer


def test_transcript_records_models_settings_and_timings(en_transcript, tiny_settings):
    t = en_transcript
    validate(t.to_dict())
    asr = t.models["asr"]
    assert asr["name"] == "whisper-tiny.en" and asr["source"] == "registry"
    assert asr["compute_type"] == "int8" and asr["mode"] == "batched"
    assert asr["faster_whisper"] and asr["ctranslate2"] and asr["vad"] == "silero"
    assert t.models["diarization"] is None
    assert t.settings["model"] == "tiny.en" and t.settings["model_identity"] == (
        "registry:whisper-tiny.en"
    )
    assert t.settings_key == expected_key(tiny_settings)
    assert {"decode", "asr", "total", "rtf"} <= set(t.timings)
    assert "diarization" not in t.timings
    assert t.timings["total"] >= t.timings["asr"] > 0
    assert t.timings["rtf"] == pytest.approx(t.timings["total"] / t.recording.duration, rel=0.01)
    assert t.journeytape_version == __version__ and t.created.endswith("+00:00")
    assert t.warnings == []


def test_settings_key_changes_only_with_what_changes_results(tiny_settings):
    key = expected_key(tiny_settings)
    same = [dataclasses.replace(tiny_settings, threads=1, formats=("txt",))]
    other = [
        dataclasses.replace(tiny_settings, model="base"),
        dataclasses.replace(tiny_settings, beam_size=1),
        dataclasses.replace(tiny_settings, languages=("en", "nl")),
        dataclasses.replace(tiny_settings, diarize=True),
        dataclasses.replace(tiny_settings, vad=False),
    ]
    assert all(expected_key(s) == key for s in same)
    assert len({key, *(expected_key(s) for s in other)}) == len(other) + 1
    # the embedded model's alias and full name are the same model, hence the same key
    assert expected_key(dataclasses.replace(tiny_settings, model="whisper-tiny.en")) == key


@pytest.mark.slow
def test_two_voices_end_to_end_with_speaker_separation(speech_dir, tiny, tmp_path):
    import journeytape.transcribe.diarize  # noqa: F401  (a tracked module: never skipped)

    lines = [
        ("en-us", "Good morning. Can you tell me about your last train journey?"),
        ("en-us+f3", "Yes. I travelled to visit my sister and the train was very late."),
        ("en-us", "How did that make you feel?"),
        ("en-us+f3", "I was annoyed, because nobody explained what was happening."),
    ]
    parts = []
    for i, (voice, text) in enumerate(lines):
        parts.append(espeak(text, tmp_path / f"turn{i}.wav", voice=voice))
    pause = tmp_path / "pause.wav"
    run("sox", "-n", "-r", "22050", "-c", "1", pause, "trim", "0", "0.7")
    dialogue = tmp_path / "dialogue.wav"
    run("sox", parts[0], pause, parts[1], pause, parts[2], pause, parts[3], dialogue)

    settings = TranscribeSettings(model="tiny.en", diarize=True, num_speakers=2)
    t = transcribe_file(dialogue, settings, model=tiny)
    validate(t.to_dict())
    assert wer(" ".join(text for _, text in lines), t.text) < 0.2, t.text
    assert len(t.speakers) == 2
    assert t.models["diarization"] and "diarization" in t.timings
    speakers = [s.speaker for s in t.segments]
    assert None not in speakers
    # turns alternate: the first and third turn share a speaker, the second and fourth too
    first = {s.speaker for s in t.segments if "morning" in s.text.lower()}
    second = {s.speaker for s in t.segments if "sister" in s.text.lower()}
    assert first and second and first.isdisjoint(second)
    paths = write_outputs(t, tmp_path / "dialogue", ["json", "txt", "rttm"])
    assert (tmp_path / "dialogue.rttm") in paths
    txt = (tmp_path / "dialogue.txt").read_text()
    assert txt.count("[00:00:") >= 4  # four turns


def test_replacing_the_interviewer_voice_sample_changes_the_key(tmp_path):
    from journeytape.transcribe.settings import TranscribeSettings

    sample = tmp_path / "me.wav"
    sample.write_bytes(b"RIFF first recording of my voice")
    s = TranscribeSettings(interviewer_voice=str(sample))
    first = s.key()
    assert s.key() == first
    sample.write_bytes(b"RIFF a better recording of my voice")
    assert s.key() != first
    assert TranscribeSettings().key() != first
