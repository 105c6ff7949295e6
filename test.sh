#!/usr/bin/env bash
# Install everything (Debian packages, .venv, the model), start PostgreSQL + PostGIS, run the tests.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/system-deps.sh
bash scripts/install.sh
FRONTWATCH_TEST_PG=$(bash scripts/postgres.sh)
export FRONTWATCH_TEST_PG
export FRONTWATCH_HOME=${FRONTWATCH_HOME:-$PWD/.cache/frontwatch-home}
.venv/bin/ruff check src tests bench
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
