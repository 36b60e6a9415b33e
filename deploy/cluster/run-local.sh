#!/usr/bin/env bash
# Runs two Parley nodes from the built bundle on loopback against one PostgreSQL and one Redis: the cluster on one
# machine, to try it out or to test against. Prints both addresses; Ctrl+C stops both (each drains as on SIGTERM).
#   npm run build:server
#   eval "$(bash build/scripts/test-engines.sh start)"     # or set PARLEY_DATABASE_URL and PARLEY_REDIS_URL
#   bash deploy/cluster/run-local.sh
# Without PARLEY_DATABASE_URL it uses the test engine's PostgreSQL (PARLEY_TEST_DATABASE_URL) with a database of its
# own, parley_local, created when missing. Ports: PARLEY_LOCAL_PORTS (default "3221 3222"); folders under
# PARLEY_LOCAL_DIR (default ./.parley-cluster): node-1/ and node-2/ (each node's PARLEY_DATA_DIR) and attachments/,
# which both nodes' attachments folders link to (every node must reach every attachment's bytes).
set -euo pipefail
cd "$(dirname "$0")/../.."
PORTS=(${PARLEY_LOCAL_PORTS:-3221 3222})
BASE="${PARLEY_LOCAL_DIR:-./.parley-cluster}"
LOCAL_DATABASE=parley_local
# How long a node may take to answer /healthz after it was started, in tenths of a second.
START_TENTHS=300

say() { echo "run-local: $*" >&2; }
fail() { say "$*"; exit 1; }

for file in out/server/cli.js out/server/store-worker.js out/server/pg-io-thread.js; do
  [ -f "$file" ] || fail "$file is missing: run 'npm run build:server' first."
done
[ -d node_modules/pg ] && [ -d node_modules/ioredis ] ||
  fail "node_modules lacks pg or ioredis: run 'npm ci' (a deployment: 'npm ci --omit=dev') first."

# The engines: given, or the test engines' (with a database of this script's own).
if [ -z "${PARLEY_DATABASE_URL:-}" ]; then
  [ -n "${PARLEY_TEST_DATABASE_URL:-}" ] ||
    fail "set PARLEY_DATABASE_URL, or start the test engines: eval \"\$(bash build/scripts/test-engines.sh start)\""
  PARLEY_DATABASE_URL="$(node --input-type=module -e "
    import pg from 'pg'
    const admin = new pg.Client({ connectionString: process.argv[1] })
    await admin.connect()
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = \$1', [process.argv[2]])
    if (found.rowCount === 0) await admin.query('CREATE DATABASE ' + process.argv[2])
    await admin.end()
    const url = new URL(process.argv[1]); url.pathname = '/' + process.argv[2]; console.log(url.toString())
  " "$PARLEY_TEST_DATABASE_URL" "$LOCAL_DATABASE")" || fail "could not reach PostgreSQL at $PARLEY_TEST_DATABASE_URL"
fi
PARLEY_REDIS_URL="${PARLEY_REDIS_URL:-${PARLEY_TEST_REDIS_URL:-}}"
[ -n "$PARLEY_REDIS_URL" ] || fail "set PARLEY_REDIS_URL, or start the test engines (see above)."
export PARLEY_DATABASE_URL PARLEY_REDIS_URL

mkdir -p "$BASE/attachments"
pids=()
stop() {
  trap - INT TERM EXIT
  [ "${#pids[@]}" -eq 0 ] && return
  say "stopping the nodes"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap 'stop; exit 130' INT TERM
trap stop EXIT

healthy() { node -e "fetch('http://127.0.0.1:$1/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; }

index=0
for port in "${PORTS[@]}"; do
  index=$((index + 1))
  dir="$BASE/node-$index"
  mkdir -p "$dir"
  [ -e "$dir/attachments" ] || ln -s "$(cd "$BASE/attachments" && pwd)" "$dir/attachments"
  healthy "$port" 2>/dev/null && fail "port $port is taken (another server answers there); set PARLEY_LOCAL_PORTS."
  # Each node's lines on this terminal, prefixed with its name.
  PARLEY_HOST=127.0.0.1 PARLEY_PORT="$port" PARLEY_DATA_DIR="$dir" \
    node out/server/cli.js > >(sed -u "s/^/[node-$index] /") 2>&1 &
  pids+=("$!")
done

index=0
for port in "${PORTS[@]}"; do
  index=$((index + 1))
  for _ in $(seq 1 "$START_TENTHS"); do
    healthy "$port" && break
    kill -0 "${pids[$((index - 1))]}" 2>/dev/null || fail "node $index stopped at start (its lines are above)."
    sleep 0.1
  done
  healthy "$port" || fail "node $index does not answer on 127.0.0.1:$port."
done

redacted_database="$(echo "$PARLEY_DATABASE_URL" | sed -E 's#//([^:/@]+):[^@]*@#//\1:***@#')"
echo
echo "Parley cluster on loopback (PostgreSQL $redacted_database, Redis $PARLEY_REDIS_URL):"
index=0
for port in "${PORTS[@]}"; do
  index=$((index + 1))
  echo "  node $index: http://127.0.0.1:$port   (WebSocket ws://127.0.0.1:$port/ws, data $BASE/node-$index)"
done
echo "A client may use either: PARLEY_SERVER_URL=http://127.0.0.1:${PORTS[0]} npm run web"
echo "Ctrl+C stops both."
echo

# Until Ctrl+C (which reaches the nodes too: each shuts down and exits 0), or until a node stops by itself (then the
# other is stopped too).
set +e
wait -n "${pids[@]}"
code=$?
[ "$code" -eq 0 ] && exit 0
say "a node stopped by itself with exit code $code (its lines are above)"
exit 1
