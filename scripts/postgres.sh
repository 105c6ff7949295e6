#!/usr/bin/env bash
# Start a throw-away PostgreSQL + PostGIS cluster on 127.0.0.1:$PGPORT and print its SQLAlchemy URL.
set -euo pipefail
PGPORT=${PGPORT:-54329}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DIR=${PGDATA_DIR:-/tmp/frontwatch-pg}
RUNAS=(); [ "$(id -u)" = 0 ] && RUNAS=(runuser -u postgres --)
if ! "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  rm -rf "$DIR"; mkdir -p "$DIR"; [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  "${RUNAS[@]}" "$PGBIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 >/dev/null
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/log" -w \
    -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
fi
for _ in $(seq 30); do "$PGBIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q && break; sleep 0.5; done
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qtAc "SELECT 1 FROM pg_database WHERE datname='frontwatch_test'" | grep -q 1 \
  || "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE frontwatch_test"
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d frontwatch_test -qc "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/frontwatch_test"
