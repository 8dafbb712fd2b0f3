#!/usr/bin/env bash
# The portal at scale: 1,000,000 enterprises, 100,000 draws, 1,000,000 results.
# Builds the release server, generates the database once (target/bench/portal.db,
# about 15 minutes on 2 cores; delete it to regenerate), starts the server on it
# and prints the latency of every list page and search (single client, p50/p99),
# the draw page's throughput with 64 concurrent clients and a mixed load over
# all those pages (64 clients); then the mixed load again with the page cache
# off (GONGKAI_PAGE_CACHE_MB=0), for comparison. Each mixed load is measured twice:
# by portal_bench's own clients and from outside by wrk (scripts/wrk-mix.lua, the
# same mix of addresses, `portal_bench addresses`). Then the
# execution report of one district-year with 1,000,000 results (its own
# database, target/bench/report.db, generated once): the first request and
# warm requests of the report page and its JSON.
#
#   scripts/bench-portal.sh [--enterprises N] [--draws N]   (sizes of a new database)
#   scripts/bench-portal.sh report                          (the execution report only)
#   scripts/bench-portal.sh --postgres [--enterprises N …]  (the same on PostgreSQL: the SQLite
#       databases copied with `server migrate-db` into a throwaway cluster, the copy timed and
#       proved equal, then the same measurements, the report's included, with the server on
#       PostgreSQL; `--postgres report` for the report only)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
POSTGRES=""
if [ "${1:-}" = --postgres ]; then
  POSTGRES=1
  shift
fi

bash "$ROOT/scripts/setup.sh"
command -v wrk >/dev/null 2>&1 || apt_install wrk
cd "$ROOT"
build_site
log "cargo build --release --example portal_bench"
cargo build --release -q -p gongkai-tests --example portal_bench
BENCH="$ROOT/target/release/examples/portal_bench"
serve() { # DATABASE PORT: the release server on it, in the background
  GONGKAI_PAGE_CACHE_MB="${PAGE_CACHE_MB:-64}" \
  LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD GONGKAI_DEMO=0 \
    LEPTOS_SITE_ADDR="127.0.0.1:$2" GONGKAI_DATABASE="$1" RUST_LOG=warn \
    "$ROOT/target/release/server" serve &
  SERVER=$!
}
# copy_to_postgres SQLITE NAME: the SQLite database copied with `server migrate-db` into a new
# database NAME of the cluster at $admin (timed and proved equal); prints its URL.
copy_to_postgres() {
  local url="${admin%/postgres}/$2" t0
  psql -q "$admin" -c "CREATE DATABASE $2 TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
  log "server migrate-db: $1 into PostgreSQL" >&2
  t0=$(now)
  "$ROOT/target/release/server" migrate-db --from "$1" --to "$url" >&2
  printf 'migrate-db (copy and proof): %ss\n' $(( $(now) - t0 )) >&2
  psql -q "$url" -c "VACUUM ANALYZE"
  echo "$url"
}
# wrk_mixed URL: the mixed load from outside, 64 connections for 10 s (one summary line).
wrk_mixed() {
  wrk -t2 -c64 -d10s -s "$ROOT/scripts/wrk-mix.lua" "$1" -- "$ROOT/target/bench/addresses.txt" | tail -n 1
}
SERVER=
trap 'kill $SERVER 2>/dev/null || true' EXIT
PORT="${GONGKAI_BENCH_PORT:-3999}"

if [ "${1:-}" != report ]; then
  DB="${GONGKAI_BENCH_DB:-$ROOT/target/bench/portal.db}"
  mkdir -p "$(dirname "$DB")"
  if [ ! -f "$DB" ]; then
    log "generating $DB"
    "$BENCH" generate "$DB.partial" "$@"
    mv "$DB.partial" "$DB"
    rm -f "$DB.partial-wal" "$DB.partial-shm"
  fi
  SERVED="$DB"
  if [ -n "$POSTGRES" ]; then
    PG_DIR="$(mktemp -d /tmp/gongkai-pg-bench.XXXXXX)"
    trap 'kill $SERVER 2>/dev/null || true; pg_stop "$PG_DIR"' EXIT
    admin="$(pg_start "$PG_DIR")"
    psql -q "$admin" -c "ALTER SYSTEM SET shared_buffers = '4GB'" -c "ALTER SYSTEM SET effective_cache_size = '12GB'" \
      -c "ALTER SYSTEM SET work_mem = '32MB'" -c "ALTER SYSTEM SET max_wal_size = '8GB'"
    pg_restart "$PG_DIR"
    SERVED="$(copy_to_postgres "$DB" portal)"
  fi
  "$BENCH" addresses "$DB" "$ROOT/target/bench/addresses.txt"
  serve "$SERVED" "$PORT"
  "$BENCH" measure "http://127.0.0.1:$PORT" "$DB"
  wrk_mixed "http://127.0.0.1:$PORT"
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  log "the mixed load without the page cache"
  PAGE_CACHE_MB=0 serve "$SERVED" "$PORT"
  "$BENCH" mixed "http://127.0.0.1:$PORT" "$DB"
  wrk_mixed "http://127.0.0.1:$PORT"
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
fi

REPORT_DB="${GONGKAI_BENCH_REPORT_DB:-$ROOT/target/bench/report.db}"
mkdir -p "$(dirname "$REPORT_DB")"
if [ ! -f "$REPORT_DB" ]; then
  log "generating $REPORT_DB"
  "$BENCH" generate-report "$REPORT_DB.partial"
  mv "$REPORT_DB.partial" "$REPORT_DB"
  rm -f "$REPORT_DB.partial-wal" "$REPORT_DB.partial-shm"
fi
REPORT_SERVED="$REPORT_DB"
if [ -n "$POSTGRES" ]; then
  if [ -z "${PG_DIR:-}" ]; then # `report --postgres`: a cluster of its own
    PG_DIR="$(mktemp -d /tmp/gongkai-pg-bench.XXXXXX)"
    trap 'kill $SERVER 2>/dev/null || true; pg_stop "$PG_DIR"' EXIT
    admin="$(pg_start "$PG_DIR")"
  fi
  REPORT_SERVED="$(copy_to_postgres "$REPORT_DB" report)"
fi
serve "$REPORT_SERVED" "$((PORT + 1))"
"$BENCH" measure-report "http://127.0.0.1:$((PORT + 1))"
