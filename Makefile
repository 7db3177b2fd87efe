# Thin wrappers over nox sessions (noxfile.py); `make help` lists them. A pinned nox is
# bootstrapped into a git-ignored venv, so a fresh machine needs only python3 and make, and every
# developer and CI run the same nox.
NOX_VERSION := 2026.10.20
UV_VERSION := 0.13.9
NOX_VENV := .venv-nox
NOX := $(NOX_VENV)/bin/nox
# Extra arguments for the tool a target runs, e.g. `make test ARGS="-k cache -x"`.
ARGS ?=
POSARGS = $(if $(ARGS),-- $(ARGS))

.DEFAULT_GOAL := help

# Rebuilt when this file changes, so a new pin reaches every checkout.
$(NOX): Makefile
	python3 -m venv $(NOX_VENV)
	$(NOX_VENV)/bin/pip install --quiet --disable-pip-version-check \
		"nox==$(NOX_VERSION)" "uv==$(UV_VERSION)"
	touch $@

.PHONY: all  ## Before pushing: lint, typecheck and the whole test suite (plain `nox`)
all: $(NOX)
	$(NOX)

.PHONY: ci  ## What CI runs (.ci/run): `make test`, then `make gates`
ci: test gates

.PHONY: gates  ## The CI-tagged sessions (`nox -t ci`): lint, typecheck, types and audit checks
gates: $(NOX)
	$(NOX) -t ci

.PHONY: setup  ## Bootstrap nox and build the session venvs `make all` uses
setup: $(NOX)
	$(NOX) --install-only

.PHONY: test  ## Run the whole test suite (unit and smoke)
test: $(NOX)
	$(NOX) -s tests $(POSARGS)

.PHONY: smoke  ## Run every entry point as a user would
smoke: $(NOX)
	$(NOX) -s smoke $(POSARGS)

.PHONY: lint  ## Ruff lint and format check
lint: $(NOX)
	$(NOX) -s lint $(POSARGS)

.PHONY: typecheck  ## Strict mypy
typecheck: $(NOX)
	$(NOX) -s typecheck $(POSARGS)

.PHONY: demo  ## Run the main job on the embedded data
demo: $(NOX)
	$(NOX) -s demo $(POSARGS)

.PHONY: serve  ## Serve the dashboard and its API at http://127.0.0.1:8000 (ARGS="--port N")
serve: $(NOX)
	$(NOX) -s serve $(POSARGS)

.PHONY: dashboard  ## Unit-test and rebuild the dashboard (ARGS=--check: verify only; needs npm)
dashboard: $(NOX)
	$(NOX) -s dashboard $(POSARGS)

.PHONY: e2e  ## The dashboard in headless Chromium against a real qe-server
e2e: $(NOX)
	$(NOX) -s e2e $(POSARGS)

.PHONY: bench  ## Run the benchmarks
bench: $(NOX)
	$(NOX) -s bench $(POSARGS)

.PHONY: types  ## Regenerate the dashboard's TypeScript types (ARGS=--check: verify only)
types: $(NOX)
	$(NOX) -s types $(POSARGS)

.PHONY: audit  ## Regenerate audit data and run the hygiene gates (ARGS=--check: verify only)
audit: $(NOX)
	$(NOX) -s audit $(POSARGS)

.PHONY: clean  ## Remove caches, venvs and build artefacts (keeps the data home)
clean:
	rm -rf .nox $(NOX_VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

.PHONY: help  ## Show this list
help:
	@grep -E '^\.PHONY: [a-z0-9]+ +## ' $(MAKEFILE_LIST) | sed -E 's/^\.PHONY: ([a-z0-9]+) +## (.*)/  make \1\t\2/' | expand -t 18
