# Two commands do all the set-up on a fresh machine:
#   make demo   — install into .venv, then extract the bundled corpus into out/demo
#   make test   — install into .venv, then run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed-test

.PHONY: demo test bench fuzz corpus real-corpus eval-real clean

# the runtime alone: what `make demo` needs
$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	# an editable install leaves the package uncompiled (pip compiles a regular one): without
	# bytecode every run compiles it again where PYTHONDONTWRITEBYTECODE is set (0.25 s a run here)
	$(BIN)/python -m compileall -q pipeline
	touch $(RUNTIME)

# the test suite, the development tools and the Ray engine on top
$(STAMP): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[test,ray]'
	touch $(STAMP)

demo: $(RUNTIME)
	$(BIN)/casextract run corpus --out out/demo
	@echo "tables, text/ and run.json are in out/demo"

test: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engines.py
	$(BIN)/python benchmarks/bench_pdf.py
	$(BIN)/python benchmarks/bench_nlp.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_damaged.py

# the fuzz campaign (5,000 mutated PDFs and texts, ~40 min on 2 cores) and the decompression-bomb batch;
# tests/test_fuzz.py runs a short one of each in the test suite
fuzz: $(STAMP)
	nice -n 10 $(BIN)/python benchmarks/fuzz.py --out out/fuzz
	$(BIN)/python benchmarks/fuzz.py --bombs --out out/bombs

# regenerate the bundled PDFs from their specs (corpus/specs/*.json)
corpus: $(STAMP)
	$(BIN)/python tools/journal_pdf.py corpus/specs corpus

# the 45 real case reports of ../shared as inputs: web text, two-column and one-column PDFs (git-ignored)
real-corpus: $(STAMP)
	$(BIN)/python tools/real_corpus.py --out out/real/inputs

# accuracy on the real reports: dev and test F1 per field, text and PDF paths (gold/real, SPLITS.json)
eval-real: $(STAMP)
	$(BIN)/python tools/eval_real.py

clean:
	rm -rf $(VENV) out
