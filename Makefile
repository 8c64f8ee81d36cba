# The front door. `make run` serves the demo on http://127.0.0.1:8000 (SQLite);
# `make test` runs the suite (SQLite by default, PostgreSQL when DATABASE_URL points there).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format check messages bench bench-cases bench-volunteers bench-notifications clean

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Every process of the Procfile (web, worker, schedule) plus a local mail sink that prints each e-mail;
# Ctrl-C stops them all. Production runs the same processes from deploy/ (README, "Processes").
MAIL_PORT ?= 1025
run: $(VENV)/.runtime
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	cat Procfile deploy/mailsink.Procfile > $(VENV)/run.Procfile
	PATH="$(CURDIR)/$(BIN):$$PATH" DEBUG=true HOST=$(HOST) MAIL_PORT=$(MAIL_PORT) \
	  EMAIL_URL=smtp://127.0.0.1:$(MAIL_PORT) SITE_URL=http://$(HOST):$(PORT) \
	  $(BIN)/honcho --procfile $(VENV)/run.Procfile --app-root $(CURDIR) start --port $(PORT)

test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(VENV)/.dev
	DEBUG=true $(BIN)/python manage.py check
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=true $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

# Regenerate the translation catalogues after changing user-visible strings (needs gettext).
messages: $(VENV)/.dev
	DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --add-location=file --ignore=.venv --ignore=static
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Figures, not assertions: page timings and query counts on the database DATABASE_URL names.
bench: $(VENV)/.dev
	$(BIN)/python bench/bench_pages.py

# The shared case queries with 200,000 cases (BENCH_CASES); use a PostgreSQL database of its own.
bench-cases: $(VENV)/.dev
	$(BIN)/python bench/bench_cases.py

# Volunteer, activity, leaderboard and community pages with 20,000 volunteers (same database as bench-cases).
bench-volunteers: $(VENV)/.dev
	$(BIN)/python bench/bench_volunteers.py

# A whistle to 3 departments x 20 officers through a real worker and SMTP server (SQLite file unless DATABASE_URL).
bench-notifications: $(VENV)/.dev
	$(BIN)/python bench/bench_notifications.py
