#!/usr/bin/env bash
# Measures `scripts/run.sh` as on a new machine and prints the time to the first page:
# a fresh clone, an empty home (so an empty cargo home: every crate is downloaded
# from crates.io and every cargo-installed tool is built again; an empty npm cache)
# and an empty target directory. What stays is what a new machine has before it
# starts: the rustup toolchain (with the wasm32 target) and the Debian packages.
#   bash scripts/first-start.sh [PORT]        (default port 3900)
# Needs about 8 GB of free disk; everything is deleted at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${1:-3900}"
rustup_bin="$(command -v rustup)" || die "rustup not found"
rustup_home="${RUSTUP_HOME:-$HOME/.rustup}"
work="$(mktemp -d "${TMPDIR:-/tmp}/gongkai-first-start-XXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -- "-$server_pid" 2>/dev/null || kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

git clone -q "$ROOT" "$work/gongkai"
mkdir -p "$work/home/.cargo/bin"
# The rustup proxies, as rustup-init installs them.
for tool in cargo rustc rustup rustdoc rustfmt cargo-fmt cargo-clippy clippy-driver; do
  ln -s "$rustup_bin" "$work/home/.cargo/bin/$tool"
done

start=$(now)
stamp() { while IFS= read -r line; do printf '%5ss %s\n' $(( $(now) - start )) "$line"; done; }
log "new machine: $work (HOME, CARGO_HOME and the clone are empty); serving on 127.0.0.1:$port"
set -m
(
  cd "$work/gongkai"
  env -i PATH="$work/home/.cargo/bin:/usr/local/bin:/usr/bin:/bin" HOME="$work/home" \
    RUSTUP_HOME="$rustup_home" LANG=C.UTF-8 LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    bash scripts/run.sh 2>&1 | stamp > "$work/run.log"
) &
server_pid=$!
set +m

until curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    tail -40 "$work/run.log" >&2
    die "scripts/run.sh stopped before serving a page"
  fi
  sleep 2
done
total=$(( $(now) - start ))
log "steps (seconds since start):"
grep -E '==>|Finished|Installed|added [0-9]+ packages' "$work/run.log" | sed 's/\x1b\[[0-9;]*m//g' >&2 || true
printf 'first page after %dm %02ds (%d s) on a new machine\n' $(( total / 60 )) $(( total % 60 )) "$total"
