#!/usr/bin/env bash
# Installs what is missing, then runs every test:
#   1. cargo test --workspace (all crates: draw, the gongkai command line, app, server, integration tests),
#      with a throwaway PostgreSQL cluster for the PostgreSQL backend's tests; then the integration
#      tests again with the server on PostgreSQL (GONGKAI_TEST_BACKEND=postgres)
#   2. the draw crate's tests on wasm32 (wasm-bindgen-test-runner in Node)
#   2b. the independent Python implementation of draw/SPEC.md against the same vectors,
#       and the working-day calendar against PyPI chinesecalendar
#   3. the release build of the site (server and gongkai binaries, islands bundle, verifier; scripts/lib.sh build_site),
#      the xtask's wasm-bindgen glue against wasm-bindgen-cli's, and the page bundle's size against its 400 KB budget
#   3b. the feedback form under kill -9: the release server killed 5 times while clients submit; every
#      acknowledged receipt stored, integrity_check ok, nothing half-written (scripts/crash-feedback.sh)
#   4. browser tests: the release server and Debian Chromium via playwright-core
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

start=$(now)
timings=()
phase() { # phase NAME COMMAND...
  local name="$1"; shift
  local t0; t0=$(now)
  log "$name"
  "$@"
  timings+=("$(printf '%-28s %4ss' "$name" $(( $(now) - t0 )))")
}

# The build and the tests need about 12 GB in target/ (a full disk shows up as a
# linker crash, not as an error naming the disk): say so first.
free_gb=$(( $(df -Pk "$ROOT" | awk 'NR == 2 { print $4 }') / 1024 / 1024 ))
if [ "$free_gb" -lt 12 ]; then
  log "warning: only $free_gb GB free on the disk of $ROOT; the build and tests need about 12 GB"
fi
phase "setup" bash "$ROOT/scripts/setup.sh" --browser
# A throwaway PostgreSQL cluster for the tests of the PostgreSQL backend
# (each test makes its own database in it), stopped and deleted at the end.
PG_DIR="$(mktemp -d /tmp/gongkai-pg.XXXXXX)"
trap 'pg_stop "$PG_DIR"' EXIT
log "PostgreSQL: a throwaway cluster in $PG_DIR"
GONGKAI_TEST_POSTGRES="$(pg_start "$PG_DIR")"
export GONGKAI_TEST_POSTGRES
# frontend is excluded: it is the wasm bundle (built in step 3), and building it
# natively would unify the `hydrate` feature into the server's `app`. xtask is
# the site's wasm-bindgen step, checked against wasm-bindgen-cli in step 3.
phase "cargo test (native)" cargo test --workspace --exclude frontend --exclude xtask
phase "integration tests on PostgreSQL" env GONGKAI_TEST_BACKEND=postgres cargo test -p gongkai-tests --test it
phase "cargo test -p draw (wasm32)" env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p draw --target wasm32-unknown-unknown
phase "spec: independent Python implementation" python3 draw/reference/check_vectors.py
phase "calendar: against chinesecalendar" "$PY_VENV/bin/python" app/calendar/check_calendar.py
phase "spec: regenerated vectors change nothing" bash -c \
  "cargo run -q -p draw --example make_vectors && git -C '$ROOT' diff --exit-code --stat -- draw/vectors"
phase "release build of the site" build_site
phase "feedback: kill -9 while submitting (release server)" bash "$ROOT/scripts/crash-feedback.sh"
phase "xtask bindgen = wasm-bindgen" compare_bindgen
phase "bundle sizes (budget)" bash "$ROOT/scripts/bundle-size.sh"
phase "browser tests (chromium)" bash -c "cd '$BROWSER_DIR' && node --test --test-concurrency=1"

log "timings"
printf '  %s\n' "${timings[@]}" >&2
printf '  %-28s %4ss\n' "total" $(( $(now) - start )) >&2
