#!/usr/bin/env bash
# Sets Spotlight up on a fresh clone: the npm dependencies from the lockfile (`npm ci`, which also
# builds dist/), and the packages only the test suite uses: redis-server (shared state across
# replicas) and chromium (browser tests of the web playground).
#
# With apt (Debian, Ubuntu) the test packages are installed too. Without it (macOS, Fedora, …)
# the npm dependencies are installed all the same and the missing test packages are listed at the
# end: Spotlight itself runs without them.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Spotlight needs Node.js 20.19 or newer, with npm: https://nodejs.org/ (or your package manager)." >&2
  exit 1
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "Spotlight needs Node.js 20.19 or newer; this is $(node --version)." >&2
  exit 1
fi

missing_test_packages() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  echo ${missing[@]+"${missing[@]}"}
}

read -r -a missing <<<"$(missing_test_packages)"
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo="sudo"
  fi
  if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
    echo "Installing Debian packages the tests use: ${missing[*]}"
    if ! { $sudo apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
      echo "apt-get could not install ${missing[*]}; going on with the npm dependencies." >&2
    fi
    read -r -a missing <<<"$(missing_test_packages)"
  fi
fi

echo "Installing npm dependencies (npm ci; this also builds dist/)"
npm ci --no-audit --no-fund

echo
echo "Spotlight is installed. Run it with: npm start"
if [ ${#missing[@]} -gt 0 ]; then
  echo
  echo "Not installed: ${missing[*]}. Only the test suite (npm test) needs them; Spotlight runs without them."
  for package in "${missing[@]}"; do
    case "$package" in
      redis-server) echo "  redis-server: the Redis server (macOS: brew install redis; Fedora: sudo dnf install redis)" ;;
      chromium)
        if command -v chromium-browser >/dev/null 2>&1; then
          echo "  chromium: the browser tests start /usr/bin/chromium; this machine has chromium-browser (link it there to run them)"
        else
          echo "  chromium: the browser tests start /usr/bin/chromium (Debian's chromium package; Fedora: sudo dnf install chromium, then link chromium-browser there)"
        fi
        ;;
    esac
  done
  echo "Install them with your package manager, then run npm test."
fi
