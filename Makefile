# Two commands that work on a fresh machine with Python 3.11+, Node.js with npm, and make:
#   make demo   — virtual environment, install, build the demo province, serve on 127.0.0.1:$(PORT)
#   make test   — install, lint, run the suite on SQLite (and on PostgreSQL if KPI_TEST_DATABASE_URL)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
STAMP  := $(VENV)/.installed
# The suite runs on every CPU (pytest-xdist): each worker process has its own database and its own
# Redis database; TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= logical
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS)

.PHONY: install assets translations demo serve test test-sqlite test-postgres lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Front-end packages (icons; axe-core for the browser tests), pinned by package-lock.json: npm ci
# runs again only when package.json or the lock changes; `npm run build` copies what the app
# serves into tenant_app/static/vendor/ (git-ignored; assets/build.mjs says what and why).
NODE_STAMP := node_modules/.installed
VENDOR     := tenant_app/static/vendor/icons.svg

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

$(VENDOR): $(NODE_STAMP) assets/build.mjs
	npm run --silent build

assets: $(VENDOR)

install: $(STAMP) translations assets

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d tenant_app/translations -D messages >/dev/null

demo: install
	KPI_DEMO=true $(BIN)/kpi demo
	$(MAKE) serve

serve: install
	KPI_DEMO=true $(BIN)/kpi run --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .

test: install lint test-sqlite test-postgres

test-sqlite: install
	KPI_TEST_BACKEND=sqlite $(PYTEST)

# The PostgreSQL pass (row-level security, the app role) runs when a server is given.
test-postgres: install
	@if [ -n "$$KPI_TEST_DATABASE_URL" ]; then \
		KPI_TEST_BACKEND=postgres $(PYTEST) -m "not browser"; \
	else echo "KPI_TEST_DATABASE_URL not set: PostgreSQL pass skipped"; fi

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o tenant_app/translations/messages.pot --no-location --sort-output tenant_app blueprints admin
	$(BIN)/pybabel update -i tenant_app/translations/messages.pot -d tenant_app/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis node_modules tenant_app/static/vendor
