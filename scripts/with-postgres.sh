#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server on a loopback port.
# Installs PostgreSQL from Debian packages when missing; stops the server after.
set -euo pipefail

find_pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
PGBIN="$(find_pgbin)"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL is missing: installing it from Debian packages" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  PGBIN="$(find_pgbin)"
fi

DIR="$(mktemp -d /tmp/rapport-pg.XXXXXX)"
AS=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root; the Debian package made a postgres user.
  # (cd / so the postgres user is not left in a directory it cannot read.)
  chown postgres "$DIR"
  AS=(env -C / runuser -u postgres --)
fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

"${AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >"$DIR/initdb.log"
stop() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT
# Tests trade durability for speed; benchmarks that claim "durably written" keep it
# (PG_DURABLE=1: PostgreSQL's defaults, fsync on every commit).
SAFETY="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [ "${PG_DURABLE:-0}" = "1" ]; then SAFETY=""; fi
"${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR $SAFETY -c max_connections=200 -c shared_buffers=512MB -c max_wal_size=4GB" \
  start >/dev/null
"${AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres rapport
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/rapport"
"$@"
