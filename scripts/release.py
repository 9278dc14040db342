"""The release step: migrate the database once per deploy, whatever number of app servers start.

Run it once before starting (or restarting) the app servers: `bash scripts/release.sh`. On PostgreSQL it
holds an advisory lock while migrating, so two releases started together run one after the other and the
second finds nothing to do; app servers never migrate on start.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

# Any fixed number shared by every release of this app: the key of the advisory lock.
RELEASE_LOCK_KEY = 0x7472_6163_6B72  # "trackr"


def main() -> None:
    if connection.vendor != "postgresql":
        call_command("migrate", interactive=False)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [RELEASE_LOCK_KEY])
    try:
        call_command("migrate", interactive=False)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RELEASE_LOCK_KEY])


if __name__ == "__main__":
    main()
