# Quick start: `make run` serves the demo at http://127.0.0.1:$(PORT); `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# The flask commands read it too: emailed links and the hours statement point at this port.
export PORT
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run serve test lint bench clean help

help:
	@echo "make run    create .venv, install, migrate the SQLite database, seed the demo, serve on PORT ($(PORT))"
	@echo "make serve  production-style: migrate, then gunicorn (gunicorn.conf.py) on BIND or 127.0.0.1:PORT; docs/deploy.md"
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

# Production-style serving (docs/deploy.md): PORTAL_ENV is production unless set, so the settings are
# checked first and a missing secret is named; then the migrations (several instances starting at once
# are safe: migrations/env.py takes a PostgreSQL advisory lock), then gunicorn with gunicorn.conf.py
# (workers from the cores or WEB_CONCURRENCY, BIND or 127.0.0.1:PORT, access log on stdout).
serve: export PORTAL_ENV ?= production
serve: $(VENV)/.installed
	@$(BIN)/python -c "import wsgi; from sqlalchemy.engine import make_url; c = wsgi.app.config; \
		print(f'Serving {c[\"PUBLIC_URL\"]} ({c[\"ENV\"]}) from {make_url(c[\"SQLALCHEMY_DATABASE_URI\"])!r}')" || { \
		echo "make serve: set PORTAL_SECRET_KEY, PORTAL_SELF_ID_KEY, PORTAL_PUBLIC_URL and PORTAL_DATABASE_URL" \
			"(docs/deploy.md, \"Settings\"), or PORTAL_ENV=development to try it with the demo values." >&2; exit 1; }
	$(FLASK) init-db
	exec $(BIN)/gunicorn --access-logfile - wsgi:app

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
