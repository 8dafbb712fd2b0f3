#!/usr/bin/env bash
# Installs what is missing, builds the portal (release) and serves it at
# http://127.0.0.1:3000 on the embedded SQLite database (data/gongkai.db,
# created and filled with the demo draws on first start), with two demo
# witnesses of its publication log. Ctrl-C stops it.
# Environment: GONGKAI_DATABASE, LEPTOS_SITE_ADDR, RUST_LOG (see server/src/configuration.rs).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
build_site

export LEPTOS_SITE_ROOT="$ROOT/target/site"
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_ENV=PROD
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export GONGKAI_DATABASE="${GONGKAI_DATABASE:-$ROOT/data/gongkai.db}"
SERVER="$ROOT/target/release/server"

# Two demo witnesses of the publication log (docs/LOG.md §7), unless witnesses
# are configured (GONGKAI_LOG_WITNESSES) or GONGKAI_DEMO_WITNESSES=0. They run
# here for the demo; a real deployment's witnesses are other organisations.
if [ -z "${GONGKAI_LOG_WITNESSES:-}" ] && [ "${GONGKAI_DEMO_WITNESSES:-1}" != 0 ]; then
  WITNESS_DIR="$(dirname "$GONGKAI_DATABASE")/witnesses"
  mkdir -p "$WITNESS_DIR"
  LOG_VKEY="$("$SERVER" log key --create)"
  PORT="${LEPTOS_SITE_ADDR##*:}"
  GONGKAI_LOG_WITNESSES=""
  for i in 1 2; do
    name="witness-$i.demo.gongkai.localhost"
    key="$WITNESS_DIR/witness-$i.key"
    listen="127.0.0.1:$((PORT + 100 + i))"
    vkey="$("$SERVER" witness key --key "$key" --name "$name")"
    RUST_LOG="${RUST_LOG:-info}" "$SERVER" witness serve --key "$key" --name "$name" --log "$LOG_VKEY" \
      --state "$WITNESS_DIR/witness-$i.db" --listen "$listen" &
    GONGKAI_LOG_WITNESSES="$GONGKAI_LOG_WITNESSES$vkey http://$listen;"
  done
  export GONGKAI_LOG_WITNESSES
  trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
  log "two demo witnesses on 127.0.0.1:$((PORT + 101)) and :$((PORT + 102))"
fi

log "serving http://$LEPTOS_SITE_ADDR (database $GONGKAI_DATABASE)"
"$SERVER" serve
