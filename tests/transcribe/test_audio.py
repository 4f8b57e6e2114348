"""Decoding: every phone/video format to 16 kHz mono, clear errors, bounded memory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from journeytape.files import sha256_file
from journeytape.transcribe.audio import SAMPLE_RATE, AudioError, decode

from .conftest import BAD_MESSAGES, ENCODINGS, run


def test_wav_decodes_to_16k_mono_float32_with_source_metadata(en_wav):
    a = decode(en_wav)
    assert a.samples.dtype == np.float32 and a.samples.ndim == 1
    assert a.sample_rate == SAMPLE_RATE
    assert a.channels is None  # mono source
    assert a.info.sample_rate == 22050 and a.info.channels == 1  # of the SOURCE
    assert a.info.sha256 == sha256_file(en_wav)
    assert a.info.size_bytes == en_wav.stat().st_size
    assert a.info.format == "wav/pcm_s16le"
    assert a.info.duration == pytest.approx(len(a.samples) / SAMPLE_RATE, abs=1e-3)
    assert 8 < a.info.duration < 20
    assert 0.05 < np.abs(a.samples).max() <= 1.0
    assert a.warnings == []


@pytest.mark.parametrize("fmt", sorted(ENCODINGS))
def test_every_phone_format_decodes_to_the_same_audio_length(fmt, encoded, en_wav):
    ref = decode(en_wav)
    a = decode(encoded[fmt])
    assert a.samples.dtype == np.float32 and a.sample_rate == SAMPLE_RATE
    # codecs add a few ms of priming/padding; AMR works in 20 ms frames
    assert a.info.duration == pytest.approx(ref.info.duration, abs=0.15), fmt
    assert a.warnings == []
    assert a.info.format and "/" in a.info.format


def test_stereo_source_keeps_both_channels_for_diarization(en_wav, tmp_path):
    # voice on the left channel only, silence on the right (one-voice-per-channel recorders)
    stereo = tmp_path / "left_only.flac"
    run("sox", en_wav, stereo, "remix", "1", "0")
    a = decode(stereo)
    assert a.info.channels == 2
    assert a.channels is not None and a.channels.shape == (2, len(a.samples))
    assert a.channels.dtype == np.float32
    left, right = np.abs(a.channels).max(axis=1)
    assert left > 0.05 and right < 1e-3
    np.testing.assert_allclose(a.samples, a.channels.mean(axis=0), atol=1e-6)


@pytest.mark.parametrize("kind", sorted(BAD_MESSAGES))
def test_each_bad_input_raises_one_clear_line(kind, bad_files):
    with pytest.raises(AudioError) as err:
        decode(bad_files[kind])
    msg = str(err.value)
    assert BAD_MESSAGES[kind] in msg.lower(), msg
    assert "\n" not in msg and len(msg) < 200


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(AudioError, match="file not found"):
        decode(tmp_path / "nope.m4a")


def test_unreadable_file_says_permission_denied(en_wav, tmp_path):
    """Root reads everything; as root the check runs in a child without the capabilities
    that override file permissions (setpriv), like an ordinary user."""
    locked = tmp_path / "locked.wav"
    locked.write_bytes(en_wav.read_bytes())
    locked.chmod(0o000)
    try:
        if os.geteuid() != 0:
            with pytest.raises(AudioError, match="permission denied"):
                decode(locked)
            return
        if shutil.which("setpriv") is None:
            pytest.skip("running as root and setpriv (util-linux) is missing")
        code = (
            "from journeytape.transcribe.audio import decode, AudioError\n"
            f"try:\n    decode({str(locked)!r})\nexcept AudioError as e:\n    print(e)\n"
        )
        drop = "-dac_override,-dac_read_search"
        out = subprocess.run(
            ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", sys.executable, "-c", code],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert "permission denied" in out.stdout, out.stdout + out.stderr
    finally:
        locked.chmod(0o644)


def test_truncated_files_give_partial_audio_and_a_warning(en_wav, encoded, tmp_path):
    full = decode(en_wav).info.duration
    cut_wav = tmp_path / "cut.wav"
    cut_wav.write_bytes(en_wav.read_bytes()[: en_wav.stat().st_size // 2])
    a = decode(cut_wav)
    assert a.info.duration == pytest.approx(full / 2, abs=0.3)
    assert any("truncated" in w for w in a.warnings), a.warnings

    cut_mp3 = tmp_path / "cut.mp3"
    data = encoded["mp3"].read_bytes()
    cut_mp3.write_bytes(data[: len(data) // 2])
    b = decode(cut_mp3)
    assert b.info.duration < full * 0.7


def test_silence_can_be_allowed_explicitly(bad_files):
    a = decode(bad_files["silence"], allow_silence=True)
    assert a.info.duration == pytest.approx(4.0, abs=0.01)


def test_quiet_noise_is_not_silence(tmp_path):
    hum = tmp_path / "room.wav"
    run("sox", "-n", "-r", "16000", "-c", "1", hum, "synth", "3", "brownnoise", "vol", "0.01")
    assert decode(hum).info.duration == pytest.approx(3.0, abs=0.01)


def test_decoding_streams_into_one_array(tmp_path):
    """Ten minutes of 44.1 kHz stereo decode with (almost) no memory beyond the 16 kHz
    arrays: peak traced allocations stay close to mono + both channels at 16 kHz."""
    long = tmp_path / "long.flac"
    run("sox", "-n", "-r", "44100", "-c", "2", long, "synth", "600", "pinknoise", "vol", "0.1")
    tracemalloc.start()
    try:
        a = decode(long)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert a.info.duration == pytest.approx(600, abs=0.1)
    kept = a.samples.nbytes + a.channels.nbytes  # 38.4 MB + 76.8 MB
    source_pcm = 600 * 44100 * 2 * 4  # what a decode-everything-first approach would hold
    assert peak < kept * 1.1 + 8e6, (peak, kept)
    assert peak < kept + source_pcm / 4
