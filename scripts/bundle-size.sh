#!/usr/bin/env bash
# Prints the sizes of the browser bundles (raw and gzip -9) and checks the
# budget: a page's JS + WASM must stay under 400 KB compressed. The verifier
# (pkg/verifier*) is loaded only when someone verifies, so it is listed apart.
# Needs the site built (build_site in scripts/lib.sh). Exit 1 if over budget.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PKG="$ROOT/target/site/pkg"
BUDGET=400000

[ -f "$PKG/gongkai.wasm" ] || die "$PKG/gongkai.wasm is missing: run \`source scripts/lib.sh && build_site\`"
gz() { gzip -9 -c "$1" | wc -c; }
row() { printf '%-32s %10s B %10s B\n' "$1" "$(wc -c < "$PKG/$1")" "$(gz "$PKG/$1")"; }

printf '%-32s %12s %12s\n' "file" "raw" "gzip -9"
row gongkai.wasm
row gongkai.js
row verifier_bg.wasm
row verifier.js
page=$(( $(gz "$PKG/gongkai.wasm") + $(gz "$PKG/gongkai.js") ))
printf '%-32s %25s B  (budget < %s B)\n' "a page's JS + WASM" "$page" "$BUDGET"
[ "$page" -lt "$BUDGET" ] || die "a page's JS + WASM is $page bytes compressed, over the $BUDGET budget"
