#!/usr/bin/env bash
# Runs PgBouncer's own pytest suite (test/ in its source tree) twice — against the real PgBouncer
# built from that source, and against PoolSafe through pgbouncer-adapter.sh — in the suite's default
# mode (admin console over a unix socket), then prints pass counts per file side by side.
#
#   scripts/conformance/pgbouncer-suite.sh <pgbouncer-source> [pytest args…]
#
# Environment: SUITE_FILES (test file names, default: the ones that concern a local pooler),
# SUITE_SIDES ("pgbouncer poolsafe"), SUITE_JOBS (pytest-xdist workers, default 4),
# SUITE_WORK (work folder, default a fresh mktemp -d; results stay there; keep its path short: the
# suite's unix socket paths must fit in 107 bytes), PG_BIN (initdb/pg_ctl), POOLSAFE_REPO (the PoolSafe
# checkout whose dist/cli.js the adapter runs; default this one).
# Needs python3 with pytest, pytest-asyncio, pytest-timeout, pytest-xdist, psycopg, filelock; socat.
# The suite's files are copied into the work folder; nothing from it is written to this repository.
set -euo pipefail

src="$(cd "${1:?usage: $0 <pgbouncer-source> [pytest args…]}" && pwd)"
shift
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
files="${SUITE_FILES:-test_admin test_operations test_prepared test_timeouts test_copy test_cancel test_limits test_auth test_ssl test_misc test_no_user test_no_database}"
sides="${SUITE_SIDES:-pgbouncer poolsafe}"
jobs="${SUITE_JOBS:-4}"
work="${SUITE_WORK:-$(mktemp -d /tmp/pbs.XXXXXX)}"
mkdir -p "$work"
chmod 700 "$work"
export POOLSAFE_REPO="${POOLSAFE_REPO:-$repo}"
python="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)}"
pg_bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"

if [ ! -x "$src/pgbouncer" ]; then
  echo "building PgBouncer in $src" >&2
  (cd "$src" && ./autogen.sh && ./configure --without-cares && make pgbouncer) >"$work/pgbouncer-build.log" 2>&1
fi
(cd "$POOLSAFE_REPO" && npm run --silent build) >/dev/null

# initdb (and PgBouncer) refuse to run as root: then the suite runs as the postgres user.
as_user=()
if [ "$(id -u)" = 0 ]; then as_user=(runuser -u postgres --); fi

# One copy of the suite per side: the suite runs ../pgbouncer relative to its test/ folder and reads
# ../include/bouncer.h and ../config.mak, so each side gets that layout with its own executable.
prepare_side() {
  local side="$1" exe="$2" dir="$work/$1"
  rm -rf "$dir"
  mkdir -p "$dir/include"
  cp -r "$src/test" "$dir/test"
  cp "$src/include/bouncer.h" "$dir/include/"
  cp "$src/config.mak" "$src/pyproject.toml" "$dir/"
  ln -s "$exe" "$dir/pgbouncer"
  mkdir -p "$work/tmp"
  [ ${#as_user[@]} -eq 0 ] || chown -R postgres "$work"
}

# --tb=line: Python 3.11.2's traceback formatting can crash pytest-xdist's session (an AST recursion
# error when a timeout signal lands mid-parse); one line per failure avoids it.
run_side() {
  local side="$1" dir="$work/$1" selected=()
  shift
  for name in $files; do [ -f "$dir/test/$name.py" ] && selected+=("$dir/test/$name.py"); done
  echo "== $side: ${#selected[@]} files, $jobs workers, log $work/$side.log" >&2
  (cd "$dir" && "${as_user[@]}" env PATH="$pg_bin:$PATH" TMPDIR="$work/tmp" POOLSAFE_REPO="$POOLSAFE_REPO" \
    "$python" -m pytest -p no:cacheprovider -n "$jobs" --basetemp="$work/t-$side" --tb=line \
    --junitxml="$work/$side.xml" "${selected[@]}" "$@" >"$work/$side.log" 2>&1) || true
  stop_leftovers
}

# A test that fails mid-way can leave its pooler or PostgreSQL running: end the processes this run
# started (their command lines name the work folder), by pid.
stop_leftovers() {
  local pids
  pids="$(ps -eo pid=,args= | awk -v w="$work/" 'index($0, w) && !/awk/ {print $1}')"
  [ -z "$pids" ] || kill $pids 2>/dev/null || true
}

for side in $sides; do
  case "$side" in
    pgbouncer) prepare_side pgbouncer "$src/pgbouncer" ;;
    poolsafe) prepare_side poolsafe "$here/pgbouncer-adapter.sh" ;;
    *) echo "unknown side $side" >&2; exit 2 ;;
  esac
  run_side "$side" "$@"
done

"$python" "$here/suite-table.py" "$work" $sides
echo "work folder: $work" >&2
