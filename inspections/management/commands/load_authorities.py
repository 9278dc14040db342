from django.core.management.base import BaseCommand

from inspections.services import authorities_load_reference


class Command(BaseCommand):
    help = "Load or refresh every local authority in England from the reference list kept in the project."

    def handle(self, *args, **options):
        created, updated = authorities_load_reference()
        self.stdout.write(self.style.SUCCESS(f"Authorities: {created} created, {updated} updated."))
