# Two entry points on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= ./data
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test typecheck lint venv clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install -q -e .

run: venv
	@if [ ! -f $(DATA)/mitwirken.toml ]; then \
	  $(BIN)/mitwirken init --data $(DATA) --url http://$(HOST):$(PORT) \
	    --name "Engagierte Stadt Musterstadt" --city-username musterstadt; \
	fi
	$(BIN)/mitwirken demo --data $(DATA)
	MITWIRKEN_ALLOW_PRIVATE_NETWORK=1 $(BIN)/mitwirken serve --data $(DATA) --host $(HOST) --port $(PORT)

test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# mypy over models/ and federation/ ([tool.mypy] in pyproject.toml; needs the test extras, which
# `make test` installs). mypy cannot follow the editable install's import hook, so it reads the
# folders through a git-ignored tree of links that spells their import names.
typecheck: $(BIN)/python
	@mkdir -p .mypy_path/mitwirken
	@ln -sfn ../../models .mypy_path/mitwirken/models
	@ln -sfn ../../federation .mypy_path/mitwirken/federation
	$(BIN)/mypy

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(DATA)

# The English catalogue of the HTML pages (docs/WEB.md, "Translating"): extract every marked
# German string of the templates and of server/, then add the new ones to
# server/web/locale/en/LC_MESSAGES/messages.po (empty msgstr: to translate) and drop the stale.
messages: $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg --no-location --omit-header --sort-output \
	  -o $(VENV)/messages.pot .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d server/web/locale -D messages -l en \
	  --no-fuzzy-matching --ignore-obsolete --no-wrap
