#!/usr/bin/env bash
# Starts (or stops) a private PostgreSQL and Redis on 127.0.0.1 for the cluster tier of `npm test`, and prints the
# variables that make the tests use them. Needs Debian's `postgresql` and `redis-server` packages.
#   eval "$(bash build/scripts/test-engines.sh start)"   # then: npm test   (idempotent: reuses running engines)
#   bash build/scripts/test-engines.sh status            # exit 0 when both answer
#   bash build/scripts/test-engines.sh stop
# As root, PostgreSQL (which refuses to run as root) runs as the `postgres` account; as anyone else, as that user.
# Everything lives in $PARLEY_TEST_ENGINES_DIR (default /tmp/parley-test-engines); ports 55432 and 56379 unless
# PARLEY_TEST_PG_PORT / PARLEY_TEST_REDIS_PORT say otherwise. Only the exports go to stdout; the rest to stderr.
set -euo pipefail
PG_PORT="${PARLEY_TEST_PG_PORT:-55432}"
REDIS_PORT="${PARLEY_TEST_REDIS_PORT:-56379}"
BASE="${PARLEY_TEST_ENGINES_DIR:-/tmp/parley-test-engines}"
PG_USER=parley
PG_PASSWORD=parley
# How long Redis may take to answer after it was started, in tenths of a second.
REDIS_START_TENTHS=50

say() { echo "test-engines: $*" >&2; }
fail() { say "$*"; exit 1; }

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$dir" ] || fail "PostgreSQL is not installed (Debian: apt-get install -y postgresql)."
  echo "$dir"
}

# PostgreSQL refuses to run as root: as root, its files belong to the `postgres` account and it runs as that.
as_pg() {
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

pg_running() { as_pg "'$1/pg_ctl' -D '$BASE/pg' status" >/dev/null 2>&1; }
redis_running() { redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; }

start() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
    fail "Redis is not installed (Debian: apt-get install -y redis-server)."
  local bin; bin="$(pg_bin)"
  mkdir -p "$BASE"
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || fail "running as root needs the 'postgres' account (Debian's postgresql package makes it)."
    chown postgres "$BASE"; chmod 755 "$BASE"
  elif [ ! -w "$BASE" ]; then
    fail "$BASE belongs to another user; set PARLEY_TEST_ENGINES_DIR to a folder of yours."
  fi
  if [ ! -f "$BASE/pg/PG_VERSION" ]; then
    rm -rf "$BASE/pg" 2>/dev/null || true # a half-made cluster from an interrupted run
    as_pg "echo '$PG_PASSWORD' > '$BASE/pwfile' && '$bin/initdb' -D '$BASE/pg' -U $PG_USER --pwfile='$BASE/pwfile' \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >'$BASE/initdb.log' 2>&1" ||
      fail "initdb failed; see $BASE/initdb.log"
  fi
  if ! pg_running "$bin"; then
    as_pg "'$bin/pg_ctl' -D '$BASE/pg' -l '$BASE/pg.log' -w -o \"-p $PG_PORT -k '$BASE' -c listen_addresses=127.0.0.1 -c max_connections=300\" start" >&2 ||
      { tail -n 20 "$BASE/pg.log" >&2 2>/dev/null || true; fail "PostgreSQL did not start on 127.0.0.1:$PG_PORT; its log is $BASE/pg.log"; }
  fi
  if ! redis_running; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --pidfile "$BASE/redis.pid" --logfile "$BASE/redis.log" >&2 || fail "redis-server did not start; see $BASE/redis.log"
    for _ in $(seq 1 "$REDIS_START_TENTHS"); do redis_running && break; sleep 0.1; done
    redis_running || fail "Redis does not answer on 127.0.0.1:$REDIS_PORT; its log is $BASE/redis.log"
  fi
  echo "export PARLEY_TEST_DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
  echo "export PARLEY_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
  echo "export PARLEY_TEST_PG_CTL='$bin/pg_ctl -D $BASE/pg'"
}

status() {
  local bin; bin="$(pg_bin)"
  local ok=0
  if pg_running "$bin"; then say "PostgreSQL runs on 127.0.0.1:$PG_PORT ($BASE/pg)"; else say "PostgreSQL is not running"; ok=1; fi
  if redis_running; then say "Redis runs on 127.0.0.1:$REDIS_PORT"; else say "Redis is not running"; ok=1; fi
  return "$ok"
}

stop() {
  local bin; bin="$(pg_bin)"
  if [ -f "$BASE/pg/PG_VERSION" ] && pg_running "$bin"; then as_pg "'$bin/pg_ctl' -D '$BASE/pg' -m fast -w stop" >&2 || true; fi
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start) start ;;
  status) status ;;
  stop) stop ;;
  *) say "usage: $0 start|status|stop"; exit 2 ;;
esac
