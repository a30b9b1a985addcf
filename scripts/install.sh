#!/usr/bin/env bash
# Installs everything Spotlight and its test suite need on a fresh machine:
# Debian packages the tests use (redis-server: shared state across replicas;
# chromium: browser tests of the web playground), then the npm dependencies from the lockfile (which also builds dist/).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
command -v chromium >/dev/null 2>&1 || packages+=(chromium)

if [ ${#packages[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing Debian packages: ${packages[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  else
    echo "Please install these with your package manager, then run this again: ${packages[*]}" >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund
