"""Import Ofsted's "Local authority inspection outcomes as at 31 March" file (ODS, as published).

    python manage.py import_ofsted_outcomes PATH [--as-at 2026-03-31]

Every graded inspection of every council, matched by ONS code; a second run of the same file changes
nothing; an inspection imported from the council's letter is kept as it is. Nothing is saved when the
file cannot be imported.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.permissions import SYSTEM
from inspections.services import published_outcomes_import

MAX_BYTES = 40 * 1024 * 1024


class Command(BaseCommand):
    help = "Import Ofsted's published local authority inspection outcomes (ODS) for every council."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The ODS file as Ofsted publishes it.")
        parser.add_argument(
            "--as-at", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
            help="The date the outcomes are as at, when the file's title does not say.",
        )

    def handle(self, *args, path: str, as_at, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No file at {path}.", returncode=2)
        if file.stat().st_size > MAX_BYTES:
            raise CommandError("The file is larger than 40 MB: it is not Ofsted's outcomes file.", returncode=2)
        try:
            result = published_outcomes_import(user=SYSTEM, source=file.read_bytes(), as_at=as_at)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from None
        self.stdout.write(self.style.SUCCESS(result.summary()))
        if result.ungraded_rows:
            self.stdout.write(f"{result.ungraded_rows} rows without grades (visits, or councils not yet inspected) were skipped.")
