#!/usr/bin/env bash
# The feedback form under load: accepted submissions per second with 32
# concurrent clients against the release server, and their latency (p50, p90,
# p99, max). Builds the release server (scripts/lib.sh build_site) and the
# example tests/examples/feedback_load.rs, prepares a fresh database in
# target/bench-feedback/ (the demo data, the district's 2024 results delivered
# today, 60 feedback codes), starts the server on it with rate limits out of
# the way and runs the clients (each its own connection, cookie and codes,
# submitting new versions in a loop). Client and server share the machine.
#
#   scripts/bench-feedback.sh [--clients N] [--seconds S]   (default 32 clients, 20 s)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
build_site
log "cargo build --release --example feedback_load"
cargo build --release -q -p gongkai-tests --example feedback_load
LOAD="$ROOT/target/release/examples/feedback_load"

# A fresh database every run: the codes' windows open on the day it is prepared.
DIR="$ROOT/target/bench-feedback"
rm -rf "$DIR"
mkdir -p "$DIR"
log "preparing $DIR/gongkai.db"
"$LOAD" prepare "$DIR/gongkai.db" "$DIR/codes.csv"

PORT="${GONGKAI_BENCH_PORT:-3998}"
LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD GONGKAI_DEMO=0 \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" GONGKAI_DATABASE="$DIR/gongkai.db" RUST_LOG=warn \
  GONGKAI_FEEDBACK_ATTEMPTS_PER_ADDRESS=100000000 GONGKAI_FEEDBACK_ATTEMPTS_PER_CREDIT_CODE=100000000 \
  "$ROOT/target/release/server" serve > "$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
"$LOAD" bench "http://127.0.0.1:$PORT" "$DIR/codes.csv" "$@"
