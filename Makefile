# Developer entry points; the real work lives in scripts/.
#   make demo      set up and serve the demo on http://127.0.0.1:8000/ (SQLite)
#   make test      the whole test suite (lint, SQLite, PostgreSQL, browser);
#                  PYTEST_ARGS="-x -k name" is passed to every pytest call
#   make lint      ruff check, ruff format --check, mypy (also a pre-commit hook)
#   make messages  refresh the vi/en catalogues and compile them
#   make clean     remove caches and generated files (keeps .venv, databases, .mo files)

VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: demo test lint messages clean

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh $(PYTEST_ARGS)

lint:
	bash scripts/bootstrap.sh --python-only
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy thidua bench scripts

messages:
	bash scripts/bootstrap.sh
	bash scripts/messages.sh

clean:
	find . -path ./.venv -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis var/screenshots
