# Shared by scripts/*.sh (sourced, not run).
# Pinned tool versions: keep in step with Cargo.toml (wasm-bindgen) and tests/browser/package.json.
WASM_BINDGEN_VERSION="0.2.130"
BINARYEN_VERSION="132"
CHINESECALENDAR_VERSION="1.11.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BROWSER_DIR="$ROOT/tests/browser"
PY_VENV="$ROOT/target/py"
export PATH="$HOME/.cargo/bin:$BROWSER_DIR/node_modules/.bin:$PATH"
export LEPTOS_OUTPUT_NAME=gongkai

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root (directly, or with passwordless sudo).
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo "$@"
  else
    die "need root to run: $* (run it yourself, or run this script as root)"
  fi
}

APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these yourself: $*"
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# Prints seconds since the epoch, for timings.
now() { date +%s; }

# wasm-bindgen's JavaScript glue for a module, with the workspace's xtask
# (wasm-bindgen's library, built with the server by build_site) rather than an
# installed wasm-bindgen-cli: the same output (scripts/test.sh compares them),
# without installing the command (and its test runner) on a new machine.
#   bindgen OUT_DIR OUT_NAME INPUT.wasm
bindgen() {
  local target; target="$(cd "$ROOT" && realpath -m "${CARGO_TARGET_DIR:-target}")"
  [ -x "$target/release/xtask" ] || (cd "$ROOT" && cargo build --release -p xtask)
  "$target/release/xtask" bindgen --out-dir "$1" --out-name "$2" "$3"
}

# Checks that the xtask's glue is byte for byte what wasm-bindgen-cli writes
# (same library version) for both modules of the site; needs build_site first.
compare_bindgen() {
  local target; target="$(cd "$ROOT" && realpath -m "${CARGO_TARGET_DIR:-target}")"
  local dir; dir="$(mktemp -d)"
  local name wasm
  for name in gongkai:wasm-release/frontend.wasm verifier:verifier-release/verifier.wasm; do
    wasm="$target/wasm32-unknown-unknown/${name#*:}"
    name="${name%%:*}"
    mkdir -p "$dir/xtask" "$dir/cli"
    bindgen "$dir/xtask" "$name" "$wasm"
    wasm-bindgen --target web --no-typescript --out-dir "$dir/cli" --out-name "$name" "$wasm"
  done
  if ! diff -r "$dir/xtask" "$dir/cli" >&2; then
    rm -rf "$dir"
    die "xtask bindgen and wasm-bindgen $WASM_BINDGEN_VERSION write different files"
  fi
  log "xtask bindgen = wasm-bindgen $WASM_BINDGEN_VERSION: $(cd "$dir/cli" && ls | tr '\n' ' ')"
  rm -rf "$dir"
}

