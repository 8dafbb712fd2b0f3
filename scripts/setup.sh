#!/usr/bin/env bash
# Installs whatever the portal needs that is missing; fast (seconds) when all is there.
#   scripts/setup.sh            build tools (for scripts/run.sh)
#   scripts/setup.sh --browser  also the test tools (for scripts/test.sh): Chromium, PostgreSQL's server, and
#                               wasm-bindgen-cli for its wasm32 test runner (the site
#                               itself is bound with the workspace's xtask, so run.sh
#                               does not wait for this install)
# Needs a Rust toolchain installed with rustup. Installs from crates.io, npm and
# Debian only: nothing is downloaded from anywhere else.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BROWSER=""
for arg in "$@"; do
  case "$arg" in
    --browser) BROWSER=1 ;;
    *) die "unknown option $arg" ;;
  esac
done

command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup first"
command -v rustup >/dev/null 2>&1 || die "rustup not found: the wasm32 target is installed with rustup"

# System packages: a C compiler (SQLite, ring), Node.js and npm (wasm-opt from
# npm, browser tests). The site is built without cargo-leptos (scripts/lib.sh
# build_site), so neither it nor the OpenSSL headers it needs are installed.
missing=()
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ -n "$BROWSER" ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
# PostgreSQL's server, for the tests of the PostgreSQL backend (a throwaway cluster, scripts/lib.sh pg_start).
if [ -n "$BROWSER" ] && ! pg_bindir >/dev/null; then missing+=(postgresql); fi
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ -n "$BROWSER" ] && { [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ] \
  || ! command -v wasm-bindgen-test-runner >/dev/null 2>&1; }; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# npm packages (binaryen's wasm-opt for release builds; playwright-core and
# axe-core for the browser tests), reinstalled only when package-lock.json changes.
stamp="$BROWSER_DIR/node_modules/.gongkai-lock.sha256"
want="$(sha256sum "$BROWSER_DIR/package-lock.json" | cut -d' ' -f1)"
if [ ! -x "$BROWSER_DIR/node_modules/.bin/wasm-opt" ] || [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  log "npm ci (tests/browser)"
  (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
case "$(wasm-opt --version 2>/dev/null || true)" in
  *"version $BINARYEN_VERSION"*) ;;
  *) die "wasm-opt $BINARYEN_VERSION not found on PATH after npm ci" ;;
esac

if [ -n "$BROWSER" ] && [ ! -x /usr/bin/chromium ]; then
  die "/usr/bin/chromium is missing after apt-get install chromium"
fi

# The tests' independent check of the working-day calendar: PyPI chinesecalendar
# in a virtual environment under target/ (pinned; reinstalled only when missing).
if [ -n "$BROWSER" ] && ! "$PY_VENV/bin/python" -c 'import chinese_calendar' >/dev/null 2>&1; then
  python3 -m venv "$PY_VENV" >/dev/null 2>&1 || { apt_install python3-venv && python3 -m venv "$PY_VENV"; }
  log "pip install chinesecalendar==$CHINESECALENDAR_VERSION (target/py)"
  "$PY_VENV/bin/pip" install -q --disable-pip-version-check "chinesecalendar==$CHINESECALENDAR_VERSION"
fi
