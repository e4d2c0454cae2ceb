#!/usr/bin/env bash
# Runs node-postgres's own integration tests (packages/pg/test/integration: client, connection-pool,
# gh-issues) three ways — straight to a throwaway PostgreSQL, through PoolSafe in session mode, and
# through real PgBouncer in session mode — one file at a time, each bounded in time, and prints per
# file whether it passed and how many of its tests passed, side by side, with totals.
#
#   scripts/conformance/node-postgres-suite.sh <node-postgres-source>
#
# Environment: SUITE_FILES (paths under packages/pg/test/integration, default every *-tests.js in the
# three folders), SUITE_SIDES ("direct poolsafe pgbouncer"), FILE_TIMEOUT (seconds per file, default
# 60), SUITE_WORK (work folder, default a fresh mktemp -d; logs stay there), SUITE_DEPS (folder for
# the suite's npm dependencies, reused between runs; default <work>/deps), PGBOUNCER (PgBouncer
# executable, default Debian's /usr/sbin/pgbouncer), POOLSAFE_REPO (the PoolSafe checkout whose pooler
# runs, e.g. an older commit for before/after counts; default this one).
# The source is copied into the work folder; its npm dependencies are installed there from the npm
# registry; nothing from it is written to this repository.
set -euo pipefail

src="$(cd "${1:?usage: $0 <node-postgres-source>}" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export POOLSAFE_REPO="${POOLSAFE_REPO:-$repo}"
sides="${SUITE_SIDES:-direct poolsafe pgbouncer}"
file_timeout="${FILE_TIMEOUT:-60}"
work="${SUITE_WORK:-$(mktemp -d /tmp/nps.XXXXXX)}"
deps="${SUITE_DEPS:-$work/deps}"
copy="$work/node-postgres"
tests="$copy/packages/pg/test/integration"
password="node-postgres-suite-pw"
# A role whose password SASLprep changes (U+2168 ROMAN NUMERAL NINE becomes "IX"), for the suite's
# SCRAM unicode tests; node-postgres-targets.mjs creates it and gives it to both poolers.
export SCRAM_TEST_PGUSER_UNICODE=scram_unicode_test SCRAM_TEST_PGPASSWORD_UNICODE=$'IX-\xe2\x85\xa8'
mkdir -p "$work" "$deps"

# The copy: node-postgres's workspace packages resolve to each other's sources (as yarn workspaces
# link them); pg-protocol is TypeScript, transpiled with the repository's esbuild (no type check).
prepare_copy() {
  rm -rf "$copy"
  mkdir -p "$copy"
  tar -C "$src" --exclude=.git --exclude=node_modules -cf - . | tar -C "$copy" -xf -
  mkdir -p "$copy/packages/pg/node_modules"
  for package in pg-pool pg-protocol pg-connection-string pg-cursor pg-query-stream; do
    ln -sfn "../../$package" "$copy/packages/pg/node_modules/$package"
  done
  ln -sfn .. "$copy/packages/pg/node_modules/pg"
  local protocol="$copy/packages/pg-protocol"
  "$repo/node_modules/.bin/esbuild" $(ls "$protocol"/src/*.ts | grep -v '\.test\.ts$') --outdir="$protocol/dist" \
    --format=cjs --platform=node --target=node16 --log-level=warning
}

# The registry packages pg and its integration tests require, at the versions pg's package.json names.
install_deps() {
  local specs
  specs="$(node -e '
    const pkg = require(process.argv[1]);
    const all = { ...pkg.devDependencies, ...pkg.dependencies };
    const names = ["pg-types", "pgpass", "async", "bluebird", "co", "pg-copy-streams"];
    console.log(names.map((name) => `${name}@${all[name]}`).join(" "));
  ' "$copy/packages/pg/package.json")"
  if [ "$(cat "$deps/installed" 2>/dev/null)" != "$specs" ]; then
    echo "installing $specs into $deps" >&2
    echo '{"name":"node-postgres-suite-deps","private":true}' >"$deps/package.json"
    (cd "$deps" && npm install --no-package-lock --ignore-scripts --no-audit --no-fund $specs) >"$work/npm-install.log" 2>&1
    echo "$specs" >"$deps/installed"
  fi
  ln -sfn "$deps/node_modules" "$copy/node_modules"
}

# Starts PostgreSQL and the poolers (node-postgres-targets.mjs) and waits for their ports.
start_targets() {
  rm -f "$work/targets"
  PGPASSWORD="$password" node "$here/node-postgres-targets.mjs" "$work" $sides >"$work/targets.log" 2>&1 &
  targets_pid=$!
  trap 'kill "$targets_pid" 2>/dev/null || true; wait "$targets_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do
    [ -s "$work/targets" ] && return 0
    kill -0 "$targets_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "the targets did not start; see $work/targets.log" >&2
  cat "$work/targets.log" >&2
  exit 1
}

port_of() { awk -v side="$1" '$1 == side { print $2 }' "$work/targets"; }

# One file against one side: `<file> <status> <tests passed> <seconds>` appended to
# <work>/<side>.results. status: pass (exit 0), fail (any other exit), timeout (still running after
# FILE_TIMEOUT). The seconds tell a slow machine from a hang: node-postgres gives each test 5 s.
run_file() {
  local side="$1" file="$2" port log code status passed started
  port="$(port_of "$side")"
  log="$work/logs/$side/${file//\//_}.log"
  mkdir -p "$(dirname "$log")"
  code=0
  started=$SECONDS
  (cd "$copy/packages/pg" && env PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGPASSWORD="$password" \
    PGDATABASE=postgres SCRAM_TEST_PGUSER=postgres SCRAM_TEST_PGPASSWORD="$password" \
    SCRAM_TEST_PGHOST=127.0.0.1 SCRAM_TEST_PGPORT="$port" \
    timeout -k 5 "$file_timeout" node "test/integration/$file" >"$log" 2>&1) || code=$?
  case "$code" in
    0) status=pass ;;
    124|137) status=timeout ;;
    *) status=fail ;;
  esac
  passed="$(grep -c '✔' "$log" || true)"
  echo "$file $status $passed $((SECONDS - started))" >>"$work/$side.results"
}

main() {
  prepare_copy
  install_deps
  (cd "$repo" && npm run --silent build) >/dev/null
  [ "$POOLSAFE_REPO" = "$repo" ] || (cd "$POOLSAFE_REPO" && npm run --silent build) >/dev/null
  files="${SUITE_FILES:-$(cd "$tests" && find . -name '*-tests.js' | sed 's|^\./||' | sort)}"
  start_targets
  for side in $sides; do rm -f "$work/$side.results"; done
  echo "== $(echo "$files" | wc -w) files, sides: $sides, ${file_timeout}s per file, logs in $work/logs" >&2
  # Interleaved (each file on every side before the next file), so machine load hits the sides alike.
  for file in $files; do
    for side in $sides; do run_file "$side" "$file"; done
  done
  python3 "$here/node-postgres-table.py" "$work" $sides
  echo "work folder: $work" >&2
}

# One line: bash reads a script as it runs, so a run survives edits of this file made meanwhile.
main; exit $?
