"""Daily upkeep: letter imports never confirmed (expired drafts and their files) and plan spreadsheets
never saved are deleted, so private uploads do not pile up. Safe to run at any time, and again."""

from django.core.management.base import BaseCommand

from actions.services import plan_import_files_purge
from inspections.services import import_drafts_purge


class Command(BaseCommand):
    help = "Delete expired import drafts and abandoned plan-import spreadsheets with their stored files."

    def handle(self, *args, **options):
        drafts = import_drafts_purge()
        spreadsheets = plan_import_files_purge()
        self.stdout.write(f"Purged {drafts} expired import drafts and {spreadsheets} abandoned plan spreadsheets.")
