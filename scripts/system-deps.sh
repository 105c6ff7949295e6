#!/usr/bin/env bash
# Debian packages the tests start for real: PostgreSQL + PostGIS and headless Chromium.
set -euo pipefail
need=()
for pkg in postgresql postgis postgresql-15-postgis-3 chromium chromium-driver; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}"
fi
