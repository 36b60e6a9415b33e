#!/usr/bin/env bash
# Checks that two nodes form one cluster: both answer /healthz, an account registered on the first signs in on the
# second (the accounts and the token key live in the shared PostgreSQL). Needs curl; SMOKE_CURL_ARGS adds options
# (e.g. "--cacert caddy-root.crt" for a proxy on Caddy's local CA).
#   bash deploy/cluster/smoke.sh http://127.0.0.1:3221 http://127.0.0.1:3222
set -euo pipefail
FIRST="${1:-http://127.0.0.1:3221}"
SECOND="${2:-http://127.0.0.1:3222}"
USER_NAME="smoke$(date +%s)$RANDOM"
PASSWORD="smoke-test-password-1"

fail() { echo "smoke: FAILED: $*" >&2; exit 1; }
read -r -a CURL_ARGS <<< "${SMOKE_CURL_ARGS:-}"
post() { curl -sS -m 10 "${CURL_ARGS[@]}" -H 'content-type: application/json' -d "$2" "$1"; }

for node in "$FIRST" "$SECOND"; do
  curl -fsS -m 5 "${CURL_ARGS[@]}" "$node/healthz" >/dev/null || fail "$node/healthz does not answer"
done
body="{\"userAccount\":\"$USER_NAME\",\"userPassword\":\"$PASSWORD\"}"
registered="$(post "$FIRST/app/chat/user/register" "$body")"
echo "$registered" | grep -q '"RES_OK"' || fail "register on $FIRST answered: $registered"
login="$(post "$SECOND/app/chat/user/login" "$body")"
echo "$login" | grep -q '"accessToken"' || fail "login on $SECOND answered: $login"
echo "smoke: ok: both nodes answer; $USER_NAME registered on $FIRST signed in on $SECOND"
