# Two commands do all the set-up on a fresh machine:
#   make demo   — install into .venv, then extract the bundled corpus into out/demo
#   make test   — install into .venv, then run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench corpus clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/casextract run corpus --out out/demo
	@echo "tables, text/ and run.json are in out/demo"

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pdf.py
	$(BIN)/python benchmarks/bench_nlp.py
	$(BIN)/python benchmarks/bench_batch.py

# regenerate the bundled PDFs from their specs (corpus/specs/*.json)
corpus: $(STAMP)
	$(BIN)/python -m pipeline.synthetic corpus/specs corpus

clean:
	rm -rf $(VENV) out
