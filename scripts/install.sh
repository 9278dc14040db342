#!/usr/bin/env bash
# Installs everything the app needs: a virtual environment with the pinned Python packages, the npm
# packages, and the built static assets. With --test, also what the test suite needs: the test
# packages and Debian's Chromium for the browser tests. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-$want_test"
if [ ! -e "$stamp" ]; then
  echo "==> installing Python packages"
  .venv/bin/pip install --quiet --upgrade pip
  if [ $want_test -eq 1 ]; then .venv/bin/pip install --quiet -e ".[test]"; else .venv/bin/pip install --quiet -e .; fi
  touch "$stamp"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "==> building static assets"
npm run --silent build

if [ $want_test -eq 1 ] && [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian's Chromium for the browser tests"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi
