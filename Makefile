# Two commands matter: `make run` and `make test`. Everything else is set up on the way.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
ARGS ?=

.PHONY: run test lint format bench lock browser-deps clean

# Find a Python >= 3.12 (Django 6 needs it); the machine's default python3 may be older.
$(PY):
	@py=""; for candidate in python3.13 python3.12 python3.14 python3; do \
	  if command -v $$candidate >/dev/null 2>&1 && \
	     $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    py=$$candidate; break; fi; done; \
	if [ -z "$$py" ]; then \
	  echo "error: this project needs Python 3.12 or newer (python3.13 or python3.12 on PATH); none was found." >&2; \
	  exit 1; fi; \
	echo "Creating $(VENV) with $$($$py --version)"; \
	$$py -m venv $(VENV)

# Exact versions, checked by hash: requirements.lock is resolved from pyproject.toml by `make lock`.
$(STAMP): pyproject.toml requirements.lock | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	@touch $@

# After changing a dependency in pyproject.toml: resolve and pin every version again.
lock: | $(PY)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 \
	  --generate-hashes --quiet -o requirements.lock

run: $(STAMP)
	DEBUG=true $(PY) manage.py migrate --no-input
	DEBUG=true $(PY) manage.py load_questions
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP) browser-deps
	$(PY) -m pytest $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check templates
	git ls-files -z '*.py' | xargs -0 $(VENV)/bin/django-upgrade --target-version 6.1 --check
	$(VENV)/bin/mypy
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml templates

# Each page as a share of a bare view (bench/run.py); then two app servers as one
# (bench/two_servers.py: needs DATABASE_URL on PostgreSQL and REDIS_URL, else says it skipped).
bench: $(STAMP)
	$(PY) -m bench.run
	$(PY) -m bench.two_servers

# Browser tests drive Debian's Chromium; install it when we may (root with apt), else say how.
browser-deps:
	@sh scripts/ensure-chromium.sh

clean:
	rm -rf $(VENV) staticfiles test-results .pytest_cache .ruff_cache *.egg-info
