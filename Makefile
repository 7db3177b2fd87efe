# Thin wrappers over nox sessions; `make help` lists them. nox is bootstrapped into a
# git-ignored venv when it is not installed, so a fresh machine needs only python3 and make.
NOX_VENV := .venv-nox
NOX := $(or $(shell command -v nox 2>/dev/null),$(NOX_VENV)/bin/nox)
# Extra arguments for the tool a target runs, e.g. `make test ARGS="-k cache -x"`.
ARGS ?=

.DEFAULT_GOAL := help

$(NOX_VENV)/bin/nox:
	python3 -m venv $(NOX_VENV)
	$(NOX_VENV)/bin/pip install --quiet --disable-pip-version-check "nox>=2024.3.2" uv

.PHONY: setup  ## Install nox (if missing) and build the test venv
setup: $(NOX)
	$(NOX) -s tests --install-only

.PHONY: test  ## Run the whole test suite (unit and smoke)
test: $(NOX)
	$(NOX) -s tests $(if $(ARGS),-- $(ARGS))

.PHONY: smoke  ## Run every entry point as a user would
smoke: $(NOX)
	$(NOX) -s smoke $(if $(ARGS),-- $(ARGS))

.PHONY: lint  ## Ruff lint and format check
lint: $(NOX)
	$(NOX) -s lint $(if $(ARGS),-- $(ARGS))

.PHONY: typecheck  ## Strict mypy
typecheck: $(NOX)
	$(NOX) -s typecheck $(if $(ARGS),-- $(ARGS))

.PHONY: demo  ## Run the main job on the embedded data
demo: $(NOX)
	$(NOX) -s demo $(if $(ARGS),-- $(ARGS))

.PHONY: bench  ## Run the benchmarks
bench: $(NOX)
	$(NOX) -s bench $(if $(ARGS),-- $(ARGS))

.PHONY: types  ## Regenerate the dashboard's TypeScript types
types: $(NOX)
	$(NOX) -s types $(if $(ARGS),-- $(ARGS))

.PHONY: audit  ## Regenerate audit data and run the hygiene gates
audit: $(NOX)
	$(NOX) -s audit $(if $(ARGS),-- $(ARGS))

.PHONY: clean  ## Remove caches and build artefacts (keeps the data home)
clean:
	rm -rf .nox $(NOX_VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

.PHONY: help  ## Show this list
help:
	@grep -E '^\.PHONY: [a-z]+ +## ' $(MAKEFILE_LIST) | sed -E 's/^\.PHONY: ([a-z]+) +## (.*)/  make \1\t\2/' | expand -t 18
