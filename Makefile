# The README's commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench install migrate seed clean

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo ""
	@echo "  Journeymap is starting at http://$(HOST):$(PORT)/"
	@echo "  Sign in as demo / journeymap-demo (owner of the demo workspace)."
	@echo ""
	$(VENV)/bin/uvicorn journeymap.asgi:application --host $(HOST) --port $(PORT) --timeout-graceful-shutdown 5

# PostgreSQL and Redis: the ones answering locally, or private ones started (and stopped) for the run.
test: install
	@scripts/ensure-system-packages
	@$(PY) scripts/with-test-services $(PY) -m pytest $(PYTEST_ARGS)

bench: install
	@scripts/ensure-system-packages
	@$(PY) scripts/with-test-services sh -c 'DATABASE_URL="$${DATABASE_URL%/*}/journeymap_bench" \
	  DJANGO_SETTINGS_MODULE=journeymap.settings.test exec $(PY) bench/run.py'

clean:
	rm -rf $(VENV) staticfiles test-db.sqlite3 .pytest_cache
