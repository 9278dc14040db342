#!/usr/bin/env bash
# Boots the production configuration exactly as deployed and crawls it, so CI proves it starts:
#   static   collectstatic with the manifest storage, then `check --deploy` with no warnings
#            (the Dockerfile runs this step when it builds the image)
#   all      (default) static, then on a fresh PostgreSQL database: the release step (migrate under a
#            lock), the demo, gunicorn with 2 workers, and a crawl as each demo role over the headers an
#            HTTPS proxy sends (scripts/production_crawl.py). Any failure fails the script.
# The database is DATABASE_URL's with "_production" appended (dropped and created again);
# PRODUCTION_REDIS_URL (default redis://127.0.0.1:6379/0) is the shared cache.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python
step=${1:-all}

export APP_ENV=production
export STATIC_MANIFEST=1
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export SECRET_KEY=${SECRET_KEY:-$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(64))')}

static() {
  echo "==> collectstatic (manifest storage)"
  "$PYTHON" manage.py collectstatic --noinput --clear -v 0
  echo "==> check --deploy"
  "$PYTHON" manage.py check --deploy --fail-level WARNING
}

boot_and_crawl() {
  local started=$SECONDS base_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tracker}
  local name=${base_url##*/}; name=${name%%\?*}_production
  export DATABASE_URL="${base_url%/*}/$name"
  export REDIS_URL=${PRODUCTION_REDIS_URL:-redis://127.0.0.1:6379/0}
  export PRIVATE_MEDIA_ROOT; PRIVATE_MEDIA_ROOT=$(mktemp -d)
  echo "==> fresh database $name"
  "$PYTHON" - <<'PY'
import os, psycopg
from urllib.parse import urlsplit
url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
PY
  echo "==> release step (migrate once, under a lock)"
  "$PYTHON" scripts/release.py >/dev/null
  "$PYTHON" manage.py load_demo >/dev/null
  local port; port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "==> gunicorn, 2 workers, on 127.0.0.1:$port"
  "$PYTHON" -m gunicorn config.wsgi --bind "127.0.0.1:$port" --workers 2 --timeout 60 --log-level warning &
  gunicorn_pid=$!
  trap 'kill $gunicorn_pid 2>/dev/null; wait $gunicorn_pid 2>/dev/null; rm -rf "$PRIVATE_MEDIA_ROOT"' EXIT
  for _ in $(seq 1 50); do
    "$PYTHON" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null && break
    sleep 0.2
  done
  echo "==> crawl as each demo role"
  "$PYTHON" scripts/production_crawl.py "http://127.0.0.1:$port"
  echo "==> production check passed in $((SECONDS - started)) s (boot and crawl)"
}

case "$step" in
  static) static ;;
  all) static; boot_and_crawl ;;
  *) echo "unknown step: $step (static or all)" >&2; exit 2 ;;
esac
