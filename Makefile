# Quick start: `make run` serves the demo at http://127.0.0.1:$(PORT); `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# The flask commands read it too: emailed links and the hours statement point at this port.
export PORT
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run test lint bench clean help

help:
	@echo "make run    create .venv, install, migrate the SQLite database, seed the demo, serve on PORT ($(PORT))"
	@echo "make test   install test dependencies and run the whole suite (PostgreSQL too with TEST_DATABASE_URL)"
	@echo "make bench  requests/s, latency and memory under gunicorn on loopback"
	@echo "make lint   ruff"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(FLASK) init-db
	$(FLASK) seed-demo
	@$(BIN)/python -c "import wsgi; from portal.config import mail_destination; \
		print(mail_destination(wsgi.app.config, 'http://127.0.0.1:$(PORT)'))"
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Load and memory figures on loopback (README, "Performance"); installs wrk when apt-get can.
bench: $(VENV)/.installed-test
	@command -v wrk >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1) || true
	$(BIN)/python tests/benchmark.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check portal tests migrations wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
