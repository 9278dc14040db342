#!/usr/bin/env bash
# Installs what the app needs, in steps that CI, `make run` and the Dockerfile share:
#   python   a virtual environment (.venv) with the pinned Python packages (with --test: test packages)
#   assets   the npm packages and the static assets built into static/vendor/
#   browser  Debian's Chromium for the browser tests (only with --test)
# With no step named, all of them. Safe to run again: it only does what is missing.
#   bash scripts/install.sh [--test] [python|assets|browser ...]
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
steps=()
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    python|assets|browser) steps+=("$arg") ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
[ ${#steps[@]} -gt 0 ] || steps=(python assets browser)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_python() {
  local python=${PYTHON:-python3.11}
  command -v "$python" >/dev/null 2>&1 || python=python3
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $($python --version)"
    "$python" -m venv .venv
  fi
  local stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-$want_test"
  if [ ! -e "$stamp" ]; then
    echo "==> installing Python packages"
    .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
    if [ $want_test -eq 1 ]; then
      .venv/bin/pip install --quiet --disable-pip-version-check -e ".[test]"
    else
      .venv/bin/pip install --quiet --disable-pip-version-check -e .
    fi
    touch "$stamp"
  fi
}

install_assets() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  echo "==> building static assets"
  npm run --silent build
}

install_browser() {
  [ $want_test -eq 1 ] || return 0
  if [ ! -x /usr/bin/chromium ]; then
    echo "==> installing Debian's Chromium for the browser tests"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

for step in "${steps[@]}"; do "install_$step"; done
