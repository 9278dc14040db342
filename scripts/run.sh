#!/usr/bin/env bash
# One command from a fresh clone to a running demo: install, migrate, load the demo, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export DJANGO_SETTINGS_MODULE=config.settings
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo
PORT=${PORT:-8000}
echo
echo "The tracker is starting on http://127.0.0.1:${PORT}/ (stop it with Ctrl+C)."
echo "Sign in with one of the demo accounts above."
exec .venv/bin/python manage.py runserver "127.0.0.1:${PORT}"
