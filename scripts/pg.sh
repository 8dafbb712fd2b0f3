#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for running the tests by hand:
#   eval "$(scripts/pg.sh start)"   starts one, exports GONGKAI_TEST_POSTGRES (its URL) and GONGKAI_TEST_PG_DIR
#   scripts/pg.sh stop              stops it and deletes its directory
# scripts/test.sh starts and stops its own.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case "${1:-}" in
  start)
    dir="$(mktemp -d /tmp/gongkai-pg.XXXXXX)"
    url="$(pg_start "$dir")"
    printf 'export GONGKAI_TEST_POSTGRES=%q GONGKAI_TEST_PG_DIR=%q\n' "$url" "$dir"
    ;;
  stop)
    [ -n "${GONGKAI_TEST_PG_DIR:-}" ] || die "GONGKAI_TEST_PG_DIR is not set (eval the output of scripts/pg.sh start)"
    pg_stop "$GONGKAI_TEST_PG_DIR"
    ;;
  *) die "usage: scripts/pg.sh start|stop" ;;
esac
