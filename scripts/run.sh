#!/usr/bin/env bash
# Installs what is missing, builds the portal (release) and serves it at
# http://127.0.0.1:3000 on the embedded SQLite database (data/gongkai.db,
# created and filled with the demo draws on first start). Ctrl-C stops it.
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
log "serving http://$LEPTOS_SITE_ADDR (database $GONGKAI_DATABASE)"
exec "$ROOT/target/release/server" serve
