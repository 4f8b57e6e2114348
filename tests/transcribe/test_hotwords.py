"""The guide's checklist words reach Whisper as hotwords (issue #20, "hear the checklist")."""

from __future__ import annotations

from journeytape.guide import example_guide_path, load_guide
from journeytape.transcribe.settings import TranscribeSettings

from .conftest import espeak


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def test_guide_hotwords_per_language():
    hot = load_guide(example_guide_path()).hotwords()
    assert set(hot) == {"en", "nl", "de"}
    assert "Selfserviceportaal" in hot["nl"] and "Servicedesk" in hot["nl"]
    assert "Störungsmeldung" in hot["de"]
    for text in hot.values():
        assert 100 < len(text) <= 400  # Whisper keeps ≤ 223 prompt tokens
        assert "*" not in text and "=" not in text


def test_hotwords_are_part_of_the_cache_key():
    plain = TranscribeSettings()
    hot = TranscribeSettings(hotwords={"nl": "servicedesk, selfserviceportaal"})
    assert plain.key() != hot.key()
    assert hot.result_settings()["hotwords"] == {"nl": "servicedesk, selfserviceportaal"}
    # transcripts made before hotwords existed keep their key
    assert "hotwords" not in plain.result_settings()


def test_hotwords_make_whisper_hear_a_dutch_compound(base, tmp_path):
    """base hears "selfserviceportaal" in espeak's Dutch only with the hotwords (bench.hotwords:
    checklist words heard 1/8 → 7/8 in nl, 3/8 → 5/8 in de)."""
    from journeytape.transcribe.asr import transcribe_audio
    from journeytape.transcribe.audio import decode

    wav = espeak(
        "Ik heb eerst het selfserviceportaal geprobeerd en toen de servicedesk gebeld.",
        tmp_path / "nl.wav",
        voice="nl",
    )
    audio = decode(wav).samples
    hot = load_guide(example_guide_path()).hotwords()
    with_hot = transcribe_audio(base, audio, language="nl", hotwords=hot)
    without = transcribe_audio(base, audio, language="nl")
    heard = _squash(" ".join(s.text for s in with_hot.segments))
    plain = _squash(" ".join(s.text for s in without.segments))
    assert "selfserviceportaal" in heard
    assert "selfserviceportaal" not in plain
