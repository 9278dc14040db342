#!/usr/bin/env bash
# The release step of a deploy, run once (not by every app server): migrations under a PostgreSQL
# advisory lock (scripts/release.py). The Docker image: `docker run --rm IMAGE bash scripts/release.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python
exec "$PYTHON" scripts/release.py