# Builds the browser's draw verifier (crate verifier/) into the site's pkg dir:
# pkg/verifier.js + pkg/verifier_bg.wasm, imported by the draw page only when
# someone verifies (it holds drand's BLS12-381 check, which the page bundle
# does not), so it is its own module.
build_verifier() {
  local target; target="$(cd "$ROOT" && realpath -m "${CARGO_TARGET_DIR:-target}")"
  local pkg="$ROOT/target/site/pkg"
  log "verifier: cargo build --target wasm32-unknown-unknown --profile verifier-release"
  # WebAssembly SIMD (simd128): the Merkle tree is hashed four messages at a
  # time (draw/src/sha256x4.rs), about twice as fast. Only this profile's
  # artifacts (target/wasm32-unknown-unknown/verifier-release) are built with
  # it, so no other build's cache is invalidated.
  (cd "$ROOT" && CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128" \
    cargo build -p verifier --lib --target wasm32-unknown-unknown --profile verifier-release)
  mkdir -p "$pkg"
  bindgen "$pkg" verifier "$target/wasm32-unknown-unknown/verifier-release/verifier.wasm"
  wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-multivalue --enable-reference-types --enable-simd \
    "$pkg/verifier_bg.wasm" -o "$pkg/verifier_bg.wasm"
}

# Builds the page bundle: the `frontend` crate (the islands) to WebAssembly
# with the wasm-release profile, wasm-bindgen into target/site/pkg/gongkai.js
# and gongkai.wasm (the names Leptos's island loader asks for), then wasm-opt
# for size. This is what `cargo leptos build --release` did, without
# installing cargo-leptos (about 20 minutes on a new machine).
build_bundle() {
  local target; target="$(cd "$ROOT" && realpath -m "${CARGO_TARGET_DIR:-target}")"
  local pkg="$ROOT/target/site/pkg"
  log "bundle: cargo build -p frontend --target wasm32-unknown-unknown --profile wasm-release"
  (cd "$ROOT" && cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release)
  mkdir -p "$pkg"
  bindgen "$pkg" gongkai "$target/wasm32-unknown-unknown/wasm-release/frontend.wasm"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-multivalue --enable-reference-types \
    "$pkg/gongkai_bg.wasm" -o "$pkg/gongkai.wasm"
  rm -f "$pkg/gongkai_bg.wasm"
}

# Builds the release server and the `gongkai` command line (the browser tests
# run it beside the portal), the page bundle, the verifier module and the
# static files (public/ into target/site), unless the last build_site with the
# same cargo target dir is newer than every input. The stamp names the target
# dir, so a server binary and a bundle from different builds are never paired.
# GONGKAI_FORCE_BUILD=1 always builds.
build_site() {
  local target; target="$(cd "$ROOT" && realpath -m "${CARGO_TARGET_DIR:-target}")"
  local stamp="$ROOT/target/.gongkai-build-stamp"
  if [ -z "${GONGKAI_FORCE_BUILD:-}" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$target" ] \
    && [ -f "$target/release/server" ] && [ -f "$target/release/gongkai" ] \
    && [ -f "$ROOT/target/site/pkg/gongkai.wasm" ] && [ -f "$ROOT/target/site/pkg/verifier_bg.wasm" ] \
    && [ -z "$(cd "$ROOT" && find app frontend server cli draw verifier xtask public Cargo.toml Cargo.lock .cargo \
                 -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    log "build site: up to date"
    return 0
  fi
  rm -f "$stamp"
  log "build site: cargo build --release -p server -p gongkai-cli -p xtask"
  (cd "$ROOT" && cargo build --release -p server --bin server -p gongkai-cli --bin gongkai -p xtask --bin xtask)
  build_bundle
  build_verifier
  log "build site: static files (public/ into target/site)"
  cp -R "$ROOT/public/." "$ROOT/target/site/"
  echo "$target" > "$stamp"
}

# PostgreSQL for the tests and benchmarks: Debian's server (installed by
# scripts/setup.sh --browser), a throwaway cluster on a free loopback port,
# owned by the run that started it.

# The directory of PostgreSQL's server programs (initdb, pg_ctl…), if installed.
pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

# pg_as COMMAND…: runs a PostgreSQL program, as the `postgres` user when we
# are root (initdb refuses root).
pg_as() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_new_dir DIR: creates DIR for a cluster (owned by `postgres` when we are
# root) and picks a free loopback port for it (DIR/port).
pg_new_dir() {
  mkdir -p "$1"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$1"; fi
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$1/port"
}

# pg_start DIR: creates a cluster in DIR (a new directory), starts it on a free
# loopback port (trust authentication, reachable from 127.0.0.1 only, its
# socket in DIR) and prints its URL. As root, the cluster runs as the
# `postgres` user. fsync is off: a test cluster is thrown away, never recovered.
pg_start() {
  local dir="$1" bin
  bin="$(pg_bindir)" || die "PostgreSQL's server is not installed (scripts/setup.sh --browser installs it)"
  pg_new_dir "$dir"
  pg_as "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed in $dir"; }
  pg_resume "$dir"
  echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

# pg_resume DIR: starts the cluster in DIR (made by pg_start or pg_replica)
# on its port, again after pg_halt.
pg_resume() {
  local dir="$1"
  pg_as "$(pg_bindir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-p $(cat "$dir/port") -k $dir \
    -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$dir/server.log" >&2; die "PostgreSQL did not start in $dir"; }
}

# pg_halt DIR: stops the cluster in DIR (fast shutdown) and keeps it, for pg_resume.
pg_halt() {
  pg_as "$(pg_bindir)/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null
}

# pg_replica PRIMARY_DIR DIR: a streaming replica (hot standby) of the
# cluster pg_start made in PRIMARY_DIR, copied with pg_basebackup into DIR (a
# new directory) and started on a free loopback port; prints its URL.
pg_replica() {
  local primary="$1" dir="$2" bin
  bin="$(pg_bindir)" || die "PostgreSQL's server is not installed (scripts/setup.sh --browser installs it)"
  pg_new_dir "$dir"
  pg_as "$bin/pg_basebackup" -D "$dir/data" -R -X stream --checkpoint=fast \
    -d "postgres://postgres@127.0.0.1:$(cat "$primary/port")/postgres" >"$dir/basebackup.log" 2>&1 \
    || { cat "$dir/basebackup.log" >&2; die "pg_basebackup failed into $dir"; }
  pg_resume "$dir"
  echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

# pg_stop DIR: stops the cluster pg_start made in DIR and deletes it.
pg_stop() {
  local dir="$1" bin
  bin="$(pg_bindir)" || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    pg_as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

# pg_restart DIR: restarts the cluster pg_start made in DIR (same port and options), e.g. after ALTER SYSTEM.
pg_restart() {
  pg_as "$(pg_bindir)/pg_ctl" -D "$1/data" -w restart >/dev/null
}
