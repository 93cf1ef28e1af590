# The two commands of the README:
#   make demo   set up, ingest the sample reports and their papers, verify, answer "which claims about XNLI are verified?"
#   make test   set up, lint, type-check and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

NEO4J_POM  := docker/neo4j/server/pom.xml
NEO4J_JARS := docker/neo4j/server/target/lib/.resolved

BROWSER    := tests/browser/node_modules/.package-lock.json
WEB        := api/web/vendor/.built

.PHONY: setup demo test lint bench clean neo4j neo4j-jars browser-deps screenshots web

setup: $(STAMP)
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory web; \
	 else echo "npm not found: kg serve will answer the API, but its page at / needs \`make web\` (Node.js)"; fi

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

demo: setup
	$(BIN)/kg ingest --offline examples/reports
	$(BIN)/kg papers import examples/papers.jsonl
	$(BIN)/kg verify
	$(BIN)/kg claims --benchmark XNLI --verified
	$(BIN)/kg claims --benchmark XNLI

# Neo4j Browser on the current graph: Neo4j 5.26 from Maven Central on 7474/7687, styled, with the saved queries.
neo4j: setup neo4j-jars
	$(BIN)/kg neo4j start

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Neo4j Community 5.26 and Neo4j Browser from Maven Central (cached in ~/.m2): the tests start a real server from them.
neo4j-jars: $(NEO4J_JARS)

$(NEO4J_JARS): $(NEO4J_POM)
	mvn -q -B -f $(NEO4J_POM) dependency:copy-dependencies -DoutputDirectory=target/lib
	touch $(NEO4J_JARS)

# The page's third-party browser code (cytoscape, Swagger UI, GraphiQL, React) from npm, copied into api/web/vendor.
web: $(WEB)

$(WEB): api/web/package.json api/web/package-lock.json api/web/vendor.mjs
	npm ci --prefix api/web --no-audit --no-fund --silent
	node api/web/vendor.mjs
	touch $(WEB)

# Real-browser tests: playwright-core from npm drives Debian's chromium (installed here when running as root).
browser-deps: $(BROWSER)
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "chromium is not installed and this is not root: the browser tests will be skipped"

$(BROWSER): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent

test: lint neo4j-jars browser-deps web
	$(BIN)/python -m pytest -q

# The README's pictures: the browser tests, keeping their screenshots in docs/img/.
screenshots: setup neo4j-jars browser-deps
	CLAIMGRAPH_SCREENSHOTS=docs/img $(BIN)/python -m pytest -q tests/integration/test_neo4j_local.py tests/integration/test_web_page.py

bench: setup
	$(BIN)/python -m bench.ingest_bench
	$(BIN)/python -m bench.cypher_bench
	$(BIN)/python -m bench.nli_bench
	$(BIN)/python -m bench.api_bench
	$(BIN)/python -m bench.read_under_write
	$(BIN)/python -m bench.extraction_eval

clean:
	rm -rf $(VENV) .claimgraph .pytest_cache .ruff_cache .mypy_cache docker/neo4j/server/target \
	  api/web/node_modules api/web/vendor tests/browser/node_modules
