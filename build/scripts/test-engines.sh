#!/usr/bin/env bash
# Starts (or stops) a private PostgreSQL and Redis on 127.0.0.1 for the cluster tier of `npm test`, and prints the
# variables that make the tests use them. Needs Debian's `postgresql` and `redis-server` packages.
#   eval "$(bash scripts/test-engines.sh start)"   # then: npm test
#   bash scripts/test-engines.sh stop
set -euo pipefail
PG_PORT="${PARLEY_TEST_PG_PORT:-55432}"
REDIS_PORT="${PARLEY_TEST_REDIS_PORT:-56379}"
BASE="${PARLEY_TEST_ENGINES_DIR:-/tmp/parley-test-engines}"
PG_USER=parley
PG_PASSWORD=parley

say() { echo "$*" >&2; }

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$dir" ]; then say "PostgreSQL is not installed (Debian: apt-get install -y postgresql)."; exit 1; fi
  echo "$dir"
}

# PostgreSQL refuses to run as root: as root, its files belong to the `postgres` account and it runs as that.
as_pg() {
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

start() {
  command -v redis-server >/dev/null || { say "Redis is not installed (Debian: apt-get install -y redis-server)."; exit 1; }
  local bin; bin="$(pg_bin)"
  mkdir -p "$BASE"
  if [ "$(id -u)" = "0" ]; then chown postgres "$BASE"; chmod 755 "$BASE"; fi
  if [ ! -f "$BASE/pg/PG_VERSION" ]; then
    as_pg "echo '$PG_PASSWORD' > '$BASE/pwfile' && '$bin/initdb' -D '$BASE/pg' -U $PG_USER --pwfile='$BASE/pwfile' \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >'$BASE/initdb.log' 2>&1"
  fi
  if ! as_pg "'$bin/pg_ctl' -D '$BASE/pg' status" >/dev/null 2>&1; then
    as_pg "'$bin/pg_ctl' -D '$BASE/pg' -l '$BASE/pg.log' -w -o \"-p $PG_PORT -k '$BASE' -c listen_addresses=127.0.0.1 -c max_connections=300\" start" >&2
  fi
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --pidfile "$BASE/redis.pid" --logfile "$BASE/redis.log" >&2
    for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "export PARLEY_TEST_DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
  echo "export PARLEY_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
  echo "export PARLEY_TEST_PG_CTL='$bin/pg_ctl -D $BASE/pg'"
}

stop() {
  local bin; bin="$(pg_bin)"
  as_pg "'$bin/pg_ctl' -D '$BASE/pg' -m fast stop" >&2 || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) say "usage: $0 start|stop"; exit 2 ;;
esac
