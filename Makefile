# Statements Archive. `make run` sets everything up and serves; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export ARCHIVE_DATA_DIR ?= $(CURDIR)/var
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run serve test test-fast lint migrations-check browser-deps bench eval index-worker clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.requirements: requirements.txt | $(VENV)/bin/activate
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.requirements-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.requirements

## setup: everything `run` needs, without serving (venv, packages, database, seed data, index)
setup: $(VENV)/.requirements
	mkdir -p "$(ARCHIVE_DATA_DIR)"
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed
	$(PY) manage.py rebuild_index --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0

## run: set up, then serve on http://127.0.0.1:8000 with the search-index queue worker beside it
run: setup
	@echo "Serving on http://$(HOST):$(PORT)/ (admin at /admin/; create a login with: $(PY) manage.py createsuperuser)"
	$(PY) manage.py process_index_queue --loop & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

## test: the whole suite, after checking that migrations are up to date
test: $(VENV)/.requirements-dev browser-deps migrations-check
	$(PY) -m pytest

migrations-check: $(VENV)/.requirements
	$(PY) manage.py makemigrations --check --dry-run

lint: $(VENV)/.requirements-dev
	$(VENV)/bin/ruff check .

## browser-deps: Debian's Chromium for the Playwright tests (a browser download cannot work here)
browser-deps:
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## bench: the synthetic-archive benchmark (ARTICLES=100000 for about 1M quotes)
bench: $(VENV)/.requirements-dev
	$(PY) manage.py bench --articles $(or $(ARTICLES),10000)

## eval: quote extraction scored against the development set in ../shared/eval
EVAL_DIR ?= ../shared/eval
eval: $(VENV)/.requirements
	@if [ ! -d "$(EVAL_DIR)/polnear-train/articles" ]; then \
	  echo "make eval: the development set is not here ($(EVAL_DIR)/polnear-train); it lives in the shared folder beside the project."; exit 1; fi
	$(PY) manage.py extract_quotes $(EVAL_DIR)/polnear-train/articles/*.txt > "$(ARCHIVE_DATA_DIR)/eval-predictions.jsonl"
	$(PY) $(EVAL_DIR)/score_quotes.py $(EVAL_DIR)/polnear-train/gold.jsonl "$(ARCHIVE_DATA_DIR)/eval-predictions.jsonl" --ignore $(EVAL_DIR)/polnear-train/ignore.jsonl

clean:
	rm -rf staticfiles .pytest_cache
