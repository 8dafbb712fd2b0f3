#!/usr/bin/env bash
# The portal at scale: 1,000,000 enterprises, 100,000 draws, 1,000,000 results.
# Builds the release server, generates the database once (target/bench/portal.db,
# about 15 minutes on 2 cores; delete it to regenerate), starts the server on it
# and prints the latency of every list page and search (single client, p50/p99)
# and the draw page's throughput with 64 concurrent clients.
#
#   scripts/bench-portal.sh [--enterprises N] [--draws N]   (sizes of a new database)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
build_site
log "cargo build --release --example portal_bench"
cargo build --release -q -p gongkai-tests --example portal_bench
BENCH="$ROOT/target/release/examples/portal_bench"
DB="${GONGKAI_BENCH_DB:-$ROOT/target/bench/portal.db}"
mkdir -p "$(dirname "$DB")"
if [ ! -f "$DB" ]; then
  log "generating $DB"
  "$BENCH" generate "$DB.partial" "$@"
  mv "$DB.partial" "$DB"
  rm -f "$DB.partial-wal" "$DB.partial-shm"
fi

PORT="${GONGKAI_BENCH_PORT:-3999}"
LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD GONGKAI_DEMO=0 \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" GONGKAI_DATABASE="$DB" RUST_LOG=warn \
  "$ROOT/target/release/server" serve &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
"$BENCH" measure "http://127.0.0.1:$PORT" "$DB"
