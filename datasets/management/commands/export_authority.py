from django.core.management.base import BaseCommand, CommandError

from datasets.portability import authority_export_json
from inspections.models import LocalAuthority


class Command(BaseCommand):
    help = "Export all data of one authority (by slug) to a JSON file; see docs/operations.md."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the authority's slug, e.g. barnsley")
        parser.add_argument("--output", "-o", required=True, help="the JSON file to write ('-' for stdout)")

    def handle(self, *args, slug, output, **options):
        authority = LocalAuthority.objects.filter(slug=slug).first()
        if authority is None:
            raise CommandError(f"No authority with the slug {slug!r}.")
        text = authority_export_json(authority=authority)
        if output == "-":
            self.stdout.write(text)
            return
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        self.stderr.write(self.style.SUCCESS(f"Exported {authority.name} to {output}."))
