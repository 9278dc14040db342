import json

from django.core.management.base import BaseCommand, CommandError

from datasets.portability import PortabilityError, authority_import


class Command(BaseCommand):
    help = "Import an authority exported by export_authority into a database that does not hold it yet."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON file written by export_authority")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            counts = authority_import(data=data)
        except PortabilityError as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Imported: {summary}. Users must set a password before signing in."))
