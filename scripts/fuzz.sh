#!/usr/bin/env bash
# Fuzzes every parser that takes outside input for longer than the test suite
# does: import files (CSV and JSON, every kind), draw inputs and records (and
# their verification), pool.bin, lookup proofs and query strings.
#   scripts/fuzz.sh            20,000 cases per parser
#   scripts/fuzz.sh 100000     as many as you like
# Prints the cases run and the time taken; fails on the first panic or
# over-long parse (the failing input is printed, shrunk by proptest).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
cases="${1:-20000}"
start=$(now)
log "fuzzing with $cases cases per parser"
PROPTEST_CASES="$cases" cargo test --release -p server --lib -- fuzz_
PROPTEST_CASES="$cases" cargo test --release -p gongkai-tests --test it -- fuzz::
printf 'fuzzed %s cases per parser in %ss\n' "$cases" $(( $(now) - start ))
