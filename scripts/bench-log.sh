#!/usr/bin/env bash
# The publication log at scale (issue 14's speed targets): appends 10,000,000
# entries to a log of its own (target/bench/log.db, generated once; delete it to
# regenerate) printing each million's time, then serves it with the release
# server and prints the latency of the tiles an inclusion proof reads (single
# client, p50/p99), then 1,000 more entries and the browser's whole check in
# Chromium (checkpoint signature, inclusion proof, consistency with the
# checkpoint seen before the 1,000), cold and warm.
#
#   scripts/bench-log.sh [--entries N]   (size of a new log; default 10,000,000)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$ROOT/scripts/setup.sh" --browser
cd "$ROOT"
build_site
log "cargo build --release --example log_bench"
cargo build --release -q -p gongkai-tests --example log_bench
BENCH="$ROOT/target/release/examples/log_bench"
DB="${GONGKAI_BENCH_LOG_DB:-$ROOT/target/bench/log.db}"
PORT="${GONGKAI_BENCH_PORT:-3997}"
mkdir -p "$(dirname "$DB")"
if [ ! -f "$DB" ]; then
  log "appending to $DB"
  "$BENCH" append "$DB.partial" "$@"
  mv "$DB.partial" "$DB"
  rm -f "$DB.partial-wal" "$DB.partial-shm"
fi

SERVER=
trap 'kill $SERVER 2>/dev/null || true' EXIT
serve() { # the release server on the log, in the background, once it answers
  LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD GONGKAI_DEMO=0 \
    LEPTOS_SITE_ADDR="127.0.0.1:$PORT" GONGKAI_DATABASE="$DB" RUST_LOG=warn \
    "$ROOT/target/release/server" serve &
  SERVER=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$PORT/log/checkpoint" > /dev/null && return 0
    sleep 0.5
  done
  echo "the server did not start" >&2
  exit 1
}
stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }

serve
"$BENCH" tiles "http://127.0.0.1:$PORT"
BEFORE="$(mktemp)"
curl -sf "http://127.0.0.1:$PORT/log/checkpoint" > "$BEFORE"
stop
"$BENCH" append "$DB" --entries 1000
serve
node "$ROOT/tests/browser/bench-log.js" "http://127.0.0.1:$PORT" "$BEFORE" "$BENCH"
stop
rm -f "$BEFORE"
