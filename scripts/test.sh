#!/usr/bin/env bash
# The whole test suite on PostgreSQL, as CI runs it: installs what tests need (Chromium included),
# makes sure the local PostgreSQL is up, then runs pytest (unit, integration and browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tracker}
case "$DATABASE_URL" in
  postgres*)
    if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
      echo "==> starting PostgreSQL"
      as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
      as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
      for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
    ;;
esac
# One Redis for the production check and the two-server tests (tests/production/).
if ! redis-cli ping >/dev/null 2>&1; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "==> installing Redis"
    as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  echo "==> starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" >/dev/null
  for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.2; done
fi

if [ $# -eq 0 ]; then
  # The whole suite: first boot production as deployed and crawl it (scripts/production_check.sh),
  # then run the tests on every core (pytest-xdist; each worker has its own test database).
  echo "==> production check"
  bash scripts/production_check.sh
  set -- -n "${TEST_WORKERS:-auto}"
fi
echo "==> running the suite against ${DATABASE_URL%%@*}@..."
exec .venv/bin/python -m pytest "$@"
