#!/usr/bin/env bash
# The key queries at national scale on PostgreSQL: the benchmark jurisdiction of
# scripts/bench-portal.sh published straight into PostgreSQL (through the portal's own
# imports and draw checks, every publication logged) with 10,000,000 enterprises,
# 10,000 draws and one district's year of 100,000 results; then the release server on it
# with the page cache off, and each key query asked for distinct records, single client:
# an enterprise's page, credit-code lookups, name searches, the department-year report;
# then the sizes of the tables (for docs/scale.md).
#
#   scripts/bench-scale-pg.sh [--enterprises N] [--draws N] [--report-results N]
#
# The cluster is kept in target/bench/pg-scale (GONGKAI_BENCH_SCALE_DIR) and reused by the
# next run with the same sizes; generating 10,000,000 enterprises takes a long while.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$ROOT/scripts/setup.sh" --browser
cd "$ROOT"
build_site
log "cargo build --release --example portal_bench"
cargo build --release -q -p gongkai-tests --example portal_bench
BENCH="$ROOT/target/release/examples/portal_bench"

DIR="${GONGKAI_BENCH_SCALE_DIR:-$ROOT/target/bench/pg-scale}"
SIZES="${*:-default}"
SERVER=
trap 'kill $SERVER 2>/dev/null || true; [ -f "$DIR/data/postmaster.pid" ] && pg_halt "$DIR" || true' EXIT
if [ -f "$DIR/generated" ] && [ "$(cat "$DIR/generated")" = "$SIZES" ]; then
  log "reusing the cluster in $DIR ($SIZES)"
  pg_resume "$DIR"
else
  if [ -d "$DIR" ]; then pg_stop "$DIR"; fi
  mkdir -p "$(dirname "$DIR")"
  admin="$(pg_start "$DIR")"
  psql -q "$admin" -c "ALTER SYSTEM SET shared_buffers = '4GB'" -c "ALTER SYSTEM SET effective_cache_size = '12GB'" \
    -c "ALTER SYSTEM SET work_mem = '32MB'" -c "ALTER SYSTEM SET maintenance_work_mem = '1GB'" \
    -c "ALTER SYSTEM SET max_wal_size = '16GB'"
  pg_restart "$DIR"
  psql -q "$admin" -c "CREATE DATABASE scale TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
  log "generating ($SIZES) into PostgreSQL"
  t0=$(now)
  "$BENCH" generate-scale "${admin%/postgres}/scale" "$@"
  psql -q "${admin%/postgres}/scale" -c "VACUUM ANALYZE"
  printf 'generated in %ss\n' $(( $(now) - t0 ))
  echo "$SIZES" > "$DIR/generated"
fi
URL="postgres://postgres@127.0.0.1:$(cat "$DIR/port")/scale"
PORT="${GONGKAI_BENCH_PORT:-3997}"
GONGKAI_PAGE_CACHE_MB=0 LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD GONGKAI_DEMO=0 \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" GONGKAI_DATABASE="$URL" GONGKAI_LOG_KEY="$DIR/log.key" \
  GONGKAI_FEEDBACK_KEY="$DIR/feedback.key" RUST_LOG=warn "$ROOT/target/release/server" serve &
SERVER=$!
"$BENCH" measure-scale "http://127.0.0.1:$PORT" "$URL"
