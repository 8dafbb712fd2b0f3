#!/usr/bin/env bash
# A submission is acknowledged only once it is durable: concurrent clients
# submit feedback to the release server, which is killed with SIGKILL at a
# random moment, restarted on the same database, and killed again (5 rounds);
# then every acknowledged receipt must be stored as acknowledged, the database
# must pass integrity_check, and no submission may be half-written
# (tests/examples/feedback_load.rs, `crash`). Run by scripts/test.sh after the
# release build of the site; about 20 s after the build.
#
#   scripts/crash-feedback.sh [--rounds N] [--clients N] [--seed N]   (--seed repeats a run's kill moments)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# The release server as build_site builds it (the same command: nothing to do after build_site).
cargo build --release -q -p server --bin server -p gongkai-cli --bin gongkai -p xtask --bin xtask
cargo build --release -q -p gongkai-tests --example feedback_load
LOAD="$ROOT/target/release/examples/feedback_load"

DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
"$LOAD" prepare "$DIR/gongkai.db" "$DIR/codes.csv"
if ! "$LOAD" crash "$ROOT/target/release/server" "$DIR/gongkai.db" "$DIR/codes.csv" --rounds 5 "$@"; then
  log "server log (last 40 lines):"
  tail -n 40 "$DIR/server.log" >&2 || true
  exit 1
fi
