"""Daily upkeep: imports never confirmed (expired drafts of letters and of plan spreadsheets, with their
stored files) are deleted, so private uploads do not pile up. Safe to run at any time, and again."""

from django.core.management.base import BaseCommand

from inspections.services import import_drafts_purge


class Command(BaseCommand):
    help = "Delete expired import drafts (letters and plan spreadsheets) with their stored files."

    def handle(self, *args, **options):
        drafts = import_drafts_purge()
        self.stdout.write(f"Purged {drafts} expired import drafts (letters and plan spreadsheets).")
