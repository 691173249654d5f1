# Two commands do everything on a fresh machine:  make run   and   make test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

export HF_HUB_DISABLE_TELEMETRY = 1
export ANONYMIZED_TELEMETRY = False
export GRADIO_ANALYTICS_ENABLED = False
export TOKENIZERS_PARALLELISM = false

.PHONY: run test test-fast lint install index bench clean sysdeps-run sysdeps-test

# system packages: CJK fonts for the pages, Debian's chromium for the browser tests
sysdeps-run:
	@sh scripts/sysdeps.sh fonts-noto-cjk

sysdeps-test:
	@sh scripts/sysdeps.sh fonts-noto-cjk chromium

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

index: install
	HF_HUB_OFFLINE=1 $(BIN)/reviewqa index

run: sysdeps-run index
	HF_HUB_OFFLINE=1 $(BIN)/reviewqa serve --host 127.0.0.1 --port 7860

test: sysdeps-test install
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

# every test that needs no real model (no embedder, no LLM): seconds, for the edit-test loop
test-fast: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -m "not slow"

lint: install
	$(BIN)/ruff check assistant tests benchmarks
	$(BIN)/ruff format --check assistant tests benchmarks

bench: index
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/run.py
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/faithfulness.py

clean:
	rm -rf index/store index/.reviewqa-build-store-* index/.reviewqa-old-store-*
