#!/usr/bin/env bash
# Stands in for the `pgbouncer` executable when PgBouncer's own pytest suite runs against PoolSafe
# (see pgbouncer-suite.sh and docs/conformance.md). Command line only: it translates
#   pgbouncer [-d] [-R] [-v] [-q] [-u user] <file.ini>
# into `poolsafe pooler --config <file.ini>` and never reads or rewrites the ini itself.
set -euo pipefail
# POOLSAFE_REPO picks another checkout (e.g. an older commit, for before/after counts).
repo="${POOLSAFE_REPO:-$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)}"
cli=(node "$repo/dist/cli.js")

daemon=0
ini=""
while [ $# -gt 0 ]; do
  case "$1" in
    -V|--version) exec "${cli[@]}" pooler --version ;;
    -h|--help) exec "${cli[@]}" pooler --help ;;
    -d|--daemon) daemon=1 ;;
    # Online restart (-R) takes over PgBouncer's sockets; PoolSafe has no such handover, so it starts plainly.
    -R|--reboot|-v|--verbose|-q|--quiet) ;;
    -u|--user) shift ;;
    -*) echo "pgbouncer-adapter: unknown option $1" >&2; exit 1 ;;
    *) ini="$1" ;;
  esac
  shift
done
[ -n "$ini" ] || { echo "pgbouncer-adapter: no ini file given" >&2; exit 1; }

if [ "$daemon" = 1 ]; then
  # PgBouncer's -d detaches; the closest command-line equivalent is a background process.
  nohup "${cli[@]}" pooler --config "$ini" >/dev/null 2>&1 &
  exit 0
fi
exec "${cli[@]}" pooler --config "$ini"
