"""Daily reminder emails; safe to run more than once a day (each email is sent once per person per day).

Cron, every weekday at 07:00:  0 7 * * 1-5  cd /app && .venv/bin/python manage.py send_reminders
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actions.reminders import reminders_send


class Command(BaseCommand):
    help = "Email owners their due and overdue actions, the monthly update request, and escalations."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be a date like 2026-11-04") from exc
        run = reminders_send(today=today)
        for kind in ("digest", "update_due", "escalation"):
            self.stdout.write(f"{kind}: {run.sent.get(kind, 0)} sent, {run.skipped.get(kind, 0)} skipped")
