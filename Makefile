# Every target creates .venv when it is missing and installs the project into it first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test system-deps demo bench lint build kit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The tests need LibreOffice, a browser, pdftotext and a Chinese font: .ci/system-deps installs
# what is missing (as root or with sudo -n) or stops with one line saying what to install.
test: system-deps $(STAMP)
	$(BIN)/python -m pytest -q

system-deps:
	@sh .ci/system-deps

demo: $(STAMP)
	$(BIN)/taizhang demo -o demo-out

bench: $(STAMP)
	$(BIN)/python -m compileall -q addin schemas  # as a wheel install would: time our code, not the compiler
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

build: $(STAMP)
	$(BIN)/python build.py

kit: $(STAMP)
	$(BIN)/python build.py --kit

clean:
	rm -rf dist demo-out .pytest_cache
