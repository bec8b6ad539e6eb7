# The two quick-start commands are `make run` and `make test` (README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup setup-test system-packages system-packages-test messages lint check-deploy backup restore

run: system-packages $(STAMP) messages
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	@echo "Serving at http://127.0.0.1:8000 — log in with a demo account above."
	@# The task worker writes large Excel exports beside the server; it stops with it.
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: system-packages-test $(STAMP) messages
	$(BIN)/python -m pytest

setup: system-packages $(STAMP) messages

system-packages:
	@scripts/system-packages.sh run

system-packages-test:
	@scripts/system-packages.sh test

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

messages: $(STAMP)
	@$(BIN)/python manage.py compilemessages -l en --ignore=.venv -v0

# ruff, then the layer contracts of .importlinter: the kernel imports no app, and the apps depend
# one way (a back-edge fails here).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Backups of DATABASE_URL's database (pg_dump custom format; the SQLite file without it).
#   make backup [FILE=backups/x.dump]    make restore FILE=backups/x.dump
backup:
	@scripts/backup.sh backup $(FILE)

restore:
	@scripts/backup.sh restore $(FILE)
