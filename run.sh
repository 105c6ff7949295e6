#!/usr/bin/env bash
# Install FrontWatch (idempotent) and run the main job: ingest the example report, or the reports named,
# print their places and events, and serve the map. Usage: bash run.sh [REPORT...] [--no-serve] [--port N]
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install.sh
exec .venv/bin/frontwatch demo "$@"
