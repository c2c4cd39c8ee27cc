# The two set-up commands of README.md: `make demo` and `make test`.
# Both create .venv with Python 3.11 (spyne 2.14 does not run on 3.12+) and
# install the project with its test extras on first use.
PYTHON ?= $(shell command -v python3.11 || echo python3.11)
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test serve bench wsdl clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required (spyne 2.14)"'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/smart-gateway demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

serve: $(STAMP)
	$(VENV)/bin/smart-gateway serve

bench: $(STAMP)
	$(VENV)/bin/python -m bench.submit_throughput

wsdl: $(STAMP)
	$(VENV)/bin/smart-gateway export-wsdl

clean:
	rm -rf $(VENV) smart-gateway.db*
